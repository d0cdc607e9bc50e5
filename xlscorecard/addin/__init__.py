"""The Excel add-in: its ribbon buttons (run through xlwings' RunPython), its build and its install.

    buttons.py    what each button does: recompute, flag_cells, clear_flags, check, export_return
    live.py       reading the live workbook (values and number formats, one call each)
    layout.py     the layout profile the buttons read it with (layout.toml beside it, or the LAYOUT setting)
    writeback.py  writing values back, leaving cells the buttons do not own as they were
    flags.py      which cells are flagged, and the record that undoes the flags
    formats.py    fills, fonts, notes and links in bulk through the add-in's VBA (desktop Excel)
    remote.py     the same on xlwings' remote engine
    oneline.py    one-line errors in Excel, never a traceback
    build.py      xlscorecard.xlam from the sources in macros/ (shipped inside this package)
    conf.py       the add-in's own settings file: where it is per platform, reading and setting a key
    install.py    installing: Excel's start-up folder and the settings file

The ribbon's VBA calls ``xlscorecard.addin.<button>()``: those names are kept here.
"""

from xlscorecard.addin.buttons import (
    ARROW_FONTS,
    FINDINGS_HEADER,
    RAG_FILLS,
    SCORECARD_RAG,
    check,
    clear_flags,
    export_return,
    flag_cells,
    recompute,
)
from xlscorecard.addin.flags import FLAG_FILLS, RECORD_HEADER
from xlscorecard.addin.formats import (
    ADDIN_BOOK,
    MAX_ADDRESS,
    NO_COLOUR,
    NOTE_PREFIX,
    VBA_APPLY,
    VBA_MODULE,
    VBA_PROCEDURES,
    VBA_READ,
    VBA_READ_CELL_FORMATS,
)
from xlscorecard.addin.live import FINDINGS_SHEET, RECORD_SHEET

__all__ = [
    "ADDIN_BOOK",
    "ARROW_FONTS",
    "FINDINGS_HEADER",
    "FINDINGS_SHEET",
    "FLAG_FILLS",
    "MAX_ADDRESS",
    "NOTE_PREFIX",
    "NO_COLOUR",
    "RAG_FILLS",
    "RECORD_HEADER",
    "RECORD_SHEET",
    "SCORECARD_RAG",
    "VBA_APPLY",
    "VBA_MODULE",
    "VBA_PROCEDURES",
    "VBA_READ",
    "VBA_READ_CELL_FORMATS",
    "check",
    "clear_flags",
    "export_return",
    "flag_cells",
    "recompute",
]
