"""Build the xlscorecard Excel add-in (.xlam) from text sources on any OS, and install it."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

from xlscorecard.atomic import write_atomically
from xlscorecard.errors import ScorecardError

ADDIN_NAME = "xlscorecard.xlam"
# The text sources live beside the package in a checkout (macros/ at the repository root).
MACROS_DIR = Path(__file__).resolve().parent.parent / "macros"
RIBBON_SOURCE = "customUI14.xml"
CALLBACKS_SOURCE = "XlScorecard.bas"
CALLBACKS_MODULE = "XlScorecard"
XLWINGS_MODULE = "xlwings"
DICTIONARY_MODULE = "Dictionary"
# Excel binds these code names to the workbook and its one sheet; workbook.xml and
# sheet1.xml must name them, or Excel makes new document modules beside the stored ones.
DOCUMENT_MODULES = ("ThisWorkbook", "Sheet1")

# [MS-OVBA] 2.3.4.1 with no PerformanceCache: Reserved1 0x61CC, Version 0xFFFF, Reserved2
# 0x00, Reserved3. Version 0xFFFF matches no Office build, so Excel ignores every compiled
# cache and compiles the project from source (MS-OVBA 1.6). Reserved3 is "undefined, MUST be
# ignored"; 0x0001 is the value in the spec's own example (3.1.1) and in the _VBA_PROJECT
# stream of the xlwings.xlam that xlwings ships, so these are that add-in's seven bytes.
NO_CACHE_VBA_PROJECT = bytes.fromhex("cc61ffff000100")

# The custom-add-in flavour of xlwings' VBA: it hands Python the *active* workbook as
# Book.caller(); xlwings.bas would hand over the add-in itself.
XLWINGS_ADDIN_BAS = "xlwings_custom_addin.bas"
XLWINGS_DICTIONARY_CLS = "addin/Dictionary.cls"
# That module reads its settings from %USERPROFILE%\.<PROJECT_NAME>\<PROJECT_NAME>.conf (and
# a "<PROJECT_NAME>.conf" sheet); "xlwings" makes it read the file install_addin writes.
_PROJECT_NAME_TEMPLATE = 'Public Const PROJECT_NAME As String = "myaddin"'
_PROJECT_NAME_OURS = 'Public Const PROJECT_NAME As String = "xlwings"'
OFFICE_TYPELIB_GUID = "{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}"  # declares IRibbonControl

LINUX_INSTALL_MESSAGE = (
    "Excel add-ins can only be installed on Windows or macOS; build the .xlam with "
    "`xlscorecard addin build` and copy it to a machine with Excel"
)

# The earliest time a zip entry can carry: a fixed stamp, so two builds are byte-identical.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL_OFFICE_DOCUMENT = _NS_R + "/officeDocument"
_REL_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
_REL_RIBBON = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
_REL_WORKSHEET = _NS_R + "/worksheet"
_REL_STYLES = _NS_R + "/styles"
_REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
CT_ADDIN_WORKBOOK = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
CT_VBA_PROJECT = "application/vnd.ms-office.vbaProject"

_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_CONTENT_TYPES = (
    _XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="bin" ContentType="' + CT_VBA_PROJECT + '"/>'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="' + CT_ADDIN_WORKBOOK + '"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)

_PACKAGE_RELS = (
    _XML_DECL + f'<Relationships xmlns="{_NS_PKG_RELS}">'
    f'<Relationship Id="rId1" Type="{_REL_OFFICE_DOCUMENT}" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL_CORE}" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL_RIBBON}" Target="customUI/{RIBBON_SOURCE}"/>'
    "</Relationships>"
)

# Excel's Add-ins dialog lists an add-in by its title and shows the description below it.
# No created/modified dates: they would make every build differ.
_CORE_PROPERTIES = (
    _XML_DECL + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    "<dc:title>xlscorecard</dc:title>"
    "<dc:description>Scorecard ribbon tab: recompute RAG ratings and direction-of-travel "
    "arrows, flag and clear cells, check the scorecard and export the return.</dc:description>"
    "</cp:coreProperties>"
)

_WORKBOOK = (
    _XML_DECL + f'<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_R}">'
    f'<workbookPr codeName="{DOCUMENT_MODULES[0]}"/>'
    "<bookViews><workbookView/></bookViews>"
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)

_WORKBOOK_RELS = (
    _XML_DECL + f'<Relationships xmlns="{_NS_PKG_RELS}">'
    f'<Relationship Id="rId1" Type="{_REL_WORKSHEET}" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL_STYLES}" Target="styles.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL_VBA}" Target="vbaProject.bin"/>'
    "</Relationships>"
)

_SHEET = (
    _XML_DECL + f'<worksheet xmlns="{_NS_MAIN}" xmlns:r="{_NS_R}">'
    f'<sheetPr codeName="{DOCUMENT_MODULES[1]}"/>'
    '<dimension ref="A1"/><sheetData/>'
    "</worksheet>"
)

# The smallest style sheet Excel opens without repair: one font, the two fills it reserves,
# one border, one cell format and the Normal style.
_STYLES = (
    _XML_DECL + f'<styleSheet xmlns="{_NS_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def build_addin(out_dir: Path, *, macros_dir: Path | None = None) -> Path:
    """Write xlscorecard.xlam into out_dir from the text sources and return its path."""
    sources = Path(macros_dir) if macros_dir is not None else MACROS_DIR
    ribbon = _normalise_newlines(_read_text(sources / RIBBON_SOURCE, "utf-8"), "\n")
    callbacks = _normalise_newlines(_read_text(sources / CALLBACKS_SOURCE, "ascii"), "\r\n")
    vba_project = build_vba_project(callbacks)
    package = _zip_parts(
        [
            ("[Content_Types].xml", _CONTENT_TYPES.encode("utf-8")),
            ("_rels/.rels", _PACKAGE_RELS.encode("utf-8")),
            ("docProps/core.xml", _CORE_PROPERTIES.encode("utf-8")),
            ("xl/workbook.xml", _WORKBOOK.encode("utf-8")),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.encode("utf-8")),
            ("xl/worksheets/sheet1.xml", _SHEET.encode("utf-8")),
            ("xl/styles.xml", _STYLES.encode("utf-8")),
            ("xl/vbaProject.bin", vba_project),
            (f"customUI/{RIBBON_SOURCE}", ribbon.encode("utf-8")),
        ]
    )
    target = Path(out_dir) / ADDIN_NAME
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(target, package)
    except OSError as exc:
        # On Windows the usual cause is Excel holding the old add-in open.
        raise ScorecardError(f"cannot write the add-in (is Excel using it?): {exc.strerror or exc}", target) from exc
    return target


def build_vba_project(callbacks_source: str) -> bytes:
    """Return a vbaProject.bin holding the callbacks, xlwings' add-in VBA and no compiled cache."""
    try:
        from pyopenvba import ExcelFile, VBAModuleKind
        from pyopenvba.cfb import CFB
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ScorecardError("building the add-in needs the pyOpenVBA package: pip install pyOpenVBA") from exc

    xlwings_source = xlwings_module_source()
    dictionary_source = _normalise_newlines(
        _read_text(xlwings_package_dir() / XLWINGS_DICTIONARY_CLS, "cp1252"), "\r\n"
    )
    # pyOpenVBA edits a file, so the project starts as its Excel-authored .xlam template in a
    # scratch folder; only the vbaProject.bin is kept (the package around it is ours).
    with tempfile.TemporaryDirectory(prefix="xlscorecard-addin-") as scratch_dir:
        scratch = Path(scratch_dir) / "template.xlam"
        with ExcelFile.create_new(scratch) as book:
            project = book.vba_project()
            expected = {*DOCUMENT_MODULES, "Module1"}
            if set(project.module_names()) != expected:
                raise RuntimeError(
                    f"pyOpenVBA's .xlam template changed: modules {project.module_names()}, expected {sorted(expected)}"
                )
            if not any(ref.guid.upper() == OFFICE_TYPELIB_GUID for ref in book.references()):
                raise RuntimeError("pyOpenVBA's .xlam template lost its Office library reference")
            project.delete_module("Module1")
            # Re-setting a document module's own source makes pyOpenVBA rewrite its stream as
            # source only, dropping the p-code Excel compiled into the template.
            for name in DOCUMENT_MODULES:
                book.set_module(name, book.get_module(name))
            project.add_module(CALLBACKS_MODULE, callbacks_source)
            project.add_module(XLWINGS_MODULE, xlwings_source)
            project.add_module(DICTIONARY_MODULE, dictionary_source, kind=VBAModuleKind.other)
            book.save()
        with zipfile.ZipFile(scratch) as template:
            raw = template.read("xl/vbaProject.bin")
    # pyOpenVBA zeroes the old cache but keeps its length and Excel's version number; the
    # 7-byte form tells every Excel to ignore caches and compile from source.
    cfb = CFB.from_bytes(raw)
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", NO_CACHE_VBA_PROJECT)
    return cfb.to_bytes()


