"""The formatted quarter-on-quarter return (issue 4): what an officer sees when they open it."""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from conftest import COL, EXAMPLE, EXAMPLE_SHEET, FIRST_PI_ROW, pi, run_cli, small_sheet, write_workbook
from programs import require_program
from xlsxwriter.styles import Styles

from xlscorecard.api import convert_file
from xlscorecard.core.settings import Settings
from xlscorecard.xlsx import return_workbook

SHEETS = ["Scorecard", "Quarter on quarter", "Exceptions", "Data quality", "Summary"]
RETURN_NAME = "scorecard_q2_2018-19 - Qu 2 18-19 return.xlsx"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def example_return(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("return")
    result = run_cli("convert", EXAMPLE, "-o", f"{out}/")
    assert result.returncode == 0, result.stderr
    path = out / RETURN_NAME
    assert result.stdout.strip() == str(path)
    return path


@pytest.fixture(scope="module")
def book(example_return: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(example_return)


def test_return_has_every_sheet_and_reopens_with_pandas(example_return: Path, book: openpyxl.Workbook) -> None:
    assert book.sheetnames == SHEETS
    frames = pd.read_excel(example_return, sheet_name=None, engine="openpyxl", dtype={"PI": str})
    assert list(frames) == SHEETS
    qoq = frames["Quarter on quarter"]
    assert len(qoq) == 104
    assert qoq.loc[qoq["PI"] == "1.1", "Qu 2 18-19"].item() == 2200


def test_scorecard_values_match_the_source(book: openpyxl.Workbook) -> None:
    source = openpyxl.load_workbook(EXAMPLE)[EXAMPLE_SHEET]
    out = book["Scorecard"]
    compared = 0
    for row in source.iter_rows():
        for cell in row:
            if cell.column_letter in ("O", "P"):  # recomputed RAG and arrows
                continue
            assert out[cell.coordinate].value == cell.value, cell.coordinate
            compared += cell.value is not None
    assert compared > 1200
    # Percentages keep their stored fraction and percent format.
    assert out["K9"].value == pytest.approx(0.32)
    assert "%" in out["K9"].number_format


@pytest.mark.parametrize(
    ("cell", "rag"),
    [("O50", "Amber"), ("O12", "Amber"), ("O16", "Red"), ("O17", "Green"), ("O33", "Red"), ("O7", None)],
)
def test_recomputed_rag_is_written_as_text(book: openpyxl.Workbook, cell: str, rag: str | None) -> None:
    assert book["Scorecard"][cell].value == rag


@pytest.mark.parametrize(("cell", "arrow"), [("P25", "↑"), ("P32", "↑"), ("P7", "↓"), ("P16", "→"), ("P13", None)])
def test_recomputed_arrows(book: openpyxl.Workbook, cell: str, arrow: str | None) -> None:
    assert book["Scorecard"][cell].value == arrow


def _cf_ranges(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for cf in ws.conditional_formatting:
        out[str(cf.sqref)] = [" ".join(rule.formula or []) or rule.type for rule in cf.rules]
    return out


def test_conditional_formatting_covers_rag_and_arrow_columns(book: openpyxl.Workbook) -> None:
    ws = book["Scorecard"]
    ranges = _cf_ranges(ws)
    assert "O7:O133" in ranges, ranges.keys()
    assert any("GREEN" in f for f in ranges["O7:O133"]) and any("RED" in f for f in ranges["O7:O133"])
    assert "P7:P133" in ranges
    assert any('"high"' in f for f in ranges["P7:P133"])
    # The reporting-period values are coloured by bands, so an edited value is re-rated.
    assert "K7:K133" in ranges
    assert ws["O50"].fill.fill_type is None  # no static fill: the colour is the rule's
    assert ws["P50"].font.color is None or ws["P50"].font.color.type == "theme"  # default font colour


def test_colour_bands_re_rate_an_edited_value(book: openpyxl.Workbook) -> None:
    """4.6: low is good, target 121, tolerance 10%: up to 121 Green, up to 133.1 Amber."""
    ws = book["Scorecard"]
    helper = {ws.cell(5, c).value: c for c in range(1, ws.max_column + 1)}
    row = 50
    bands = [ws.cell(row, helper[name]).value for name in ("green from", "green to", "amber from", "amber to")]
    assert bands[1] == pytest.approx(121)
    assert bands[3] == pytest.approx(133.1)
    assert ws.cell(row, helper["xlscorecard polarity"]).value == "low"
    col = helper["green from"]
    assert any(d.hidden and d.min <= col <= d.max for d in ws.column_dimensions.values())
    # 1.6 stores 79% as 0.79: its bands are fractions too (85% target, 10% tolerance -> 76.5%).
    assert ws.cell(12, helper["green from"]).value == pytest.approx(0.85)
    assert ws.cell(12, helper["amber from"]).value == pytest.approx(0.765)


def test_flagged_cells_carry_notes_and_styles(book: openpyxl.Workbook) -> None:
    ws = book["Scorecard"]
    assert "suppressed" in ws["K13"].comment.text
    assert ws["K13"].font.italic
    assert "no value for Qu 2 18-19" in ws["K38"].comment.text
    assert ws["K38"].fill.fgColor.rgb.endswith("FFF2CC")
    assert "Qu 1 18-19" in ws["J38"].comment.text  # stale: rated on Q1
    assert "looks like a total" in ws["F77"].comment.text  # 6.8's national count


def test_data_quality_links_resolve_to_real_cells(book: openpyxl.Workbook, example_assessment) -> None:  # type: ignore[no-untyped-def]
    dq = book["Data quality"]
    scorecard = book["Scorecard"]
    rows = list(dq.iter_rows(min_row=2))
    assert len(rows) == len(example_assessment.findings)
    linked = 0
    for code, _severity, ref, cell, _message in rows:
        if cell.value is None:
            continue
        link = cell.hyperlink
        assert link is not None and link.location == f"'Scorecard'!{cell.value}"
        target_row = scorecard[cell.value].row
        if ref.value is None:  # a header cell the reader did not understand
            assert code.value == "unrecognised-column" and scorecard[cell.value].value, cell.value
        else:
            assert scorecard.cell(target_row, 1).value == ref.value, (code.value, cell.value)
        linked += 1
    assert linked == len(rows)


def test_quarter_on_quarter_sheet(example_return: Path, book: openpyxl.Workbook) -> None:
    ws = book["Quarter on quarter"]
    header = [c.value for c in ws[1]]
    assert header[:12] == ["PI", "Measure", "Section", "Qu 1 18-19", "Qu 2 18-19", "Change", "% change", "Arrow",
                           "Improving / worsening", "RAG", "Explanation", "Trend"]
    row = {c.value: c.row for c in ws["A"]}["1.17"]
    assert ws.cell(row, 4).value == 23 and ws.cell(row, 5).value == 24
    assert ws.cell(row, 8).value == "↑" and ws.cell(row, 9).value == "worsening" and ws.cell(row, 10).value == "Red"
    pct_row = {c.value: c.row for c in ws["A"]}["1.3"]
    assert ws.cell(pct_row, 5).value == pytest.approx(0.32) and "%" in ws.cell(pct_row, 5).number_format
    with zipfile.ZipFile(example_return) as zf:
        sheet_xml = zf.read("xl/worksheets/sheet2.xml").decode()
    assert sheet_xml.count("<x14:sparkline>") == 104
    assert any(rule.type == "iconSet" for cf in ws.conditional_formatting for rule in cf.rules)


def test_exceptions_and_summary(book: openpyxl.Workbook, example_assessment) -> None:  # type: ignore[no-untyped-def]
    exceptions = book["Exceptions"]
    reds = [r.ref for r in example_assessment.results if r.rag.rating and r.rag.rating.value == "red"]
    assert [r[0].value for r in exceptions.iter_rows(min_row=2)] == reds
    row_110 = next(r for r in exceptions.iter_rows(min_row=2) if r[0].value == "1.10")
    assert row_110[3].value == "Kate Rose" and "fall in performance" in row_110[10].value
    summary = book["Summary"]
    totals = next(r for r in summary.iter_rows() if r[0].value == "All PIs")
    counts = example_assessment.rag_counts()
    assert [c.value for c in totals[1:5]] == [counts["green"], counts["amber"], counts["red"], counts["not rated"]]
    assert summary._charts, "Summary has a chart"


def test_print_setup(book: openpyxl.Workbook) -> None:
    ws = book["Scorecard"]
    assert ws.print_title_rows == "$5:$5"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert "Qu 2 18-19" in ws.oddFooter.left.text and "&P" in ws.oddFooter.center.text
    assert ws.freeze_panes == "C6"
    assert ws.auto_filter.ref.startswith("A5:")


def test_libreoffice_prints_the_header_on_every_scorecard_page(example_return: Path, tmp_path: Path) -> None:
    soffice = require_program("soffice", "apt-get install libreoffice-calc-nogui")
    pdftotext = require_program("pdftotext", "apt-get install poppler-utils")
    done = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(example_return)],
        capture_output=True, text=True, timeout=240, check=False,
    )
    pdf = tmp_path / example_return.with_suffix(".pdf").name
    assert done.returncode == 0 and pdf.exists(), done.stderr
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    # Every sheet now has the footer: the Scorecard's pages are those before Quarter on quarter's header.
    first_qoq = next(i for i, p in enumerate(pages) if "Improving /" in p)
    scorecard_pages = pages[:first_qoq]
    assert len(scorecard_pages) >= 2
    for page in scorecard_pages:
        assert "PI Ref" in page and "Measure" in page


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    # The last is XML shaped like rich text, which XlsxWriter's own constant-memory writer passes through raw.
    hostile = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "=1/0",
               '<r><t>x</t></r></is></c><c r="Z9"><f>1+1</f></c><c r="Z10" t="inlineStr"><is><r><t>y</t></r>']
    hostile += ['<r><t>title</t></r></si><si><r><t>x</t></r>', '<r><t>section</t></r></si><si><r><t>y</t></r>']
    rows = small_sheet(
        pi("1.1", hostile[0], comments=hostile[1], lead=hostile[3], q1=3, q2=4),
        pi("1.2", "Number of things", comments=hostile[2], q2=hostile[4]),
        [hostile[7]],  # a section heading: it is written on the Summary sheet too
        pi("2.1", "Rich", comments=hostile[5], q2=1),
        title=hostile[6],
    )
    src = write_workbook(tmp_path / "hostile.xlsx", rows)
    before = sha256(src)
    out = convert_file(src, tmp_path / "out.xlsx")
    assert sha256(src) == before
    book = openpyxl.load_workbook(out)
    found = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} became a formula: {cell.value}"
                if cell.value in hostile:
                    found[cell.value] = cell.data_type
    assert set(found) == set(hostile)
    assert set(found.values()) == {"s"}
    summary = book["Summary"]
    assert summary["A1"].value == hostile[6]
    assert hostile[7] in [c.value for c in summary["A"]]


