"""A workbook package's small XML parts: parsed whole (defusedxml), damage and DTDs refused in words.

The workbook's sheet list and its relationships name each worksheet's part; the styles part is
read by `xlsx.styles`. Every part is inflated through `safety`'s byte cap first. Transitional and
Strict OOXML name the same elements in two namespaces: both are read alike.
"""

from __future__ import annotations

import posixpath
import zipfile
from typing import Any

from defusedxml import ElementTree

from xlscorecard.core.errors import UnsafeWorkbook, WorkbookError, shortened
from xlscorecard.xlsx.safety import open_zip_member_capped

__all__ = ["MAIN_NAMESPACES", "parse_int", "parse_part", "sheet_parts", "shown"]

# Transitional and Strict OOXML name the same elements in two namespaces.
MAIN_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
RELATIONSHIP_NAMESPACES = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHOWN_NAME = 60


def shown(text: str) -> str:
    """A name from the file as a message may show it: printable, at most 60 characters."""
    return shortened(text, SHOWN_NAME)


def parse_int(text: str | None) -> int | None:
    """An attribute's whole number, or None when missing or not a number."""
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def parse_part(zf: zipfile.ZipFile, name: str, cap: int, what: str) -> Any:
    """Part `name` as an element tree, inflated under `cap` bytes; `what` names it in refusals."""
    path = zf.filename or "workbook"
    try:
        return ElementTree.fromstring(open_zip_member_capped(zf, name, cap))
    except ElementTree.ParseError as exc:
        raise WorkbookError(
            f"workbook is damaged: {what} ({name}) is not valid XML ({exc}); open it in Excel and save it again", path
        ) from None
    except (ValueError, TypeError) as exc:  # defusedxml's refusals of DTDs and entities
        raise UnsafeWorkbook(f"{what} ({name}) declares a DTD or entities, which are refused", path) from exc


def sheet_parts(zf: zipfile.ZipFile, cap: int) -> list[tuple[str, str]]:
    """(sheet name, part path) of every worksheet, in workbook order."""
    path = zf.filename or "workbook"
    workbook = parse_part(zf, "xl/workbook.xml", cap, "the workbook's sheet list")
    rels_name = "xl/_rels/workbook.xml.rels"
    if rels_name not in zf.namelist():
        raise WorkbookError(
            "workbook is damaged: it has no list of its parts (xl/_rels/workbook.xml.rels);"
            " open it in Excel and save it again",
            path,
        )
    rels = parse_part(zf, rels_name, cap, "the workbook's list of parts")
    targets = {r.get("Id"): r.get("Target") or "" for r in rels.iter(f"{{{PACKAGE_RELATIONSHIPS}}}Relationship")}
    out = []
    for ns in MAIN_NAMESPACES:
        for sheet in workbook.iter(f"{{{ns}}}sheet"):
            rel_id = next(
                (sheet.get(f"{{{rns}}}id") for rns in RELATIONSHIP_NAMESPACES if sheet.get(f"{{{rns}}}id")), None
            )
            target = targets.get(rel_id)
            if target is None:
                continue
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            out.append((sheet.get("name") or "", part))
    return out
