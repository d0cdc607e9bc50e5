"""A workbook's cell styles as the reader needs them: each style's number format, font name and solid fill.

A cell names its style by position in styles.xml's cellXfs; a style names its number format by
id, either one the workbook defines (numFmt) or one of the built-in formats every spreadsheet
program knows without writing it down (ECMA-376 Part 1, 18.8.30). The built-in table is carried
here, so reading a workbook needs no openpyxl; it is the same table openpyxl uses (a test checks
it string for string), since the formats it gives reach the return as written.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from typing import Any

from xlscorecard.xlsx.parts import MAIN_NAMESPACES, parse_int, parse_part

__all__ = ["BUILTIN_FORMATS", "Styles", "read_styles"]

# Built-in number formats by id, as openpyxl.styles.numbers.BUILTIN_FORMATS spells them.
BUILTIN_FORMATS: dict[int, str] = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    5: '"$"#,##0_);("$"#,##0)',
    6: '"$"#,##0_);[Red]("$"#,##0)',
    7: '"$"#,##0.00_);("$"#,##0.00)',
    8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "mm-dd-yy",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "m/d/yy h:mm",
    37: "#,##0_);(#,##0)",
    38: "#,##0_);[Red](#,##0)",
    39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)",
    41: '_(* #,##0_);_(* \\(#,##0\\);_(* "-"_);_(@_)',
    42: '_("$"* #,##0_);_("$"* \\(#,##0\\);_("$"* "-"_);_(@_)',
    43: '_(* #,##0.00_);_(* \\(#,##0.00\\);_(* "-"??_);_(@_)',
    44: '_("$"* #,##0.00_)_("$"* \\(#,##0.00\\)_("$"* "-"??_)_(@_)',
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
    48: "##0.0E+0",
    49: "@",
}


@dataclass(frozen=True)
class Styles:
    """Per cell style index (cellXfs position): its number format, and its font name where not the default."""

    formats: dict[int, str] = field(default_factory=dict)
    fonts: dict[int, str] = field(default_factory=dict)
    fills: dict[int, str] = field(default_factory=dict)  # solid fill as 'RRGGBB' (a RAG given as a colour)
    count: int = 0  # cell styles the workbook defines; a cell naming another is damage

    @property
    def noted(self) -> frozenset[int]:
        return frozenset(self.formats) | frozenset(self.fonts) | frozenset(self.fills)


def read_styles(zf: zipfile.ZipFile, cap: int) -> Styles:
    """Each cell style's number format (when not General) and font name (when not the default font)."""
    if "xl/styles.xml" not in zf.namelist():
        return Styles()
    root = parse_part(zf, "xl/styles.xml", cap, "the styles")
    codes: dict[int, str] = dict(BUILTIN_FORMATS)
    fonts: list[str | None] = []
    fills: list[str | None] = []
    xfs: Any = None
    for ns in MAIN_NAMESPACES:
        for fmt in root.iter(f"{{{ns}}}numFmt"):
            number = parse_int(fmt.get("numFmtId"))
            if number is not None:
                codes[number] = fmt.get("formatCode") or "General"
        for fill_list in root.iter(f"{{{ns}}}fills"):
            for fill in fill_list:
                fills.append(solid_colour(fill))
        for font_list in root.iter(f"{{{ns}}}fonts"):
            for font in font_list:
                name = next((n.get("val") for n in font if n.tag.endswith("}name")), None)
                fonts.append(name)
        xfs = xfs if xfs is not None else next(root.iter(f"{{{ns}}}cellXfs"), None)
    default_font = fonts[0] if fonts else None
    formats: dict[int, str] = {}
    font_names: dict[int, str] = {}
    fill_colours: dict[int, str] = {}
    for index, xf in enumerate(xfs if xfs is not None else []):
        code = codes.get(parse_int(xf.get("numFmtId")) or 0)
        if code and code != "General":
            formats[index] = code
        font_id = parse_int(xf.get("fontId"))
        name = fonts[font_id] if font_id is not None and 0 <= font_id < len(fonts) else None
        if name and name != default_font:
            font_names[index] = name
        fill_id = parse_int(xf.get("fillId"))
        colour = fills[fill_id] if fill_id is not None and 0 <= fill_id < len(fills) else None
        if colour:
            fill_colours[index] = colour
    return Styles(formats, font_names, fill_colours, len(xfs) if xfs is not None else 0)


def solid_colour(fill: Any) -> str | None:
    """'RRGGBB' of a solid pattern fill given as an RGB colour; None for others (theme colours included)."""
    pattern = next((p for p in fill if p.tag.endswith("}patternFill")), None)
    if pattern is None or pattern.get("patternType") != "solid":
        return None
    colour = next((c for c in pattern if c.tag.endswith("}fgColor")), None)
    rgb = colour.get("rgb") if colour is not None else None
    if not rgb or len(rgb) not in (6, 8) or any(ch not in "0123456789abcdefABCDEF" for ch in rgb):
        return None
    return rgb[-6:].upper()
