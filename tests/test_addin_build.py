"""Tests for the .xlam add-in build: package parts, ribbon, VBA project and installation."""

from __future__ import annotations

import ast
import importlib.metadata
import io
import os
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import olefile
import pytest
from oletools.olevba import VBA_Parser

from xlscorecard.addin import build as addin_build
from xlscorecard.addin import install as addin_install
from xlscorecard.addin.build import build_addin
from xlscorecard.addin.install import install_addin
from xlscorecard.core.errors import ScorecardError

REPO = Path(__file__).resolve().parent.parent
MACROS = REPO / "xlscorecard" / "addin" / "macros"
BAS_PATH = MACROS / "XlScorecard.bas"
RIBBON_PATH = MACROS / "customUI14.xml"

CUSTOMUI_NS = "http://schemas.microsoft.com/office/2009/07/customui"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
REL_RIBBON = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"

# The five functions of xlscorecard/addin.py, and the button that runs each.
ADDIN_FUNCTIONS = ("recompute", "flag_cells", "clear_flags", "check", "export_return")
BUTTONS = {
    "Recompute RAG & arrows": "recompute",
    "Flag cells": "flag_cells",
    "Clear flags": "clear_flags",
    "Check": "check",
    "Export return": "export_return",
}
SUB_RE = re.compile(r"^Public Sub (\w+)\((.*)\)\r?$", re.MULTILINE)
RUNPYTHON_RE = re.compile(r'\bRunPython\s+"([^"]*)"')
CALL_RE = re.compile(r"import xlscorecard\.addin; xlscorecard\.addin\.(\w+)\(\)")