def xlwings_package_dir() -> Path:
    """Return the folder of the installed xlwings package, without importing it."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise ScorecardError("building the add-in needs the xlwings package: pip install xlwings")
    return Path(next(iter(spec.submodule_search_locations)))


def xlwings_module_source() -> str:
    """Return the installed xlwings' custom-add-in VBA module, set to read xlwings.conf."""
    path = xlwings_package_dir() / XLWINGS_ADDIN_BAS
    text = _normalise_newlines(_read_text(path, "cp1252"), "\r\n")
    version = importlib.metadata.version("xlwings")
    # RunPython refuses to run when its VBA and the Python package disagree on the version.
    if f'Public Const XLWINGS_VERSION As String = "{version}"' not in text:
        raise ScorecardError(f"this VBA module is not from xlwings {version}", path)
    if text.count(_PROJECT_NAME_TEMPLATE) != 1:
        raise ScorecardError("the PROJECT_NAME line of xlwings' add-in VBA has changed", path)
    return text.replace(_PROJECT_NAME_TEMPLATE, _PROJECT_NAME_OURS)


def install_addin(xlam: Path | None = None, python: str | None = None) -> Path:
    """Copy the add-in to Excel's start-up folder, point xlwings at Python; return its path."""
    return _install(
        sys.platform,
        home=Path.home(),
        environ=os.environ,
        xlam=xlam,
        python=python or sys.executable,
    )


