"""Malformed and oddly serialised variants of the example workbook, built from a seed.

`variants(sources, seed)` yields (name, bytes) pairs: zip byte flips and truncations, XML mutations,
cells outside Excel's grid, lying counts, styles and workbook part mutations, merged-cell chaos,
other formats renamed .xlsx, encrypted files and macro parts. The same seed gives the same files,
so a failure names a variant that can be rebuilt. `reserialised` writes a workbook's XML again with
an `x:` namespace prefix and single-quoted attributes, as other writers (the Open XML SDK) do.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable, Iterator
from xml.etree import ElementTree as ET

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML = "http://www.w3.org/XML/1998/namespace"  # xml:space; bound by definition, never declared
SHEET = "xl/worksheets/sheet2.xml"  # the scorecard sheet of the example (sheet1 is a contents page)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

Parts = dict[str, bytes]
Mutation = Callable[[Parts, random.Random], None]


# ------------------------------------------------------------------ zip helpers


def read_parts(data: bytes) -> Parts:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def write_parts(parts: Parts) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


def sheet_part(parts: Parts) -> str:
    """The largest worksheet part: the scorecard."""
    sheets = [n for n in parts if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    return max(sheets, key=lambda n: len(parts[n]))


def _edit(parts: Parts, name: str, change: Callable[[str], str]) -> None:
    if name in parts:
        parts[name] = change(parts[name].decode("utf-8")).encode("utf-8")


def _sheet(parts: Parts, change: Callable[[str], str]) -> None:
    _edit(parts, sheet_part(parts), change)


def _append_rows(xml: str, rows: str) -> str:
    if "</sheetData>" in xml:
        return xml.replace("</sheetData>", rows + "</sheetData>", 1)
    return xml.replace("<sheetData/>", f"<sheetData>{rows}</sheetData>", 1)


def _add_merges(xml: str, refs: list[str]) -> str:
    cells = "".join(f'<mergeCell ref="{ref}"/>' for ref in refs)
    if "<mergeCells" in xml:
        return re.sub(r"(<mergeCells[^>]*>)", r"\1" + cells, xml, count=1)
    return re.sub(
        r"(</sheetData>|<sheetData/>)", r"\1" + f'<mergeCells count="{len(refs)}">{cells}</mergeCells>', xml, count=1
    )


# ------------------------------------------------------------------ re-serialising


def reserialised(data: bytes) -> bytes:
    """The same workbook with every XML part written with prefixes (x:, r:) and single-quoted attributes."""
    parts = read_parts(data)
    for name, raw in parts.items():
        if name.endswith((".xml", ".rels")) and raw.strip():
            parts[name] = _prefixed(ET.fromstring(raw))
    return write_parts(parts)


def _prefixed(root: ET.Element) -> bytes:
    prefixes: dict[str, str] = {MAIN: "x", REL: "r", XML: "xml"}

    def qname(tag: str) -> str:
        if tag.startswith("{"):
            uri, local = tag[1:].split("}", 1)
            prefix = prefixes.setdefault(uri, f"ns{len(prefixes)}")
            return f"{prefix}:{local}"
        return tag

    def quoted(value: str) -> str:
        return (
            "'"
            + value.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace("'", "&apos;")
            .replace("\n", "&#10;")
            .replace("\r", "&#13;")
            .replace("\t", "&#9;")
            + "'"
        )

    def text(value: str | None) -> str:
        return (value or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def walk(el: ET.Element) -> str:
        attrs = "".join(f" {qname(k)}={quoted(v)}" for k, v in el.attrib.items())
        inner = text(el.text) + "".join(walk(child) + text(child.tail) for child in el)
        tag = qname(el.tag)
        return f"<{tag}{attrs}>{inner}</{tag}>" if inner else f"<{tag}{attrs}/>"

    body = walk(root)
    root_tag = "<" + qname(root.tag)
    declarations = "".join(f" xmlns:{p}={quoted(uri)}" for uri, p in prefixes.items() if uri != XML)
    body = body.replace(root_tag, root_tag + declarations, 1)
    return ("<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n" + body).encode("utf-8")


# ------------------------------------------------------------------ mutation families


def far_cells() -> list[tuple[str, Mutation]]:
    rows = {
        "far-XFD1048576": '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
        "far-A1048576": '<row r="1048576"><c r="A1048576"><v>1</v></c></row>',
        "far-row-of-16384": '<row r="140">'
        + "".join(f'<c r="{_col(i)}140"><v>{i}</v></c>' for i in range(1, 16385, 97))
        + '<c r="XFD140"><v>1</v></c></row>',
        "outside-XFE1048577": '<row r="140"><c r="XFE1048577"><v>1</v></c></row>',
        "outside-A99999999999": '<row r="140"><c r="A99999999999"><v>1</v></c></row>',
        "outside-A0": '<row r="140"><c r="A0"><v>1</v></c></row>',
        "outside-letters-only": '<row r="140"><c r="ZZ"><v>1</v></c></row>',
        "outside-AAAA1": '<row r="140"><c r="AAAA1"><v>1</v></c></row>',
        "outside-negative": '<row r="140"><c r="A-5"><v>1</v></c></row>',
        "outside-row-1048577": '<row r="1048577"><c r="A140"><v>1</v></c></row>',
        "outside-row-0": '<row r="0"><c r="B140"><v>1</v></c></row>',
        "outside-row-text": '<row r="abc"><c r="B140"><v>1</v></c></row>',
        "styled-far-XFD1048576": '<row r="1048576"><c r="XFD1048576" s="1"/></row>',
        "styled-far-A1048576": '<row r="1048576"><c r="A1048576" s="1"/></row>',
        "far-error-cell": '<row r="1048576"><c r="XFD1048576" t="e"><v>#REF!</v></c></row>',
        "far-shared-string": '<row r="1048576"><c r="XFD1048576" t="s"><v>0</v></c></row>',
        "far-formula": '<row r="1048576"><c r="XFD1048576"><f>1+1</f></c></row>',
        "address-less-far": '<row r="1048576">' + "<c><v>1</v></c>" * 3 + "</row>",
        "address-less-past-XFD": '<row r="150">' + "<c><v>1</v></c>" * 16390 + "</row>",
        "dollar-refs": '<row r="140"><c r="$B$140"><v>1</v></c></row>',
        "lower-case-ref": '<row r="141"><c r="b141"><v>1</v></c></row>',
    }
    return [
        (name, lambda p, r, rows_xml=xml: _sheet(p, lambda s: _append_rows(s, rows_xml))) for name, xml in rows.items()
    ]


def lying_counts() -> list[tuple[str, Mutation]]:
    def sst(value: str) -> Mutation:
        def change(p: Parts, r: random.Random) -> None:
            _edit(p, "xl/sharedStrings.xml", lambda s: re.sub(r'uniqueCount="[^"]*"', f'uniqueCount="{value}"', s))

        return change

    def sst_count(value: str) -> Mutation:
        def change(p: Parts, r: random.Random) -> None:
            _edit(p, "xl/sharedStrings.xml", lambda s: re.sub(r' count="[^"]*"', f' count="{value}"', s, count=1))

        return change

    def dim(value: str) -> Mutation:
        return lambda p, r: _sheet(p, lambda s: re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{value}"', s))

    def xfs_count(value: str) -> Mutation:
        return lambda p, r: _edit(
            p, "xl/styles.xml", lambda s: re.sub(r'<cellXfs count="[^"]*"', f'<cellXfs count="{value}"', s)
        )

    out: list[tuple[str, Mutation]] = []
    for value in ("4000000000", "99999999999999999999", "1000000", "-1", "abc", "0", "377"):
        out.append((f"sst-uniqueCount-{value}", sst(value)))
    for value in ("4000000000", "-5", "x"):
        out.append((f"sst-count-{value}", sst_count(value)))
    for value in ("A1:XFD1048576", "A1:A1", "XFE1:XFE2", "garbage", ""):
        out.append((f"dimension-{value or 'empty'}", dim(value)))
    for value in ("4000000000", "0", "-1"):
        out.append((f"cellXfs-count-{value}", xfs_count(value)))
    out.append(
        (
            "sst-items-removed",
            lambda p, r: _edit(
                p, "xl/sharedStrings.xml", lambda s: re.sub(r"<si>.*?</si>", "", s, count=200, flags=re.S)
            ),
        )
    )
    out.append(
        (
            "sst-emptied",
            lambda p, r: _edit(p, "xl/sharedStrings.xml", lambda s: re.sub(r"<si>.*</si>", "", s, flags=re.S)),
        )
    )
    out.append(
        (
            "sst-index-past-end",
            lambda p, r: _sheet(p, lambda s: re.sub(r'(t="s"[^>]*><v>)\d+', r"\g<1>999999999", s, count=5)),
        )
    )
    return out


def style_mutations() -> list[tuple[str, Mutation]]:
    def styles(change: Callable[[str], str]) -> Mutation:
        return lambda p, r: _edit(p, "xl/styles.xml", change)

    out: list[tuple[str, Mutation]] = [
        ("styles-removed", lambda p, r: p.pop("xl/styles.xml", None)),
        ("styles-empty", lambda p, r: p.__setitem__("xl/styles.xml", b"")),
        ("styles-not-xml", lambda p, r: p.__setitem__("xl/styles.xml", b"<styleSheet><numFmts>")),
        ("styles-cellXfs-removed", styles(lambda s: re.sub(r"<cellXfs.*?</cellXfs>", "", s, flags=re.S))),
        ("styles-fonts-removed", styles(lambda s: re.sub(r"<fonts.*?</fonts>", "", s, flags=re.S))),
        ("styles-numFmts-removed", styles(lambda s: re.sub(r"<numFmts.*?</numFmts>", "", s, flags=re.S))),
        ("styles-numFmtId-text", styles(lambda s: s.replace('numFmtId="9"', 'numFmtId="nine"'))),
        ("styles-numFmtId-huge", styles(lambda s: s.replace('numFmtId="9"', 'numFmtId="99999999999999999999"'))),
        ("styles-formatCode-garbage", styles(lambda s: re.sub(r'formatCode="[^"]*"', 'formatCode="[[[;;;@@"', s))),
        ("styles-fontId-huge", styles(lambda s: s.replace('fontId="1"', 'fontId="4000000000"'))),
        ("styles-fontId-negative", styles(lambda s: s.replace('fontId="0"', 'fontId="-3"'))),
        (
            "styles-wingdings-font",
            styles(
                lambda s: s.replace(
                    '<b val="1" /><sz val="14" />', '<name val="Wingdings"/><b val="1" /><sz val="14" />'
                )
            ),
        ),
        ("styles-doctype", styles(lambda s: '<!DOCTYPE x [<!ENTITY a "aaaa">]>' + s)),
    ]
    for value in ("99999999999999999999", "5000", "-1", "x", "1e3", "07"):
        out.append(
            (
                f"cell-style-{value}",
                lambda p, r, v=value: _sheet(p, lambda s: re.sub(r' s="\d+"', f' s="{v}"', s, count=3)),
            )
        )
    return out


def workbook_mutations() -> list[tuple[str, Mutation]]:
    def wb(change: Callable[[str], str]) -> Mutation:
        return lambda p, r: _edit(p, "xl/workbook.xml", change)

    def rels(change: Callable[[str], str]) -> Mutation:
        return lambda p, r: _edit(p, "xl/_rels/workbook.xml.rels", change)

    def drop(name: str) -> Mutation:
        return lambda p, r: p.pop(name, None)

    return [
        ("workbook-removed", drop("xl/workbook.xml")),
        ("workbook-rels-removed", drop("xl/_rels/workbook.xml.rels")),
        ("package-rels-removed", drop("_rels/.rels")),
        ("content-types-removed", drop("[Content_Types].xml")),
        ("content-types-cut", lambda p, r: p.__setitem__("[Content_Types].xml", p["[Content_Types].xml"][:150])),
        ("content-types-empty", lambda p, r: p.__setitem__("[Content_Types].xml", b"")),
        ("sheet-part-removed", lambda p, r: p.pop(sheet_part(p), None)),
        (
            "all-sheets-very-hidden",
            wb(lambda s: re.sub(r"<sheet ", '<sheet state="veryHidden" ', re.sub(r' state="[^"]*"', "", s))),
        ),
        (
            "all-sheets-hidden",
            wb(lambda s: re.sub(r"<sheet ", '<sheet state="hidden" ', re.sub(r' state="[^"]*"', "", s))),
        ),
        ("duplicate-sheet-names", wb(lambda s: s.replace('name="Contents"', 'name="Q2 2018-19"'))),
        ("empty-sheet-name", wb(lambda s: s.replace('name="Contents"', 'name=""'))),
        ("sheet-rid-missing", wb(lambda s: re.sub(r'r:id="[^"]*"', 'r:id="rId99"', s))),
        ("sheets-removed", wb(lambda s: re.sub(r"<sheets>.*?</sheets>", "<sheets/>", s, flags=re.S))),
        ("workbook-not-xml", wb(lambda s: s[: len(s) // 2])),
        ("workbook-doctype", wb(lambda s: '<!DOCTYPE w SYSTEM "http://example.invalid/x.dtd">' + s)),
        ("rels-target-absolute", rels(lambda s: s.replace('Target="worksheets/', 'Target="/xl/worksheets/'))),
        ("rels-target-outside", rels(lambda s: s.replace('Target="worksheets/', 'Target="../../../../etc/'))),
        ("rels-target-empty", rels(lambda s: re.sub(r'Target="worksheets/[^"]*"', 'Target=""', s))),
        ("rels-not-xml", rels(lambda s: s[:40])),
        (
            "defined-name-garbage",
            wb(
                lambda s: s.replace(
                    "</sheets>",
                    "</sheets><definedNames><definedName name=\"x\">'Q2 2018-19'!$A$1:$XFD$1048576"
                    "</definedName></definedNames>",
                )
            ),
        ),
        (
            "sheet-is-chartsheet-type",
            lambda p, r: _edit(p, "[Content_Types].xml", lambda s: s.replace("worksheet+xml", "chartsheet+xml")),
        ),
    ]


def merge_chaos(rng: random.Random, count: int) -> list[tuple[str, Mutation]]:
    fixed = {
        "merge-whole-sheet": ["A1:XFD1048576"],
        "merge-whole-columns": ["K1:K1048576"],
        "merge-whole-rows": ["A7:XFD7"],
        "merge-header-quarters": ["J5:K5"],
        "merge-entry-column-rows": ["L7:L9", "L20:L21"],
        "merge-rag-arrow": ["O7:P7", "O8:P8"],
        "merge-comment-rows": ["Q10:Q12"],
        "merge-title": ["A3:S3"],
        "merge-overlapping": ["B7:D9", "C8:E10"],
        "merge-reversed": ["D9:B7"],
        "merge-bad-ref": ["A1:"],
        "merge-outside-grid": ["A1:XFE1048577"],
        "merge-garbage": ["hello"],
        "merge-single-cell": ["C7"],
        "merge-many-small": [f"A{r}:B{r}" for r in range(140, 2140)],
    }
    out: list[tuple[str, Mutation]] = [
        (name, lambda p, r, refs=refs: _sheet(p, lambda s: _add_merges(s, refs))) for name, refs in fixed.items()
    ]
    for i in range(count):
        refs = []
        for _ in range(rng.randint(1, 6)):
            r1, c1 = rng.randint(1, 140), rng.randint(1, 20)
            refs.append(f"{_col(c1)}{r1}:{_col(c1 + rng.randint(0, 4))}{r1 + rng.randint(0, 6)}")
        out.append((f"merge-random-{i}", lambda p, r, refs=refs: _sheet(p, lambda s: _add_merges(s, refs))))
    return out


def xml_mutations(rng: random.Random, count: int) -> list[tuple[str, Mutation]]:
    """Random damage to one XML part: cuts, duplicated slices, stray markup, changed attributes."""
    junk = [
        "<",
        "&",
        "</c>",
        "<c>",
        "<row>",
        "]]>",
        "<!--",
        "\x00",
        "\ufffe",
        "<v>",
        "&bogus;",
        '"',
        "'",
        "<x:c r='A1'>",
        '<c r="A1" t="e"><v>#DIV/0!</v></c>',
        "<is><t>x</t></is>",
    ]

    def make(seed: int) -> Mutation:
        def change(p: Parts, _: random.Random) -> None:
            r = random.Random(seed)
            names = [n for n in p if n.endswith((".xml", ".rels"))]
            name = sheet_part(p) if r.random() < 0.6 else r.choice(names)
            data = p[name]
            n = len(data)
            kind = r.randrange(6)
            at = r.randrange(max(n, 1))
            if kind == 0:
                data = data[:at] + data[at + r.randint(1, 200) :]
            elif kind == 1:
                size = r.randint(1, 2000)
                data = data[:at] + data[at : at + size] * r.randint(2, 5) + data[at:]
            elif kind == 2:
                data = data[:at] + r.choice(junk).encode("utf-8") + data[at:]
            elif kind == 3:
                text = data.decode("utf-8", "replace")
                attrs = list(re.finditer(r'(\w+)="([^"]*)"', text))
                if attrs:
                    m = r.choice(attrs)
                    value = r.choice(
                        ["", "-1", "99999999999999999999", "A0", "XFD1048576", "\u00e9", "1e308", "x" * 300]
                    )
                    text = text[: m.start(2)] + value + text[m.end(2) :]
                data = text.encode("utf-8")
            elif kind == 4:
                data = data[:at]
            else:
                data = bytes(b ^ 0xFF if r.random() < 0.002 else b for b in data)
            p[name] = data

        return change

    return [(f"xml-random-{i}", make(rng.randrange(1 << 30))) for i in range(count)]


def byte_damage(rng: random.Random, data: bytes, flips: int, cuts: int) -> list[tuple[str, bytes]]:
    out = []
    for i in range(flips):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(damaged))
            damaged[at] = rng.randrange(256)
        out.append((f"byte-flip-{i}", bytes(damaged)))
    for i in range(cuts):
        out.append((f"truncated-{i}", data[: rng.randrange(1, len(data))]))
    return out


def other_formats(example: bytes) -> list[tuple[str, bytes]]:
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    xlsb = io.BytesIO()
    with zipfile.ZipFile(xlsb, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.bin", b"\x83\x01\x00")
    parts = read_parts(example)
    macro = dict(parts, **{"xl/vbaProject.bin": OLE2_MAGIC + b"\x00" * 600})
    hidden_macro = dict(parts, **{"customXml/item9/vbaProject.bin": b"x" * 100})
    macrosheet = dict(parts, **{"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"})
    encrypted = (
        OLE2_MAGIC
        + b"\x00" * 504
        + "EncryptionInfo".encode("utf-16-le")
        + b"\x00" * 200
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 1000
    )
    return [
        ("xls-renamed", OLE2_MAGIC + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 2000),
        ("encrypted", encrypted),
        ("ods-renamed", ods.getvalue()),
        ("xlsb-renamed", xlsb.getvalue()),
        ("csv-renamed", b"PI Ref,Measure,Qu 2 18-19\n1.1,Number of contacts,2200\n"),
        ("html-renamed", b"<html><body><table><tr><td>PI Ref</td><td>Measure</td></tr></table></body></html>"),
        ("empty-file", b""),
        ("zip-empty", write_parts({})),
        ("macro-vbaproject", write_parts(macro)),
        ("macro-hidden-vbaproject", write_parts(hidden_macro)),
        ("macro-sheet", write_parts(macrosheet)),
        ("text-garbage", bytes(random.Random(5).randrange(256) for _ in range(4000))),
    ]


def _col(index: int) -> str:
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# ------------------------------------------------------------------ all of them


def variants(sources: dict[str, bytes], seed: int = 14) -> Iterator[tuple[str, bytes]]:
    """Every variant, named `<source>-<mutation>`; `sources` maps a name to a good workbook's bytes."""
    rng = random.Random(seed)
    structural = far_cells() + lying_counts() + style_mutations() + workbook_mutations()
    for source, data in sources.items():
        yield from ((f"{source}-{name}", damaged) for name, damaged in byte_damage(rng, data, 25, 10))
        for name, mutate in structural + merge_chaos(rng, 10) + xml_mutations(rng, 30):
            parts = read_parts(data)
            mutate(parts, rng)
            yield f"{source}-{name}", write_parts(parts)
        yield f"{source}-reserialised", reserialised(data)
    first = next(iter(sources.values()))
    yield from other_formats(first)