@pytest.fixture(scope="module")
def xlam(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the add-in once for the tests that only read it."""
    return build_addin(tmp_path_factory.mktemp("addin"))


@pytest.fixture(scope="module")
def modules(xlam: Path) -> dict[str, str]:
    """Every VBA module of the built add-in as olevba extracts it, by module name."""
    parser = VBA_Parser(str(xlam))
    try:
        found = {Path(filename).stem: code for _, _, filename, code in parser.extract_macros()}
    finally:
        parser.close()
    return found


def crlf(text: str) -> str:
    """Give text VBA's CRLF line endings."""
    return re.sub(r"\r\n|\r|\n", "\r\n", text)


def read_part(xlam: Path, name: str) -> bytes:
    """Return one part of the built package."""
    with zipfile.ZipFile(xlam) as package:
        return package.read(name)


def relationships(xlam: Path, part: str) -> dict[str, str]:
    """Map relationship type to target for one .rels part."""
    root = ElementTree.fromstring(read_part(xlam, part))
    return {rel.get("Type"): rel.get("Target") for rel in root.iter(f"{{{RELS_NS}}}Relationship")}


def vba_stream(xlam: Path, path: str) -> bytes:
    """Return one stream of the built vbaProject.bin, read with olefile."""
    with olefile.OleFileIO(io.BytesIO(read_part(xlam, "xl/vbaProject.bin"))) as ole:
        return ole.openstream(path).read()


def callback_problems(ribbon_xml: bytes, bas_source: str) -> list[str]:
    """List every way the ribbon and its VBA callbacks module fail to fit together."""
    problems: list[str] = []
    name = re.search(r'^Attribute VB_Name = "(\w+)"', bas_source, re.MULTILINE)
    module = name.group(1) if name else None
    subs = {sub: params for sub, params in SUB_RE.findall(bas_source)}
    root = ElementTree.fromstring(ribbon_xml)
    actions = [el.get("onAction") for el in root.iter() if el.get("onAction") is not None]
    if not actions:
        problems.append("the ribbon has no onAction")
    for action in actions:
        qualifier, _, sub = action.rpartition(".")
        if qualifier and qualifier != module:
            problems.append(f"{action}: module {qualifier!r} is not {module!r}")
        if sub not in subs:
            problems.append(f"{action}: no Public Sub {sub} in the module")
        elif subs[sub] != "control As IRibbonControl":
            problems.append(f"{action}: {sub}({subs[sub]}) is not a ribbon callback")
    named = {action.rpartition(".")[2] for action in actions}
    problems += [f"Sub {sub} is on no button" for sub in subs if sub not in named]
    for command in RUNPYTHON_RE.findall(bas_source):
        call = CALL_RE.fullmatch(command)
        if call is None:
            problems.append(f"RunPython {command!r} is not a call of xlscorecard.addin")
        elif call.group(1) not in ADDIN_FUNCTIONS:
            problems.append(f"RunPython calls {call.group(1)}, not an add-in function")
    return problems


def button_calls(ribbon_xml: bytes, bas_source: str) -> dict[str, str]:
    """Map each button's label, as Excel shows it, to the Python function its callback runs."""
    bodies = dict(re.findall(r"^Public Sub (\w+)\(.*?\)\r?\n(.*?)^End Sub", bas_source, re.S | re.M))
    calls = {}
    for button in ElementTree.fromstring(ribbon_xml).iter(f"{{{CUSTOMUI_NS}}}button"):
        sub = button.get("onAction", "").rpartition(".")[2]
        commands = RUNPYTHON_RE.findall(bodies.get(sub, ""))
        match = CALL_RE.fullmatch(commands[0]) if len(commands) == 1 else None
        calls[button.get("label", "").replace("&&", "&")] = match.group(1) if match else ""
    return calls


# --- the package -------------------------------------------------------------------------


def test_content_types_cover_every_part(xlam: Path) -> None:
    root = ElementTree.fromstring(read_part(xlam, "[Content_Types].xml"))
    defaults = {d.get("Extension"): d.get("ContentType") for d in root.iter(f"{{{CT_NS}}}Default")}
    overrides = {o.get("PartName"): o.get("ContentType") for o in root.iter(f"{{{CT_NS}}}Override")}
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.addin.macroEnabled.main+xml"
    assert defaults["bin"] == "application/vnd.ms-office.vbaProject"
    assert defaults["rels"] == "application/vnd.openxmlformats-package.relationships+xml"
    with zipfile.ZipFile(xlam) as package:
        names = [n for n in package.namelist() if n != "[Content_Types].xml"]
    for name in names:
        assert f"/{name}" in overrides or name.rsplit(".", 1)[-1] in defaults, name
    assert all(part[1:] in names for part in overrides), "an Override names a missing part"


def test_relationships_reach_workbook_ribbon_and_vba(xlam: Path) -> None:
    package_rels = relationships(xlam, "_rels/.rels")
    assert package_rels[REL_OFFICE_DOCUMENT] == "xl/workbook.xml"
    assert package_rels[REL_RIBBON] == "customUI/customUI14.xml"
    workbook_rels = relationships(xlam, "xl/_rels/workbook.xml.rels")
    assert workbook_rels[REL_VBA] == "vbaProject.bin"
    with zipfile.ZipFile(xlam) as package:
        names = set(package.namelist())
    assert set(package_rels.values()) <= names
    assert {f"xl/{target}" for target in workbook_rels.values()} <= names


def test_zip_entries_have_fixed_order_and_metadata(xlam: Path) -> None:
    with zipfile.ZipFile(xlam) as package:
        infos = package.infolist()
        assert package.testzip() is None
    assert [i.filename for i in infos] == [
        "[Content_Types].xml",
        "_rels/.rels",
        "docProps/core.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/worksheets/sheet1.xml",
        "xl/styles.xml",
        "xl/vbaProject.bin",
        "customUI/customUI14.xml",
    ]
    assert {(i.date_time, i.create_system, i.external_attr) for i in infos} == {((1980, 1, 1, 0, 0, 0), 3, 0o644 << 16)}


def test_workbook_code_names_are_the_projects_document_modules(xlam: Path) -> None:
    # A code name the project does not declare makes Excel add a second document module.
    project = vba_stream(xlam, "PROJECT").decode("cp1252")
    documents = set(re.findall(r"^Document=(\w+)/", project, re.MULTILINE))
    workbook = ElementTree.fromstring(read_part(xlam, "xl/workbook.xml"))
    sheet = ElementTree.fromstring(read_part(xlam, "xl/worksheets/sheet1.xml"))
    names = {
        workbook.find(f"{{{MAIN_NS}}}workbookPr").get("codeName"),
        sheet.find(f"{{{MAIN_NS}}}sheetPr").get("codeName"),
    }
    assert names == documents == {"ThisWorkbook", "Sheet1"}


# --- the ribbon --------------------------------------------------------------------------


def test_ribbon_part_is_the_source_in_the_2009_namespace(xlam: Path) -> None:
    part = read_part(xlam, "customUI/customUI14.xml")
    root = ElementTree.fromstring(part)
    assert root.tag == f"{{{CUSTOMUI_NS}}}customUI"
    assert part.decode("utf-8") == RIBBON_PATH.read_text("utf-8").replace("\r\n", "\n")
    tabs = list(root.iter(f"{{{CUSTOMUI_NS}}}tab"))
    assert [tab.get("label") for tab in tabs] == ["Scorecard"]


def test_ribbon_buttons_have_labels_icons_and_tooltips() -> None:
    root = ElementTree.fromstring(RIBBON_PATH.read_bytes())
    buttons = list(root.iter(f"{{{CUSTOMUI_NS}}}button"))
    # Excel shows "&&" as one "&"; a lone "&" would vanish and underline the next letter.
    assert [b.get("label").replace("&&", "&") for b in buttons] == list(BUTTONS)
    assert all("&" not in b.get("label").replace("&&", "") for b in buttons)
    for button in buttons:
        for attribute in ("id", "imageMso", "screentip", "supertip", "onAction"):
            assert button.get(attribute), (button.get("label"), attribute)
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))