# VBA reads the settings file with `Open ... For Input`: the ANSI code page on Windows. On a
# Mac xlwings itself writes UTF-8, so the add-in reads what xlwings would have written.
_CONFIG_ENCODING = {"win32": "mbcs", "darwin": "utf-8"}
_CONFIG_NEWLINE = {"win32": "\r\n", "darwin": "\n"}
_INTERPRETER_KEY = {"win32": "INTERPRETER_WIN", "darwin": "INTERPRETER_MAC"}


def _install(platform: str, *, home: Path, environ: Mapping[str, str], xlam: Path | None, python: str) -> Path:
    """Install for the given platform under the given home folder and environment."""
    if platform not in _INTERPRETER_KEY:
        raise ScorecardError(LINUX_INSTALL_MESSAGE)
    startup = startup_dir(platform, home=home, environ=environ)
    if xlam is None:
        target = build_addin(startup)
    else:
        source = Path(xlam)
        if not source.is_file():
            raise ScorecardError("no such add-in file", source)
        # Always the same name, so a reinstall replaces the old copy rather than adding one.
        target = startup / ADDIN_NAME
        try:
            startup.mkdir(parents=True, exist_ok=True)
            _write_atomically(target, source.read_bytes())
        except OSError as exc:
            raise ScorecardError(
                f"cannot write the add-in (is Excel using it?): {exc.strerror or exc}", target
            ) from exc
    set_xlwings_setting(
        xlwings_config_file(platform, home=home),
        _INTERPRETER_KEY[platform],
        python,
        encoding=_CONFIG_ENCODING[platform],
        newline=_CONFIG_NEWLINE[platform],
    )
    if platform == "darwin":
        _install_runpython_script(home)
    return target


