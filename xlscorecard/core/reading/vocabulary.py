"""The reader's vocabulary as data: header wording -> column role, and cell words or glyphs -> meaning.

Adding a council's wording is one line in a table below. Header text is compared normalised
(lower case, single spaces, "&" as "and", a trailing colon dropped, a year such as "2018/19"
taken off either end: "Target 2018/19" is a target, "England 2017/18" a national figure).
"""

from __future__ import annotations

import re

from xlscorecard.core.grid import CellValue

# Role names, as used in layout profiles and `xlscorecard layout`.
ROLES = (
    "ref", "measure", "section", "lead", "polarity", "stat_neighbour", "national", "regional", "benchmark",
    "target", "floor", "band_red", "band_amber", "band_green", "rag", "travel", "travel_year", "data_period",
    "period", "value", "comments", "unit", "ignore",
)  # fmt: skip

# Whole header wordings -> role.
HEADER_WORDS: dict[str, str] = {}
_TABLE: dict[str, tuple[str, ...]] = {
    "ref": (
        "ref", "ref.", "reference", "no", "no.", "number", "id", "code", "pi", "pi ref", "pi ref.", "pi no",
        "pi no.", "pi number", "kpi ref", "kpi ref.", "kpi no", "kpi no.", "kpi code", "pi code", "kpi id", "pi id",
        "indicator ref", "indicator no", "indicator no.", "indicator id", "indicator code", "measure ref",
        "measure code", "ref no", "ref no.", "pi reference",
    ),
    "measure": (
        "measure", "measures", "indicator", "indicators", "performance indicator", "performance indicators",
        "key performance indicator", "key performance indicators", "description", "pi description",
        "kpi description", "measure description", "indicator description", "indicator name", "measure name",
        "title", "short name", "name", "kpi", "pi name", "kpi name", "performance measure", "metric", "kpi title",
    ),
    "section": ("service area", "service", "area", "theme", "directorate", "priority", "outcome", "section"),
    "lead": (
        "lead", "lead for comments", "lead officer", "lead manager", "lead contact", "lead person",
        "responsible officer", "owner", "pi owner", "kpi owner", "accountable officer", "officer",
        "responsible manager", "head of service",
    ),
    "polarity": (
        "polarity", "good is", "good performance is", "higher is better?", "higher is better", "is higher better?",
        "direction of improvement", "is high good?", "is high good", "is higher good?", "is low good?",
        "is lower good?", "good performance", "desired direction", "what good looks like", "better is",
        "aim", "aim to be", "aim for", "better", "good to be", "preferred direction", "target direction",
        "high/low", "high or low", "higher or lower", "high/low is good", "higher/lower is better",
        "is bigger better?", "is high better?", "is higher better", "high or low is good",
    ),
    "stat_neighbour": (
        "stat neighbour", "stat neighbours", "stat neighbour average", "statistical neighbour",
        "statistical neighbours", "statistical neighbour average", "stat neighbour av", "stat neigh av",
        "stat neigh", "sn", "sn av", "sn avg", "stat neigh avg", "stat neighbour avg",
        "sn average", "stat. neighbour", "stat neighbours av", "stat neighbours average",
        "comparator", "comparator average", "stat neighbor average", "statistical neighbor average",
    ),
    "national": (
        "national", "national av", "national average", "national avg", "england", "england av",
        "england average", "eng av", "eng", "england avg",
    ),
    "regional": ("regional", "regional average", "region", "regional av", "north west", "south east"),
    "benchmark": ("benchmark", "benchmarks", "comparator group"),
    "target": ("target", "targets", "annual target", "target / threshold", "target/threshold", "target value"),
    "floor": ("floor", "threshold", "tolerance", "minimum standard", "floor target", "intervention level"),
    "band_red": ("red", "red threshold", "red band"),
    "band_amber": ("amber", "amber threshold", "amber band"),
    "band_green": ("green", "green (target)", "green threshold", "green band"),
    "rag": ("rag", "rag rating", "rag status", "rating", "status", "rag rated", "performance status", "r/a/g"),
    "travel": (
        "dot", "d.o.t", "d.o.t.", "direction of travel", "quarterly direction of travel", "dir of travel",
        "quarterly dir of travel", "quarterly dir. of travel",
        "dir. of travel", "trend", "travel", "direction", "change", "short trend", "short trend (last quarter)",
        "trend (last quarter)", "since last quarter", "change since last quarter", "short term trend",
    ),
    "travel_year": (
        "long trend", "long trend (last year)", "trend (last year)", "since last year", "change since last year",
        "long term trend", "annual trend", "annual direction of travel",
    ),
    "data_period": ("data period", "period covered", "reporting basis", "data type", "frequency"),
    "unit": ("unit", "units", "unit of measure", "measure unit", "measure type", "value type", "type of measure"),
    "period": ("quarter", "period", "reporting period", "month", "time period", "date"),
    "value": ("value", "actual", "result", "performance", "outturn", "figure"),
    "comments": (
        "comment", "comments", "commentary", "narrative", "note", "notes", "analysis", "latest note",
        "remarks", "explanation", "comments / actions", "commentary and actions", "actions",
    ),
}
for _role, _words in _TABLE.items():
    for _word in _words:
        HEADER_WORDS[_word] = _role