def test_every_button_runs_its_addin_function(modules: dict[str, str]) -> None:
    assert button_calls(RIBBON_PATH.read_bytes(), modules["XlScorecard"]) == BUTTONS


def test_every_on_action_names_a_ribbon_callback_sub(modules: dict[str, str]) -> None:
    assert callback_problems(RIBBON_PATH.read_bytes(), modules["XlScorecard"]) == []


def test_callback_check_catches_a_rename_on_one_side_only() -> None:
    ribbon = RIBBON_PATH.read_bytes()
    bas = BAS_PATH.read_text("ascii")
    renamed_in_xml = ribbon.replace(b"XlScorecard.OnFlagCells", b"XlScorecard.OnFlagCell")
    assert any("OnFlagCell:" in p for p in callback_problems(renamed_in_xml, bas))
    wrong_signature = bas.replace("OnCheck(control As IRibbonControl)", "OnCheck()")
    assert any("OnCheck()" in p for p in callback_problems(ribbon, wrong_signature))
    wrong_module = ribbon.replace(b'"XlScorecard.OnCheck"', b'"Ribbon.OnCheck"')
    assert callback_problems(wrong_module, bas)
    wrong_function = bas.replace("addin.export_return()", "addin.export()")
    assert any("export" in p for p in callback_problems(ribbon, wrong_function))


def test_runpython_calls_name_exactly_the_five_addin_functions() -> None:
    commands = RUNPYTHON_RE.findall(BAS_PATH.read_text("ascii"))
    called = [CALL_RE.fullmatch(command).group(1) for command in commands]
    assert sorted(called) == sorted(ADDIN_FUNCTIONS)


def test_addin_module_defines_the_five_functions_without_arguments() -> None:
    addin = REPO / "xlscorecard" / "addin" / "buttons.py"
    tree = ast.parse(addin.read_text("utf-8"))
    defined = {node.name: node.args for node in tree.body if isinstance(node, ast.FunctionDef)}
    for name in ADDIN_FUNCTIONS:
        assert name in defined, name
        args = defined[name]
        assert not (args.posonlyargs or args.args or args.vararg or args.kwonlyargs), name


# --- the VBA project ---------------------------------------------------------------------


def test_olevba_extracts_every_module(modules: dict[str, str]) -> None:
    assert set(modules) == {"ThisWorkbook", "Sheet1", "XlScorecard", "xlwings", "Dictionary"}
    assert all(code and "\r\n" in code for code in modules.values())


def test_callbacks_module_is_the_bas_source(modules: dict[str, str]) -> None:
    # olevba returns the module stream's source verbatim, Attribute lines included, with
    # the CRLF endings VBA stores. Only the file's line endings are normalised: a git
    # checkout may have turned them into LF, and the build turns them back into CRLF.
    assert modules["XlScorecard"] == crlf(BAS_PATH.read_text("ascii"))
    assert "\n" not in modules["XlScorecard"].replace("\r\n", "")


