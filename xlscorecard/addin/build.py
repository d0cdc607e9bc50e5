"""Build the xlscorecard Excel add-in (.xlam) from its text sources, on any OS and without Excel."""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import importlib.util
import io
import re
import tempfile
import zipfile
from importlib.resources.abc import Traversable
from pathlib import Path

from xlscorecard.atomic import write_atomically
from xlscorecard.core.errors import ScorecardError

ADDIN_NAME = "xlscorecard.xlam"
# The text sources ship inside the package (xlscorecard/addin/macros/), so a wheel carries them.
MACROS_DIR: Traversable = importlib.resources.files("xlscorecard.addin").joinpath("macros")
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
# That module reads its settings from %USERPROFILE%\.<PROJECT_NAME>\<PROJECT_NAME>.conf (macOS:
# <PROJECT_NAME>.conf in Excel's sandbox home), a "<PROJECT_NAME>.conf" file beside the workbook
# and a "<PROJECT_NAME>.conf" sheet: with our own name the add-in reads only its own settings, never
# the analyst's xlwings.conf (their UDF server, conda environment or interpreter for other tools).
PROJECT_NAME = "xlscorecard"
_PROJECT_NAME_TEMPLATE = 'Public Const PROJECT_NAME As String = "myaddin"'
_PROJECT_NAME_OURS = f'Public Const PROJECT_NAME As String = "{PROJECT_NAME}"'
# RunPython puts the active workbook's folder first on sys.path by default, so a "xlscorecard.py"
# or "pandas.py" beside a scorecard would be imported instead of ours: always off.
_WORKBOOK_PATH_TEMPLATE = 'AddExcelDir = GetConfig("ADD_WORKBOOK_TO_PYTHONPATH", "true")'
_WORKBOOK_PATH_OURS = 'AddExcelDir = "false"'
OFFICE_TYPELIB_GUID = "{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}"  # declares IRibbonControl

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
    sources: Traversable = Path(macros_dir) if macros_dir is not None else MACROS_DIR
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
    """Return the installed xlwings' custom-add-in VBA module, set to read only the add-in's own settings."""
    path = xlwings_package_dir() / XLWINGS_ADDIN_BAS
    text = _normalise_newlines(_read_text(path, "cp1252"), "\r\n")
    version = importlib.metadata.version("xlwings")
    # RunPython refuses to run when its VBA and the Python package disagree on the version.
    if f'Public Const XLWINGS_VERSION As String = "{version}"' not in text:
        raise ScorecardError(f"this VBA module is not from xlwings {version}", path)
    if text.count(_PROJECT_NAME_TEMPLATE) != 1:
        raise ScorecardError("the PROJECT_NAME line of xlwings' add-in VBA has changed", path)
    if _WORKBOOK_PATH_TEMPLATE not in text:
        raise ScorecardError("the ADD_WORKBOOK_TO_PYTHONPATH line of xlwings' add-in VBA has changed", path)
    text = text.replace(_WORKBOOK_PATH_TEMPLATE, _WORKBOOK_PATH_OURS)
    return text.replace(_PROJECT_NAME_TEMPLATE, _PROJECT_NAME_OURS)


def _read_text(path: Traversable, encoding: str) -> str:
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