# A heading that starts with one of these words names the measure column: "INDICATORS - EARLY HELP".
HEADING_PREFIXES: dict[str, str] = {"indicators": "measure", "indicator": "measure", "measures": "measure"}
# Roles that a year (or other words) may follow: "Target 2018/19", "England 2017/18", "Q3 target".
PREFIX_ROLES = ("target", "national", "stat_neighbour", "regional", "floor", "benchmark")

# Roles whose cells are text the return carries as written.
TEXT_ROLES = ("ref", "measure", "lead", "polarity", "comments")
# Roles of a long layout (one row per indicator per period).
LONG_ROLES = ("period", "value")

_YEAR_AT_END = re.compile(r"\s*\(?(?:\d{4}|\d{2})\s*[-/–]\s*(?:\d{4}|\d{2})\)?$|\s*\(?(?:19|20)\d{2}\)?$")
_YEAR_AT_START = re.compile(r"^\(?(?:\d{4}|\d{2})\s*[-/–]\s*(?:\d{4}|\d{2})\)?\s*")


def normalise_header(value: CellValue) -> str:
    """'Stat  Neigh Av ' -> 'stat neigh av'."""
    if not isinstance(value, str):
        return ""
    return " ".join(value.replace("\u00a0", " ").replace("&", " and ").split()).lower().strip(" :")


def role_of(value: CellValue) -> str | None:
    """The role a header wording names, or None."""
    text = normalise_header(value)
    if not text:
        return None
    role = HEADER_WORDS.get(text)
    if role is not None:
        return role
    bare = _YEAR_AT_START.sub("", _YEAR_AT_END.sub("", text)).strip(" -:")
    if bare != text and bare in HEADER_WORDS and HEADER_WORDS[bare] in (*PREFIX_ROLES, "rag", "comments"):
        return HEADER_WORDS[bare]
    first = text.split(" ", 1)[0]
    if first in PREFIX_ROLES and first in HEADER_WORDS and not text.endswith("?"):
        return HEADER_WORDS[first]  # "Target 2022/23", "Target (annual)"
    if first in HEADING_PREFIXES and (len(text) > len(first) and text[len(first)] in " -:"):
        return HEADING_PREFIXES[first]
    return None


# ---------------------------------------------------------------------------------------------
# Cell words. Polarity: the normalised text -> "high", "low", "target" (on target or inside the
# range is best) or "info" (for information: not rated, and no warning).
POLARITY_WORDS: dict[str, str] = {}
for _words, _meaning in (
    (
        "high, higher, h, high is good, good is high, higher is better, bigger is better, high is better, "
        "more is better, higher is good, up, increase, maximise, maximize, yes, y, bigger, more, "
        "higher = better, high = good, increasing, rising",
        "high",
    ),
    (
        "low, lower, l, low is good, good is low, lower is better, smaller is better, low is better, "
        "less is better, fewer is better, lower is good, down, decrease, minimise, minimize, no, n, smaller, "
        "less, fewer, lower = better, low = good, reducing, falling, decreasing",
        "low",
    ),
    ("t, target, on target, in range, within range, range, target is best, close to target", "target"),
    (
        "info, information, for information, data only, monitor, monitor only, monitoring, context, contextual, "
        "not applicable, for info",
        "info",
    ),
    ("n/a, na, none, neutral, no polarity, -, –, tbc", "none"),  # no polarity stated (as a blank)
):
    for _word in _words.split(", "):
        POLARITY_WORDS[_word] = _meaning
POLARITY_ARROWS = {"↑": "high", "⬆": "high", "▲": "high", "⇧": "high", "↓": "low", "⬇": "low", "▼": "low", "⇩": "low"}
POLARITY_WORDS.update(POLARITY_ARROWS)

# Symbol-font glyphs: (font, letter) -> the arrow it draws. Wingdings and Wingdings 3 use different
# letters for the same arrow, so the cell's font decides.
GLYPHS: dict[tuple[str, str], str] = {}
for _font, _letters in (
    ("wingdings", {"é": "up", "ê": "down", "è": "right", "ç": "left", "ì": "up", "î": "down", "í": "down",
                   "ë": "up", "ñ": "up", "ò": "down", "ð": "right", "ø": "right"}),
    ("wingdings 3", {"h": "up", "i": "down", "g": "right", "f": "left", "p": "up", "q": "down", "u": "right",
                     "Ç": "up", "È": "down", "Æ": "right", "Å": "right", "£": "up", "¤": "down"}),
    ("wingdings 2", {"": "up"}),
    ("webdings", {"5": "up", "6": "down", "4": "right"}),
    ("symbol", {"\xad": "up", "\xaf": "down", "®": "right"}),
):  # fmt: skip
    for _letter, _arrow in _letters.items():
        if _letter:
            GLYPHS[(_font, _letter)] = _arrow