def test_xlwings_module_is_the_installed_custom_addin_vba(modules: dict[str, str]) -> None:
    version = importlib.metadata.version("xlwings")
    installed = crlf((addin_build.xlwings_package_dir() / "xlwings_custom_addin.bas").read_text("cp1252"))
    ours = modules["xlwings"]
    assert f'Public Const XLWINGS_VERSION As String = "{version}"' in ours
    assert "Public Function RunPython(" in ours
    # Two changes: the add-in reads its own settings (~/.xlscorecard/xlscorecard.conf, an
    # "xlscorecard.conf" sheet or file), never xlwings.conf; the workbook's folder is never put on
    # sys.path, so a "pandas.py" beside a scorecard cannot replace the real one.
    expected = installed.replace('PROJECT_NAME As String = "myaddin"', 'PROJECT_NAME As String = "xlscorecard"')
    default_on = 'AddExcelDir = GetConfig("ADD_WORKBOOK_TO_PYTHONPATH", "true")'
    expected = expected.replace(default_on, 'AddExcelDir = "false"')
    assert ours == expected and ours != installed
    assert '"xlwings"' not in re.findall(r"PROJECT_NAME As String = (\S+)", ours)
    assert "ADD_WORKBOOK_TO_PYTHONPATH" not in ours


def test_callback_names_do_not_clash_with_xlwings(modules: dict[str, str]) -> None:
    xlwings_procedures = set(re.findall(r"^(?:Public |Private )?(?:Sub|Function) (\w+)", modules["xlwings"], re.M))
    callbacks = {sub for sub, _ in SUB_RE.findall(modules["XlScorecard"])}
    assert callbacks and not callbacks & xlwings_procedures
    ours = set(re.findall(r"^(?:Public |Private )?(?:Sub|Function) (\w+)", modules["XlScorecard"], re.M))
    assert ours > callbacks and not ours & xlwings_procedures


FUNCTION_RE = re.compile(r"^Public Function (\w+)\((.*?)\)(?: As (\w+))?\r?$", re.MULTILINE)


def vba_functions(source: str) -> dict[str, tuple[list[tuple[str, str, str]], str | None]]:
    """Public Functions -> ([(passing, name, type)], return type), line continuations joined."""
    joined = re.sub(r" _\r?\n\s*", " ", source)
    out = {}
    for name, params, returns in FUNCTION_RE.findall(joined):
        parsed = []
        for param in filter(None, (p.strip() for p in params.split(","))):
            m = re.fullmatch(r"(?:(ByVal|ByRef) )?(\w+)(?: As (\w+))?", param)
            assert m, param
            parsed.append((m.group(1) or "ByRef", m.group(2), m.group(3) or "Variant"))
        out[name] = (parsed, returns or None)
    return out


def test_every_vba_procedure_python_runs_is_in_the_module_with_its_signature(modules: dict[str, str]) -> None:
    from xlscorecard import addin

    assert addin.VBA_MODULE == addin_build.CALLBACKS_MODULE and addin.ADDIN_BOOK == addin_build.ADDIN_NAME
    for source in (BAS_PATH.read_text("ascii"), modules["XlScorecard"]):
        functions = vba_functions(source)
        for name, params in addin.VBA_PROCEDURES.items():
            assert name in functions, name
            parsed = functions[name][0]
            assert [p[1] for p in parsed] == list(params), name
            # Application.Run hands over Variants: each parameter is a Variant taken ByVal, so a 2-D
            # array (or an array of rows) arrives whatever its bounds, and no typed array is asked for.
            assert all(passing == "ByVal" and kind == "Variant" for passing, _, kind in parsed), name
        assert functions[addin.VBA_APPLY][1] == "Long" and functions[addin.VBA_READ][1] == "Variant"
    # Python calls them through the module name in the add-in, as "'xlscorecard.xlam'!XlScorecard.<name>".
    text = (REPO / "xlscorecard" / "addin" / "formats.py").read_text("utf-8")
    assert "'{ADDIN_BOOK}'!{VBA_MODULE}.{procedure}" in text


def test_signature_check_catches_a_changed_vba_function() -> None:
    source = BAS_PATH.read_text("ascii")
    renamed = source.replace("Public Function XlsReadFormats(", "Public Function XlsReadFormat(")
    assert "XlsReadFormats" not in vba_functions(renamed)
    typed = source.replace("ByVal items As Variant", "items() As Variant")
    with pytest.raises(AssertionError):
        vba_functions(typed)


def test_project_references_the_office_library(xlam: Path) -> None:
    from pyopenvba import ExcelFile

    with ExcelFile(xlam) as book:
        guids = {reference.guid.upper() for reference in book.references()}
    assert addin_build.OFFICE_TYPELIB_GUID in guids  # where IRibbonControl is declared


def test_vba_project_stream_carries_no_performance_cache(xlam: Path) -> None:
    stream = vba_stream(xlam, "VBA/_VBA_PROJECT")
    assert len(stream) == 7
    reserved1, version, reserved2, _reserved3 = struct.unpack("<HHBH", stream)
    assert (reserved1, version, reserved2) == (0x61CC, 0xFFFF, 0x00)


