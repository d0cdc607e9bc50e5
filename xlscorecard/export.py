"""Write tidy rows (xlscorecard.core.tidy) as CSV, Parquet or JSON: the `export` command and batch's tidy file."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from xlscorecard.atomic import atomic_path, write_atomically
from xlscorecard.core.tidy import COLUMNS


class TidyFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"
    JSON = "json"


_FORMULA_START = ("=", "+", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; markers such as '-' stay."""
    if text.startswith(_FORMULA_START) or (len(text) > 1 and text[0] == "-" and not text[1].isdigit()
                                           and text[1] not in ". "):
        return "'" + text
    return text


def export_path(out: Path, stem: str, fmt: TidyFormat) -> Path:
    """`out` itself when it has a file suffix; otherwise `out/<stem>.<format>`."""
    return out if out.suffix else out / f"{stem}.{fmt.value}"


def write_tidy(rows: list[dict[str, Any]], target: Path, fmt: TidyFormat) -> Path:
    """Write the rows to `target` whole or not at all; returns `target`."""
    if fmt is TidyFormat.PARQUET:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pylist([{c: row.get(c) for c in COLUMNS} for row in rows], schema=parquet_schema())
        with atomic_path(target, prefix=f".{target.stem}.", suffix=".parquet.tmp") as tmp:
            pq.write_table(table, tmp)
        return target
    if fmt is TidyFormat.JSON:
        data = json.dumps([{c: _plain(row.get(c)) for c in COLUMNS} for row in rows], ensure_ascii=False, indent=1)
        write_atomically(target, (data + "\n").encode("utf-8"), prefix=f".{target.stem}.", suffix=".json.tmp")
        return target
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in COLUMNS])
    # utf-8-sig: Excel and Power BI read the BOM as "this is UTF-8" (section names carry non-ASCII).
    write_atomically(target, buffer.getvalue().encode("utf-8-sig"), prefix=f".{target.stem}.", suffix=".csv.tmp")
    return target


def parquet_schema() -> Any:
    import pyarrow as pa

    types = {"start": pa.date32(), "end": pa.date32(), "reporting_period": pa.bool_(), "value": pa.float64(),
             "target_value": pa.float64()}
    return pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return csv_safe(value)
    return repr(value) if isinstance(value, float) else value