def test_input_is_unchanged_and_a_failure_mid_write_leaves_no_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    copy = tmp_path / "in.xlsx"
    copy.write_bytes(EXAMPLE.read_bytes())
    before = sha256(copy)

    def boom(self) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(return_workbook.ReturnWriter, "summary_sheet", boom)
    target = tmp_path / "out" / "return.xlsx"
    with pytest.raises(RuntimeError):
        convert_file(copy, target)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []
    assert sha256(copy) == before


def test_existing_return_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "return.xlsx"
    target.write_bytes(b"old")
    convert_file(EXAMPLE, target)
    assert openpyxl.load_workbook(target).sheetnames == SHEETS


def test_rules_change_the_written_rating(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text("tolerance = 5.0\n", encoding="utf-8")
    result = run_cli("convert", EXAMPLE, "-o", tmp_path / "r.xlsx", "--rules", rules)
    assert result.returncode == 0, result.stderr
    assert openpyxl.load_workbook(tmp_path / "r.xlsx")["Scorecard"]["O50"].value == "Red"


def test_convert_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    result = run_cli("convert", bad, "-o", tmp_path / "out.xlsx")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and str(bad) in result.stderr
    assert not (tmp_path / "out.xlsx").exists()


def test_convert_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    copy = tmp_path / "in.xlsx"
    copy.write_bytes(EXAMPLE.read_bytes())
    result = run_cli("convert", copy, "-o", copy)
    assert result.returncode == 2 and "overwrite the input" in result.stderr
    assert copy.read_bytes() == EXAMPLE.read_bytes()


def test_default_output_name_is_beside_the_input(tmp_path: Path) -> None:
    copy = tmp_path / "scorecard_q2_2018-19.xlsx"
    copy.write_bytes(EXAMPLE.read_bytes())
    out = convert_file(copy, settings=Settings())
    assert out == tmp_path / RETURN_NAME and out.exists()


def test_output_folder_named_with_a_slash_is_created(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "returns"
    result = run_cli("convert", EXAMPLE, "-o", f"{folder}/")
    assert result.returncode == 0, result.stderr
    assert (folder / RETURN_NAME).is_file()
    assert (folder / RETURN_NAME).stat().st_mode & 0o644 == 0o644  # readable by the web server's account


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        return {name: z.read(name) for name in z.namelist() if name != "docProps/core.xml"}  # core: a timestamp


def test_a_big_return_assembled_on_disk_is_the_same_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Returns over IN_MEMORY_CELLS are assembled from temporary files. Forced here on the example:
    every part must match the in-memory return's, and no temporary file may be left behind."""
    small = convert_file(EXAMPLE, tmp_path / "in memory.xlsx")
    parts = tmp_path / "parts"
    parts.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(parts))
    monkeypatch.setattr(return_workbook, "IN_MEMORY_CELLS", 0)
    big = convert_file(EXAMPLE, tmp_path / "on disk.xlsx")
    assert _parts(big) == _parts(small)
    assert list(parts.iterdir()) == []
    assert "suppressed" in openpyxl.load_workbook(big)["Scorecard"]["K13"].comment.text


def test_a_failed_big_return_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: Any) -> None:
        raise RuntimeError("styles could not be written")

    parts = tmp_path / "parts"
    parts.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(parts))
    monkeypatch.setattr(return_workbook, "IN_MEMORY_CELLS", 0)
    monkeypatch.setattr(Styles, "_assemble_xml_file", boom)  # written after the sheets and notes
    target = tmp_path / "out" / "return.xlsx"
    with pytest.raises(RuntimeError, match="styles could not be written"):
        convert_file(EXAMPLE, target)
    assert list(target.parent.iterdir()) == []
    assert list(parts.iterdir()) == []


