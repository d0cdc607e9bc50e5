"""`xlscorecard rollover` and `xlscorecard template`: next quarter's blank return, with entry validation.

Everything goes through the real CLI and is checked by reopening the output with openpyxl; the
validation formula is read back from the saved file and evaluated, and LibreOffice opens the output
and evaluates the same formula as the oracle.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.formula.translate import Translator
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.cell_range import CellRange

from xlscorecard.api import load_scorecard
from xlscorecard.cli import app
from xlscorecard.core.reading.periods import PeriodKind, parse_period, relabel
from xlscorecard.core.values import MARKER_STATUSES, parse_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "scorecard_q2_2018-19.xlsx"
TEMPLATE = ROOT / "workbook_templates" / "scorecard_template.xlsx"
HEADER_ROWS = (5, 21, 37, 61, 88, 116)
PERIOD_COLS = "HIJKLMN"
LABELS_18_19 = ["Yr. end 17-18", "Qu 4 17-18", "Qu 1 18-19", "Qu 2 18-19", "Qu 3 18-19", "Qu 4 18-19", "Yr. end 18-19"]
LABELS_19_20 = ["Yr. end 18-19", "Qu 4 18-19", "Qu 1 19-20", "Qu 2 19-20", "Qu 3 19-20", "Qu 4 19-20", "Yr. end 19-20"]
ENTRY_RGB = "FFF7D1"
FORMULA_TEXT = '=HYPERLINK("http://example.invalid/x","click me")'

runner = CliRunner()


# ---------------------------------------------------------------- helpers


def cli(*args: str | Path) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pi_rows() -> list[int]:
    return [ind.row for ind in load_scorecard(EXAMPLE).indicators]


def scorecard_sheet(wb: Any) -> Any:
    return next(ws for ws in wb.worksheets if ws.sheet_state == "visible" and ws.title != "Contents")


def sqref_cells(dv: Any) -> set[str]:
    return {f"{col}{row}" for rng in str(dv.sqref).split() for row, col in _cells(rng)}


def _cells(rng: str) -> list[tuple[int, str]]:
    cr = CellRange(rng)
    letters = [openpyxl.utils.get_column_letter(c) for c in range(cr.min_col, cr.max_col + 1)]
    return [(r, c) for r in range(cr.min_row, cr.max_row + 1) for c in letters]


def is_entry_filled(cell: Any) -> bool:
    return cell.fill.fill_type == "solid" and str(cell.fill.fgColor.rgb)[-6:].upper() == ENTRY_RGB


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """The example with text that looks like a formula in cells the roll keeps (a trap for openpyxl)."""
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb["Q2 2018-19"]
    for address in ("R7", "Q8", "A2"):  # a kept descriptive column, a comment, a line above the title
        ws[address] = FORMULA_TEXT
        ws[address].data_type = "s"
    wb["Contents"]["A5"] = FORMULA_TEXT
    wb["Contents"]["A5"].data_type = "s"
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "scorecard_q2_2018-19.xlsx"
    wb.save(path)
    return path


def roll(path: Path, to: str, *extra: str | Path) -> Path:
    before = digest(path)
    result = cli("rollover", path, "--to", to, *extra)
    assert result.exit_code == 0, result.output
    assert digest(path) == before, "the input was modified"
    out = Path(result.stdout.strip())
    assert out.is_file()
    return out


def fill_entry(path: Path, column: str, value_of: Any, dest: Path) -> Path:
    """What an analyst does: type figures into the marked entry cells, save."""
    wb = openpyxl.load_workbook(path)
    ws = scorecard_sheet(wb)
    for r in pi_rows():
        cell = ws[f"{column}{r}"]
        assert is_entry_filled(cell)
        cell.value = value_of(r)
    wb.save(dest)
    return dest


# ---------------------------------------------------------------- rolling within a year


def test_roll_example_to_q3(source: Path) -> None:
    before = digest(source)
    result = cli("rollover", source, "--to", "Qu 3 18-19")
    assert result.exit_code == 0, result.output
    out = Path(result.stdout.strip())
    assert out == source.with_name("scorecard_q2_2018-19 - Qu 3 18-19 submission.xlsx")
    assert digest(source) == before
    assert sorted(p.name for p in source.parent.iterdir()) == sorted([source.name, out.name])  # no temp left

    src_wb = openpyxl.load_workbook(source)
    src = src_wb["Q2 2018-19"]
    wb = openpyxl.load_workbook(out)
    ws = wb["Q3 2018-19"]  # the sheet is named after the new quarter, in its own style
    assert wb.sheetnames == ["Contents", "Q3 2018-19", "Lists"]
    assert wb["Lists"].sheet_state == "hidden"
    assert ws["A3"].value == "Children's Services Scorecard - Quarter 3, 2018-19"
    assert ws.print_title_rows == "$5:$5" and ws.freeze_panes == "C6"
    assert ws.column_dimensions["Q"].width == src.column_dimensions["Q"].width

    for r in HEADER_ROWS:
        assert [ws[f"{c}{r}"].value for c in PERIOD_COLS] == LABELS_18_19, r
    note = ws["L5"].comment
    assert note is not None and note.author == "xlscorecard" and "Qu 3 18-19" in note.text

    rows = pi_rows()
    assert len(rows) == 104
    for r in rows:
        for c in "ABCDEFGHIJKRS":  # identity, benchmarks, target, history, other columns
            assert ws[f"{c}{r}"].value == src[f"{c}{r}"].value, f"{c}{r}"
            assert ws[f"{c}{r}"].number_format == src[f"{c}{r}"].number_format, f"{c}{r}"
        assert ws[f"L{r}"].value is None and is_entry_filled(ws[f"L{r}"])
        for c in "MNOPQ":  # later quarters, RAG, arrow, comments
            assert ws[f"{c}{r}"].value is None, f"{c}{r}"
        assert not is_entry_filled(ws[f"K{r}"])
    assert any(src[f"O{r}"].value or src[f"P{r}"].value or src[f"Q{r}"].value for r in rows)

    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "custom" and dv.errorStyle == "stop" and dv.showErrorMessage and dv.showInputMessage
    assert dv.allow_blank and dv.prompt and dv.error
    assert sqref_cells(dv) == {f"L{r}" for r in rows}  # every PI row, no section or header row

    # Text that looks like a formula stays text: the kept column, the title area, another sheet.
    assert ws["R7"].value == FORMULA_TEXT and ws["R7"].data_type == "s"
    assert ws["A2"].value == FORMULA_TEXT and ws["A2"].data_type == "s"
    assert wb["Contents"]["A5"].value == FORMULA_TEXT and wb["Contents"]["A5"].data_type == "s"
    assert ws["Q8"].value is None  # comments are cleared for the new quarter
    with zipfile.ZipFile(out) as zf:
        assert not any("vba" in n.lower() for n in zf.namelist())

    check = cli("check", out, "--json")
    assert check.exit_code == 0, check.output
    report = json.loads(check.stdout)
    assert report["reporting_period"] == "Qu 2 18-19"  # nothing entered for Q3 yet
    assert report["periods"] == LABELS_18_19
    assert len(report["indicators"]) == 104


def test_skipping_within_the_year_leaves_the_skipped_quarter_empty(source: Path, tmp_path: Path) -> None:
    out = roll(source, "Qu 4 18-19", "-o", tmp_path)
    assert out.name == "scorecard_q2_2018-19 - Qu 4 18-19 submission.xlsx"
    ws = scorecard_sheet(openpyxl.load_workbook(out))
    (dv,) = ws.data_validations.dataValidation
    assert sqref_cells(dv) == {f"M{r}" for r in pi_rows()}
    assert all(ws[f"L{r}"].value is None and not is_entry_filled(ws[f"L{r}"]) for r in pi_rows())


# ---------------------------------------------------------------- into a new year


def test_q4_into_q1_relabels_and_keeps_last_years_year_end_and_q4(source: Path, tmp_path: Path) -> None:
    q3 = roll(source, "Qu 3 18-19", "-o", tmp_path / "q3.xlsx")
    q3 = fill_entry(q3, "L", lambda r: r, tmp_path / "q3 filled.xlsx")
    q4 = roll(q3, "Qu 4 18-19", "-o", tmp_path / "q4.xlsx")

    # The previous quarter's marks are gone; only Q4 is open for entry.
    ws = scorecard_sheet(openpyxl.load_workbook(q4))
    (dv,) = ws.data_validations.dataValidation
    assert sqref_cells(dv) == {f"M{r}" for r in pi_rows()}
    assert ws["L5"].comment is None and ws["M5"].comment is not None
    assert all(ws[f"L{r}"].value == r and not is_entry_filled(ws[f"L{r}"]) for r in pi_rows())

    # The analyst enters Q4 and the year end; one year end is text that looks like a formula.
    wb = openpyxl.load_workbook(q4)
    ws = scorecard_sheet(wb)
    for r in pi_rows():
        ws[f"M{r}"] = 1000 + r
        ws[f"M{r}"].number_format = "0.0"
        ws[f"N{r}"] = 5000 + r
    ws["N8"] = FORMULA_TEXT
    ws["N8"].data_type = "s"
    ws["N9"] = "suppressed"
    ws["M10"].font = Font(bold=True, color="FFC00000")  # an analyst's highlight moves with its figure
    ws["M10"].alignment = Alignment(horizontal="right")
    q4_filled = tmp_path / "q4 filled.xlsx"
    wb.save(q4_filled)

    q1 = roll(q4_filled, "Qu 1 19-20", "-o", tmp_path)
    assert q1.name == "q4 filled - Qu 1 19-20 submission.xlsx"
    wb = openpyxl.load_workbook(q1)
    assert wb.sheetnames == ["Contents", "Q1 2019-20", "Lists"]
    ws = wb["Q1 2019-20"]
    assert ws["A3"].value == "Children's Services Scorecard - Quarter 1, 2019-20"
    for r in HEADER_ROWS:
        assert [ws[f"{c}{r}"].value for c in PERIOD_COLS] == LABELS_19_20, r
    for r in pi_rows():
        if r not in (8, 9):
            assert ws[f"H{r}"].value == 5000 + r  # Yr. end 18-19, moved from N
        assert ws[f"I{r}"].value == 1000 + r  # Qu 4 18-19, moved from M, with its format
        assert ws[f"I{r}"].number_format == "0.0"
        for c in "JKLMNOPQ":
            assert ws[f"{c}{r}"].value is None, f"{c}{r}"
        assert is_entry_filled(ws[f"J{r}"]) and not is_entry_filled(ws[f"M{r}"])
    assert ws["H8"].value == FORMULA_TEXT and ws["H8"].data_type == "s"
    assert ws["H9"].value == "suppressed"
    assert ws["I10"].font.bold and str(ws["I10"].font.color.rgb) == "FFC00000"
    assert ws["I10"].alignment.horizontal == "right" and ws["I10"].number_format == "0.0"
    (dv,) = ws.data_validations.dataValidation
    assert sqref_cells(dv) == {f"J{r}" for r in pi_rows()}
    assert dv.formula1.startswith("OR(ISNUMBER(J7),")

    check = cli("check", q1, "--json")
    assert check.exit_code == 0, check.output
    report = json.loads(check.stdout)
    assert report["periods"] == LABELS_19_20
    assert report["reporting_period"] == "Qu 4 18-19"
    assert len(report["indicators"]) == 104


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("to", "says"),
    [
        ("banana", "is not a quarter"),
        ("Yr. end 18-19", "is a year end, not a quarter"),
        ("Qu 2 18-19", "is not after the workbook's reporting period Qu 2 18-19"),
        ("Qu 1 18-19", "the next quarter is Qu 3 18-19"),
        ("Qu 3 17-18", "is not after"),
        ("Qu 1 19-20", "would drop the Qu 2 18-19 figures"),  # a new year would lose Q2
        ("Qu 1 20-21", "would drop the Qu 2 18-19 figures"),
    ],
)
def test_nonsense_is_refused_in_one_line(source: Path, to: str, says: str) -> None:
    before = digest(source)
    result = cli("rollover", source, "--to", to)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(source) in lines[0] and says in lines[0], result.stderr
    assert digest(source) == before
    assert [p.name for p in source.parent.iterdir()] == [source.name]


def test_a_missing_column_is_refused(tmp_path: Path) -> None:
    blank = tmp_path / "blank.xlsx"
    assert cli("template", EXAMPLE, "--year", "2018-19", "-o", blank).exit_code == 0
    result = cli("rollover", blank, "--to", "Qu 3 17-18")  # a blank workbook has no reporting period
    assert result.exit_code == 2
    assert "has no column for Qu 3 17-18" in result.stderr and str(blank) in result.stderr
    # ...and with nothing to lose it may go to any later year.
    out = roll(blank, "Qu 2 20-21", "-o", tmp_path / "later.xlsx")
    ws = scorecard_sheet(openpyxl.load_workbook(out))
    assert [ws[f"{c}5"].value for c in PERIOD_COLS][3] == "Qu 2 20-21"


def test_output_options(source: Path, tmp_path: Path) -> None:
    out = roll(source, "Qu 3 18-19", "-o", tmp_path / "mine.xlsx")
    assert out == tmp_path / "mine.xlsx"
    for bad, says in [
        (source, "would replace the input"),
        (tmp_path / "x.xlsm", "must be a .xlsx"),
        (tmp_path / "nowhere" / "x.xlsx", "folder does not exist"),
    ]:
        result = cli("rollover", source, "--to", "Qu 3 18-19", "-o", bad)
        assert result.exit_code == 2 and says in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_a_failed_save_leaves_no_file_under_the_final_name(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_save(self: Any, filename: str) -> None:
        Path(filename).write_bytes(b"PK half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = cli("rollover", source, "--to", "Qu 3 18-19", "-o", out_dir)
    assert result.exit_code == 2 and "No space left on device" in result.stderr
    assert list(out_dir.iterdir()) == []


def test_vba_is_refused_before_anything_is_written(source: Path) -> None:
    macro = source.with_name("macro.xlsx")
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(macro, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really VBA")
    result = cli("rollover", macro, "--to", "Qu 3 18-19")
    assert result.exit_code == 2 and "VBA" in result.stderr
    assert sorted(p.name for p in source.parent.iterdir()) == ["macro.xlsx", source.name]


def test_existing_rules_give_up_the_entry_cells_and_a_protected_sheet_unlocks_them(
    source: Path, tmp_path: Path
) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.load_workbook(source)
    ws = wb["Q2 2018-19"]
    ws.add_data_validation(DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", sqref="H7:N133"))
    ws.add_data_validation(DataValidation(type="list", formula1='"Red,Amber,Green"', sqref="O7:O133"))
    ws.protection.sheet = True
    guarded = tmp_path / "guarded.xlsx"
    wb.save(guarded)

    ws = scorecard_sheet(openpyxl.load_workbook(roll(guarded, "Qu 3 18-19")))
    rules = {dv.type: sqref_cells(dv) for dv in ws.data_validations.dataValidation}
    entry = {f"L{r}" for r in pi_rows()}
    assert rules["custom"] == entry
    assert rules["list"] == {f"O{r}" for r in range(7, 134)}
    assert rules["decimal"] == {f"{c}{r}" for c in PERIOD_COLS for r in range(7, 134)} - entry  # one rule a cell
    assert ws.protection.sheet
    assert all(ws[cell].protection.locked is False for cell in entry)
    assert ws["K7"].protection.locked is not False


def test_an_excel_tables_column_names_follow_the_relabelled_headers(tmp_path: Path) -> None:
    from openpyxl.worksheet.table import Table

    wb = openpyxl.load_workbook(EXAMPLE)
    wb["Q2 2018-19"].add_table(Table(displayName="Scorecard", ref="A5:S19"))
    tabled = tmp_path / "tabled.xlsx"
    wb.save(tabled)
    result = cli("template", tabled, "--year", "2019-20", "-o", tmp_path / "t.xlsx")
    assert result.exit_code == 0, result.output
    ws = scorecard_sheet(openpyxl.load_workbook(tmp_path / "t.xlsx"))
    names = [c.name for c in ws.tables["Scorecard"].tableColumns]
    assert names == [ws.cell(5, c).value for c in range(1, 20)]
    assert names[7:14] == LABELS_19_20


# ---------------------------------------------------------------- the validation rule


_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"]|"")*")|(?P<ref>(?:(?:\'[^\']+\'|[A-Za-z_][\w.]*)!)?\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)'
    r"|(?P<func>[A-Z]+)\(|(?P<num>\d+(?:\.\d+)?)|(?P<punct>[(),]))"
)


class NotAvailable(Exception):
    """Excel's #N/A."""