# Unicode arrows any font draws.
ARROWS = {
    "↑": "up", "⬆": "up", "▲": "up", "△": "up", "⇧": "up", "↗": "up",
    "↓": "down", "⬇": "down", "▼": "down", "▽": "down", "⇩": "down", "↘": "down",
    "→": "right", "↔": "right", "⇨": "right", "►": "right", "▶": "right", "=": "right", "⟷": "right",
}  # fmt: skip


def glyph(value: CellValue, font: str | None) -> str | None:
    """'é' in Wingdings -> 'up'; '↑' in any font -> 'up'; else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if font is not None and (arrow := GLYPHS.get((font.strip().lower(), text))) is not None:
        return arrow
    return ARROWS.get(text)


# Travel words -> the direction of the figure or its meaning ("improving" is a meaning, not a direction).
TRAVEL_WORDS: dict[str, str] = {}
for _words, _meaning in (
    ("improved, improving, improved performance, better, improvement, getting better", "better"),
    ("worsened, worsening, declining, declined, worse, deteriorated, deteriorating, getting worse", "worse"),
    ("no change, stable, unchanged, same, static, steady, maintained, no significant change, level", "same"),
):
    for _word in _words.split(", "):
        TRAVEL_WORDS[_word] = _meaning

# Submitted RAG words -> rating.
RAG_WORDS: dict[str, str] = {}
for _words, _meaning in (
    ("red, r, not met, off target, missed, not achieved, below target, significantly off target", "red"),
    ("amber, a, partly met, close to target, nearly met, slightly off target, within tolerance", "amber"),
    ("green, g, on target, met, achieved, exceeded, target met, on track, above target, blue, b, "
     "exceeding target, exceeding", "green"),  # blue: a BRAG sheet's "exceeding", green on this scale
):
    for _word in _words.split(", "):
        RAG_WORDS[_word] = _meaning

# A unit column's words that say the indicator is a percentage.
PERCENT_UNITS = frozenset({"%", "percent", "percentage", "per cent", "%age", "proportion", "% rate"})

# Fill colours of a RAG cell with no text (RRGGBB, upper case) -> rating.
RAG_FILLS = {
    "FF0000": "red", "C00000": "red", "FF3300": "red", "FF5050": "red", "E6B8B7": "red", "FFC7CE": "red",
    "FFC000": "amber", "FFFF00": "amber", "FFBF00": "amber", "FF9900": "amber", "FFEB9C": "amber", "F79646": "amber",
    "00B050": "green", "00FF00": "green", "92D050": "green", "008000": "green", "C6EFCE": "green", "00B04F": "green",
    "0070C0": "green", "00B0F0": "green", "0000FF": "green",  # BRAG blue: exceeding the target
}  # fmt: skip

# Measures whose wording says which way is good, where the sheet does not (DESIGN 5).
LOW_IS_GOOD_WORDS = ("re-referral", "rereferral", "repeat", "missing", "exclusion", "neet", "re-offend",
                     "reoffend", "second or subsequent", "first time entrants", "placement moves")  # fmt: skip
HIGH_IS_GOOD_WORDS = ("within timescale", "timely", "good or outstanding", "attendance", "take-up",
                      "take up", "within 45 working days", "within 20 weeks",
                      "within 15 working days", "reviewed within")  # fmt: skip

# Data-period codes ("Data Period" column): what a value covers.
DATA_PERIOD_CODES = {"mst": "snapshot", "r12m": "rolling_12_months", "ytd": "year_to_date", "qtr": "quarter"}


def polarity_of(value: CellValue, font: str | None = None) -> tuple[str | None, bool]:
    """(polarity, understood): "high", "low", "target" or "info"; a glyph is read in its cell's font."""
    if value is None:
        return None, True
    if (arrow := glyph(value, font)) in ("up", "down"):
        return ("high" if arrow == "up" else "low"), True
    text = " ".join(str(value).split()).lower().rstrip(".")
    meaning = POLARITY_WORDS.get(text)
    if meaning is None and text.endswith(("is good", "is better")):
        meaning = POLARITY_WORDS.get(text.rsplit(" is ", 1)[0])
    if meaning == "none":
        return None, True
    return (meaning, True) if meaning is not None else (None, not text)


def polarity_from_measure(measure: str) -> str | None:
    """Well-known families say which way is good: re-referrals low, within timescale high (DESIGN 5)."""
    text = measure.lower()
    if any(word in text for word in LOW_IS_GOOD_WORDS):
        return "low"
    if any(word in text for word in HIGH_IS_GOOD_WORDS):
        return "high"
    return None