def _value_cell_rating(path: Path, address: str) -> tuple[str | None, str | None]:
    """(the fill colour's rating the conditional formats give a cell, the RAG column's text)."""
    from conditional_formats import fill_colour, rating_of_fill

    ws = openpyxl.load_workbook(path)["Scorecard"]
    row = int("".join(ch for ch in address if ch.isdigit()))
    return rating_of_fill(fill_colour(ws, address)), ws[f"{COL['RAG']}{row}"].value


def test_profiled_annual_target_colours_the_value_as_the_rag_column_says(tmp_path: Path) -> None:
    """Issue 15's bug: a year-to-date count, annual target 30, Q2 value 16, targets profiled.

    Profiled to 15 for Q2, 16 meets it: the RAG column says Green and the value cell's colour
    must be green too (it was red: the colour rules used the annual 30)."""
    source = write_workbook(tmp_path / "ytd.xlsx", small_sheet(
        pi("4.3", "Number of adoptions (year to date)", polarity="High", target=30, q4=31, q1=7, q2=16),
        pi("4.4", "Number of adoptions (year to date)", polarity="High", target=30, q4=31, q1=7, q2=14),
    ))
    rules = tmp_path / "rules.toml"
    rules.write_text("profile_annual_targets = true\n", encoding="utf-8")
    out = tmp_path / "return.xlsx"
    result = run_cli("convert", source, "-o", out, "--rules", rules)
    assert result.returncode == 0, result.stderr
    q2 = COL["Qu 2 18-19"]
    assert _value_cell_rating(out, f"{q2}{FIRST_PI_ROW}") == ("green", "Green")
    assert _value_cell_rating(out, f"{q2}{FIRST_PI_ROW + 1}") == ("amber", "Amber")  # 14 vs 15: within 10%
    # Unprofiled, the annual 30 rates both Red, and the colour agrees.
    plain = tmp_path / "plain.xlsx"
    assert run_cli("convert", source, "-o", plain).returncode == 0
    assert _value_cell_rating(plain, f"{q2}{FIRST_PI_ROW}") == ("red", "Red")


def test_library_code_leaves_the_garbage_collector_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading, assessing and writing run in the web server's threads too: only the process that
    owns a job (a CLI command, a batch worker) may pause the collector."""
    import gc

    def refuse() -> None:
        raise AssertionError("library code switched the garbage collector off")

    monkeypatch.setattr(gc, "disable", refuse)
    assert convert_file(EXAMPLE, tmp_path / "r.xlsx").is_file()