def test_vba_project_stream_matches_xlwings_own_addin(xlam: Path) -> None:
    shipped = addin_build.xlwings_package_dir() / "addin" / "xlwings.xlam"
    if not shipped.exists():
        pytest.skip("this xlwings ships no xlwings.xlam")
    with zipfile.ZipFile(shipped) as package:
        project = package.read("xl/vbaProject.bin")
    with olefile.OleFileIO(io.BytesIO(project)) as ole:
        theirs = ole.openstream("VBA/_VBA_PROJECT").read()
    assert vba_stream(xlam, "VBA/_VBA_PROJECT") == theirs


def test_no_module_carries_compiled_code(xlam: Path) -> None:
    from pyopenvba import ExcelFile

    with ExcelFile(xlam) as book:
        offsets = {m.name: m.text_offset for m in book.vba_project().modules}
    assert offsets == dict.fromkeys(offsets, 0) and len(offsets) == 5


# --- reproducibility ---------------------------------------------------------------------


def test_two_builds_are_byte_identical(tmp_path: Path, xlam: Path) -> None:
    again = build_addin(tmp_path)
    assert again.read_bytes() == xlam.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["xlscorecard.xlam"]  # no temp file left


def test_build_ignores_hash_seed_and_checkout_line_endings(tmp_path: Path, xlam: Path) -> None:
    sources = tmp_path / "macros"
    sources.mkdir()
    for path in (BAS_PATH, RIBBON_PATH):
        text = path.read_bytes().replace(b"\r\n", b"\n")
        (sources / path.name).write_bytes(text if path == BAS_PATH else text.replace(b"\n", b"\r\n"))
    code = (
        "import sys; from pathlib import Path; from xlscorecard.addin.build import build_addin; "
        "build_addin(Path(sys.argv[1]), macros_dir=Path(sys.argv[2]))"
    )
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        subprocess.run([sys.executable, "-c", code, str(out), str(sources)], check=True, env=env)
        assert (out / "xlscorecard.xlam").read_bytes() == xlam.read_bytes()


def test_build_reports_a_missing_source(tmp_path: Path) -> None:
    with pytest.raises(ScorecardError, match="not found"):
        build_addin(tmp_path / "out", macros_dir=tmp_path)


def test_build_reports_an_unwritable_target(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ScorecardError, match="cannot write the add-in"):
        build_addin(blocker)


# --- installation ------------------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="installs for real elsewhere")
def test_install_on_linux_raises() -> None:
    with pytest.raises(ScorecardError) as raised:
        install_addin()
    assert str(raised.value) == (
        "Excel add-ins can only be installed on Windows or macOS; build the .xlam with "
        "`xlscorecard addin build` and copy it to a machine with Excel"
    )


XLWINGS_CONF = (
    b'"INTERPRETER_WIN","C:\\Users\\a\\conda\\python.exe"\r\n"USE UDF SERVER","True"\r\n"CONDA ENV","base"\r\n'
)