def evaluate(formula: str, anchor: str, value: object, lists: list[object]) -> bool:
    """A tiny evaluator for exactly what the rule uses: OR, ISNUMBER, MATCH(, , 0), TRIM, SUBSTITUTE."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(formula):
        m = _TOKEN.match(formula, pos)
        assert m is not None and m.end() > pos, f"cannot read {formula[pos:]!r}"
        kind = next(k for k, v in m.groupdict().items() if v is not None)
        tokens.append((kind, m.group(kind)))
        pos = m.end()

    def parse(i: int) -> tuple[Any, int]:
        kind, text = tokens[i]
        if kind == "str":
            return ("lit", text[1:-1].replace('""', '"')), i + 1
        if kind == "num":
            return ("lit", float(text)), i + 1
        if kind == "ref":
            return ("ref", text), i + 1
        assert kind == "func", tokens[i]
        args, i = [], i + 1
        while tokens[i] != ("punct", ")"):
            arg, i = parse(i)
            args.append(arg)
            if tokens[i] == ("punct", ","):
                i += 1
        return ("call", text, args), i + 1

    def as_text(v: object) -> str:
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    def wildcard(pattern: str) -> re.Pattern[str]:
        out, i = "", 0
        while i < len(pattern):
            ch = pattern[i]
            if ch == "~" and i + 1 < len(pattern) and pattern[i + 1] in "~*?":
                out, i = out + re.escape(pattern[i + 1]), i + 2
                continue
            out += ".*" if ch == "*" else "." if ch == "?" else re.escape(ch)
            i += 1
        return re.compile(out, re.I | re.S)

    def run(node: Any) -> Any:
        if node[0] == "lit":
            return node[1]
        if node[0] == "ref":
            if "!" in node[1]:
                return lists
            assert node[1] == anchor, f"the rule must refer to the range's top-left cell {anchor}, not {node[1]}"
            return value
        _, name, args = node
        if name == "ISNUMBER":
            try:
                v = run(args[0])
            except NotAvailable:
                return False
            return isinstance(v, int | float) and not isinstance(v, bool)
        vals = [run(a) for a in args]
        if name == "OR":
            return any(bool(v) for v in vals)
        if name == "TRIM":
            return re.sub(" +", " ", as_text(vals[0])).strip(" ")
        if name == "SUBSTITUTE":
            return as_text(vals[0]).replace(as_text(vals[1]), as_text(vals[2]))
        if name == "MATCH":
            wanted, column, how = vals
            assert how == 0
            pattern = wildcard(as_text(wanted))
            for n, item in enumerate(column, start=1):
                if item is not None and pattern.fullmatch(as_text(item)):
                    return n
            raise NotAvailable
        raise AssertionError(f"the rule uses {name}, which the test does not know")

    tree, end = parse(0)
    assert end == len(tokens)
    return bool(run(tree))


ACCEPTED = [12, 0.45, "suppressed", "x", "Supressed", " SUPPRESSED ", "[c]", "<5", "*", "~", "-", "N/A", "z", "k"]
REFUSED = ["twelve", "?", "n*", "12p", "57% (63%)", "suppressed!"]


def rule_and_lists(path: Path) -> tuple[str, str, list[object], Any]:
    wb = openpyxl.load_workbook(path)
    ws = scorecard_sheet(wb)
    (dv,) = ws.data_validations.dataValidation
    anchor = str(dv.sqref).split()[0].split(":")[0]
    m = re.search(r"(?:'([^']+)'|([A-Za-z_][\w.]*))!\$A\$1:\$A\$(\d+)", dv.formula1)
    assert m is not None, dv.formula1
    lists = [wb[m[1] or m[2]].cell(r, 1).value for r in range(1, int(m[3]) + 1)]
    return dv.formula1, anchor, lists, dv


def test_the_saved_rule_accepts_figures_and_markers_and_refuses_other_text(source: Path) -> None:
    out = roll(source, "Qu 3 18-19")
    formula, anchor, lists, _ = rule_and_lists(out)
    assert anchor == "L7" and len(formula) <= 255 and "{" not in formula  # no array constants
    for candidate in ACCEPTED:
        assert evaluate(formula, anchor, candidate, lists), candidate
    for candidate in REFUSED:
        assert not evaluate(formula, anchor, candidate, lists), candidate
    # Every listed marker is one the core reads as a marker (DESIGN 4), and the other way round.
    for marker in lists:
        assert isinstance(marker, str) and parse_text(marker).status in MARKER_STATUSES, marker
    for spelling in ["supressed", "c", "x", "..", "TBC", "DNA", "z", "k", "~", "–", "<10", "[x]", "[z]"]:
        assert any(str(m).lower() == spelling.lower() for m in lists), spelling


def soffice(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = (tmp_path / "lo-profile").as_uri()  # own profile: other LibreOffice runs do not interfere
    return subprocess.run(
        [exe, f"-env:UserInstallation={profile}", "--headless", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_libreoffice_opens_the_output_and_agrees_with_the_rule(source: Path, tmp_path: Path) -> None:
    out = roll(source, "Qu 3 18-19", "-o", tmp_path / "out.xlsx")
    pdf_dir = tmp_path / "pdf"
    done = soffice(tmp_path, "--convert-to", "pdf", "--outdir", str(pdf_dir), str(out))
    assert done.returncode == 0, done.stderr
    pdf = pdf_dir / "out.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")

    # The oracle: LibreOffice evaluates the rule as saved, moved onto each candidate cell.
    formula, anchor, lists, _ = rule_and_lists(out)
    wb = openpyxl.load_workbook(out)
    oracle = wb.create_sheet("Oracle", 0)
    wb.active = 0
    candidates = ACCEPTED + REFUSED
    for r, candidate in enumerate(candidates, start=1):
        oracle.cell(r, 1, candidate)
        if candidate == 0.45:
            oracle.cell(r, 1).number_format = "0%"
        oracle.cell(r, 2, Translator("=" + formula, origin=anchor).translate_formula(f"A{r}"))
    probe = tmp_path / "probe.xlsx"
    wb.save(probe)
    done = soffice(tmp_path, "--convert-to", "csv", "--outdir", str(tmp_path / "csv"), str(probe))
    assert done.returncode == 0, done.stderr
    with (tmp_path / "csv" / "probe.csv").open(encoding="utf-8", newline="") as fh:
        verdicts = [row[1] for row in csv.reader(fh)]
    for candidate, verdict in zip(candidates, verdicts, strict=True):
        assert verdict == ("TRUE" if candidate in ACCEPTED else "FALSE"), (candidate, verdict)
        assert evaluate(formula, anchor, candidate, lists) is (verdict == "TRUE"), candidate


def test_a_moved_formula_keeps_its_saved_result(source: Path, tmp_path: Path) -> None:
    """A year-end formula moved a year along would point at the wrong quarters: its result is kept."""
    wb = openpyxl.load_workbook(source)
    ws = wb["Q2 2018-19"]
    for r in pi_rows():
        ws[f"M{r}"] = 10 + r
    ws["N7"] = "=M7*4"
    typed = tmp_path / "typed.xlsx"
    wb.save(typed)
    done = soffice(tmp_path, "--convert-to", "xlsx", "--outdir", str(tmp_path / "saved"), str(typed))
    assert done.returncode == 0, done.stderr
    calculated = tmp_path / "saved" / "typed.xlsx"  # saved by a spreadsheet, so the result is stored
    out = roll(calculated, "Qu 1 19-20", "-o", tmp_path / "q1.xlsx")
    ws = scorecard_sheet(openpyxl.load_workbook(out))
    assert ws["H7"].value == 4 * 17 and ws["H7"].data_type == "n"
    assert ws["I7"].value == 17


# ---------------------------------------------------------------- templates


def test_the_committed_template_is_what_the_command_makes(tmp_path: Path) -> None:
    fresh = tmp_path / "scorecard_template.xlsx"
    result = cli("template", EXAMPLE, "--year", "2018-19", "--quarter", "1", "-o", fresh)
    assert result.exit_code == 0, result.output
    assert TEMPLATE.is_file(), "run the command in workbook_templates/README.md"
    committed, made = openpyxl.load_workbook(TEMPLATE), openpyxl.load_workbook(fresh)
    assert committed.sheetnames == made.sheetnames
    for name in made.sheetnames:
        a, b = committed[name], made[name]
        assert [[c.value for c in row] for row in a.iter_rows()] == [[c.value for c in row] for row in b.iter_rows()]
        assert [(d.formula1, str(d.sqref)) for d in a.data_validations.dataValidation] == [
            (d.formula1, str(d.sqref)) for d in b.data_validations.dataValidation
        ], "workbook_templates/ is out of date: regenerate it (see its README)"


def test_template_is_blank_validated_and_keeps_pi_identity() -> None:
    src = openpyxl.load_workbook(EXAMPLE)["Q2 2018-19"]
    wb = openpyxl.load_workbook(TEMPLATE)
    ws = wb["Q1 2018-19"]
    assert ws["A3"].value == "Children's Services Scorecard - Quarter 1, 2018-19"
    rows = pi_rows()
    for r in HEADER_ROWS:
        assert [ws[f"{c}{r}"].value for c in PERIOD_COLS] == LABELS_18_19
    for r in rows:
        for c in "ABCDRS":
            assert ws[f"{c}{r}"].value == src[f"{c}{r}"].value
        for c in "EFGHIJKLMNOPQ":
            assert ws[f"{c}{r}"].value is None, f"{c}{r}"
        assert is_entry_filled(ws[f"J{r}"]) and not is_entry_filled(ws[f"K{r}"])
    (dv,) = ws.data_validations.dataValidation
    assert sqref_cells(dv) == {f"{c}{r}" for c in PERIOD_COLS for r in rows}
    assert str(dv.sqref).split()[0].startswith("H7:") and dv.formula1.startswith("OR(ISNUMBER(H7),")
    assert ws["J5"].comment is not None and "Qu 1 18-19" in ws["J5"].comment.text
    sections = [(s.title, s.row) for s in load_scorecard(EXAMPLE).sections]
    assert [(s.title, s.row) for s in load_scorecard(TEMPLATE).sections] == sections


def test_template_for_any_year(tmp_path: Path) -> None:
    result = cli("template", EXAMPLE, "--year", "2019/20", "--quarter", "3", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    out = Path(result.stdout.strip())
    assert out == tmp_path / "scorecard_template_2019-20_Q3.xlsx"
    ws = openpyxl.load_workbook(out)["Q3 2019-20"]
    for r in HEADER_ROWS:
        assert [ws[f"{c}{r}"].value for c in PERIOD_COLS] == LABELS_19_20
    assert all(is_entry_filled(ws[f"L{r}"]) for r in pi_rows())
    for args, says in [
        (["--year", "2019-21"], "is not a financial year"),
        (["--year", "next year"], "is not a financial year"),
        (["--year", "2019-20", "--quarter", "5"], "is not a quarter"),
    ]:
        result = cli("template", EXAMPLE, *args, "-o", tmp_path)
        assert result.exit_code == 2 and says in result.stderr
        assert result.stderr.count("\n") == 1 and str(EXAMPLE) in result.stderr


# ---------------------------------------------------------------- labels


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Qu 4 18-19", "Qu 1 19-20"),
        ("Q4 2018/19", "Q1 2019/20"),
        ("Quarter 4, 2018-19", "Quarter 1, 2019-20"),
        ("Q4 of 2018-2019", "Q1 of 2019-2020"),
    ],
)
def test_relabel_writes_the_new_quarter_in_the_labels_own_style(label: str, expected: str) -> None:
    old = parse_period(label)
    assert old is not None
    assert relabel(old, PeriodKind.QUARTER, old.year + 1, 1, style=old).label == expected


# ---------------------------------------------------------------- architecture


def test_the_plan_and_the_value_parser_load_no_spreadsheet_library() -> None:
    """The rollover's plan and the value parser are core: importing them loads no file-format library."""
    code = (
        "import sys, xlscorecard.core.rollover_plan, xlscorecard.core.values; "
        "print(sorted(m for m in ('openpyxl', 'xlsxwriter', 'python_calamine', 'xlwings') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"