def startup_dir(platform: str, *, home: Path, environ: Mapping[str, str]) -> Path:
    """Return the folder whose workbooks Excel opens at start-up for this user."""
    if platform == "win32":
        appdata = environ.get("APPDATA") or str(home / "AppData" / "Roaming")
        return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"
    if platform == "darwin":
        return (
            home
            / "Library"
            / "Group Containers"
            / "UBF8T346G9.Office"
            / "User Content.localized"
            / "Startup.localized"
            / "Excel"
        )
    raise ScorecardError(LINUX_INSTALL_MESSAGE)


def xlwings_config_file(platform: str, *, home: Path) -> Path:
    """Return the user settings file the add-in's xlwings VBA reads on this platform."""
    if platform == "win32":
        # GetConfigFilePath: Environ("USERPROFILE") & "\.xlwings\xlwings.conf".
        return home / ".xlwings" / "xlwings.conf"
    if platform == "darwin":
        # Sandboxed Excel's "home folder", which is where xlwings.USER_CONFIG_FILE points too.
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "xlwings.conf"
    raise ScorecardError(LINUX_INSTALL_MESSAGE)


def set_xlwings_setting(conf: Path, key: str, value: str, *, encoding: str = "utf-8", newline: str = "\n") -> None:
    """Set one "KEY","VALUE" line in an xlwings.conf file, keeping every other setting."""
    if '"' in value or "\n" in value or "\r" in value:
        # VBA's `Input #` would split such a value; no interpreter path contains these.
        raise ScorecardError(f"cannot store {value!r} in xlwings settings", conf)
    lines: list[str] = []
    if conf.exists():
        existing = conf.read_bytes().decode(encoding, errors="replace")
        for line in existing.splitlines():
            name = line.split(",", 1)[0].strip().strip('"')
            # VBA compares keys case-insensitively, so any spelling of the key is replaced.
            if line.strip() and name.upper() != key.upper():
                lines.append(line)
    lines.append(f'"{key}","{value}"')
    try:
        data = "".join(line + newline for line in lines).encode(encoding)
    except UnicodeEncodeError as exc:
        raise ScorecardError(f"Excel cannot read the path {value!r} in this system's code page", conf) from exc
    conf.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(conf, data)


def _install_runpython_script(home: Path) -> None:
    """Give sandboxed Mac Excel the AppleScript that xlwings' RunPython calls."""
    version = importlib.metadata.version("xlwings")
    script = xlwings_package_dir() / f"xlwings-{version}.applescript"
    target_dir = home / "Library" / "Application Scripts" / "com.microsoft.Excel"
    target_dir.mkdir(parents=True, exist_ok=True)
    _write_atomically(target_dir / script.name, script.read_bytes())


def _read_text(path: Path, encoding: str) -> str:
    """Read a source file, reporting a missing or mis-encoded file as the user's problem."""
    try:
        return path.read_bytes().decode(encoding)
    except FileNotFoundError as exc:
        raise ScorecardError("add-in source file not found", path) from exc
    except UnicodeDecodeError as exc:
        raise ScorecardError(f"add-in source is not {encoding} text: {exc}", path) from exc


def _normalise_newlines(text: str, newline: str) -> str:
    """Give text one line-ending style, whatever a git checkout did to the file."""
    return re.sub(r"\r\n|\r|\n", newline, text)


def _zip_parts(parts: list[tuple[str, bytes]]) -> bytes:
    """Zip parts in the given order with fixed metadata, so equal input gives equal bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            # ZipInfo records the building OS (0 on Windows, 3 elsewhere) and zipfile turns a zero
            # external_attr into 0o600: pin both, so every OS writes the same header bytes.
            info.create_system = 3
            info.external_attr = 0o644 << 16
            package.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def _write_atomically(target: Path, data: bytes) -> None:
    """Write data to a temporary file beside target, then move it into place in one step."""
    write_atomically(target, data, prefix=f".{target.name}.")