def test_windows_install_copies_to_xlstart_and_sets_its_own_interpreter(
    tmp_path: Path, xlam: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "mbcs" (the ANSI code page) exists only on Windows; cp1252 is what it is in the UK.
    monkeypatch.setitem(addin_install._CONFIG_ENCODING, "win32", "cp1252")
    home, appdata = tmp_path / "home", tmp_path / "appdata"
    xlwings_conf = home / ".xlwings" / "xlwings.conf"
    xlwings_conf.parent.mkdir(parents=True)
    xlwings_conf.write_bytes(XLWINGS_CONF)
    conf = home / ".xlscorecard" / "xlscorecard.conf"
    conf.parent.mkdir(parents=True)
    conf.write_bytes(b'"LICENSE_KEY","abc"\r\n\r\n"interpreter_win","C:\\old\\python.exe"\r\n')
    installed = addin_install._install(
        "win32",
        home=home,
        environ={"APPDATA": str(appdata)},
        xlam=xlam,
        python="C:\\Python311\\python.exe",
    )
    assert installed == appdata / "Microsoft" / "Excel" / "XLSTART" / "xlscorecard.xlam"
    assert installed.read_bytes() == xlam.read_bytes()
    assert conf.read_bytes() == (b'"LICENSE_KEY","abc"\r\n"INTERPRETER_WIN","C:\\Python311\\python.exe"\r\n')
    assert sorted(p.name for p in installed.parent.iterdir()) == ["xlscorecard.xlam"]
    # The analyst's own xlwings settings, for their other xlwings tools: untouched, byte for byte.
    assert xlwings_conf.read_bytes() == XLWINGS_CONF
    assert sorted(p.name for p in xlwings_conf.parent.iterdir()) == ["xlwings.conf"]


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_install_into_a_temporary_home_leaves_xlwings_conf_byte_identical(
    tmp_path: Path, xlam: Path, platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(addin_install._CONFIG_ENCODING, "win32", "cp1252")
    home = tmp_path / "home"
    confs = [
        home / ".xlwings" / "xlwings.conf",
        home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "xlwings.conf",
    ]
    for conf in confs:
        conf.parent.mkdir(parents=True)
        conf.write_bytes(XLWINGS_CONF)
    stamps = [conf.stat().st_mtime_ns for conf in confs]
    addin_install._install(platform, home=home, environ={"APPDATA": str(tmp_path / "ad")}, xlam=xlam, python="py")
    assert [conf.read_bytes() for conf in confs] == [XLWINGS_CONF, XLWINGS_CONF]
    assert [conf.stat().st_mtime_ns for conf in confs] == stamps
    ours = addin_install.settings_file(platform, home=home)
    assert ours.name == "xlscorecard.conf" and ours.is_file() and ours not in confs


def test_install_through_the_cli_in_a_temporary_home_keeps_xlwings_conf(tmp_path: Path) -> None:
    # The real command in a separate process, with HOME pointing at a scratch folder.
    conf = tmp_path / ".xlwings" / "xlwings.conf"
    conf.parent.mkdir(parents=True)
    conf.write_bytes(XLWINGS_CONF)
    from conftest import cli_command

    env = {**os.environ, "HOME": str(tmp_path), "USERPROFILE": str(tmp_path), "PYTHONPATH": str(REPO)}
    done = subprocess.run([*cli_command(), "addin", "install"], env=env, capture_output=True, text=True)
    if sys.platform.startswith("linux"):
        assert done.returncode == 2 and "only be installed on Windows or macOS" in done.stderr
        assert "Traceback" not in done.stderr
    else:
        assert done.returncode == 0, done.stderr
    assert conf.read_bytes() == XLWINGS_CONF


def test_mac_install_uses_excels_startup_and_sandbox_folders(tmp_path: Path, xlam: Path) -> None:
    installed = addin_install._install("darwin", home=tmp_path, environ={}, xlam=xlam, python="/opt/py/bin/python3")
    assert installed == (
        tmp_path
        / "Library"
        / "Group Containers"
        / "UBF8T346G9.Office"
        / "User Content.localized"
        / "Startup.localized"
        / "Excel"
        / "xlscorecard.xlam"
    )
    data = tmp_path / "Library" / "Containers" / "com.microsoft.Excel" / "Data"
    assert (data / "xlscorecard.conf").read_text("utf-8") == '"INTERPRETER_MAC","/opt/py/bin/python3"\n'
    assert not (data / "xlwings.conf").exists()
    version = importlib.metadata.version("xlwings")
    script = tmp_path / "Library" / "Application Scripts" / "com.microsoft.Excel"
    assert (script / f"xlwings-{version}.applescript").is_file()


def test_install_builds_the_addin_when_given_none(tmp_path: Path, xlam: Path) -> None:
    installed = addin_install._install("darwin", home=tmp_path, environ={}, xlam=None, python="/usr/bin/python3")
    assert installed.read_bytes() == xlam.read_bytes()


def test_install_refuses_a_missing_addin_file(tmp_path: Path) -> None:
    with pytest.raises(ScorecardError, match="no such add-in file"):
        addin_install._install("darwin", home=tmp_path, environ={}, xlam=tmp_path / "nope.xlam", python="python3")


def test_xlwings_setting_refuses_a_value_vba_would_split(tmp_path: Path) -> None:
    with pytest.raises(ScorecardError):
        addin_install.set_setting(tmp_path / "x.conf", "INTERPRETER_WIN", 'C:\\a"b')


def test_builder_reads_the_sources_shipped_in_the_package() -> None:
    assert Path(str(addin_build.MACROS_DIR)) == MACROS
    assert sorted(p.name for p in MACROS.iterdir()) == ["README.md", "XlScorecard.bas", "customUI14.xml"]
    assert not (REPO / "macros").exists()
