"""Direction of travel: the arrow from the previous quarter to the reporting one (DESIGN 6)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from xlscorecard.records import Record
from xlscorecard.targets import Polarity
from xlscorecard.values import Observation, format_number


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"
    SAME = "same"


class Meaning(StrEnum):
    IMPROVING = "improving"
    WORSENING = "worsening"
    SAME = "same"


@dataclass(slots=True, unsafe_hash=True, kw_only=True)
class TravelResult(Record):
    """Arrow direction and what it means for this indicator, with a one-line explanation (immutable)."""

    direction: Direction | None
    meaning: Meaning | None
    previous_period: str | None = None
    change: float | None = None
    percent_change: float | None = None
    explanation: str


# Every arrow family analysts type, including Wingdings letters (é ê è in a Wingdings cell).
_ARROWS: dict[str, Direction] = {
    **dict.fromkeys(["↑", "⬆", "▲", "⇧", "↗", "🡅", "é", "up", "increase", "higher"], Direction.UP),
    **dict.fromkeys(["↓", "⬇", "▼", "⇩", "↘", "🡇", "ê", "down", "decrease", "lower"], Direction.DOWN),
    **dict.fromkeys(["→", "➡", "►", "▶", "⇨", "↔", "⟷", "è", "same", "no change", "static", "="], Direction.SAME),
}


def parse_travel_word(obs: Observation) -> Meaning | None:
    """A submitted travel word ("Improving", "Worsened", "Stable") -> what it means; else None."""
    from xlscorecard.reading.vocabulary import TRAVEL_WORDS

    word = TRAVEL_WORDS.get(" ".join((obs.raw or "").split()).lower().rstrip("."))
    return {"better": Meaning.IMPROVING, "worse": Meaning.WORSENING, "same": Meaning.SAME}.get(word or "")


def parse_arrow(obs: Observation) -> Direction | None:
    """A submitted arrow in any family -> Direction; blank or unknown -> None."""
    # Arrows pasted from the web or Teams carry an emoji variation selector ("⬆\ufe0f").
    text = (obs.raw or "").replace("\ufe0f", "").replace("\ufe0e", "").strip().lower()
    return _ARROWS.get(text) if text else None


def direction_of_travel(
    current: Observation,
    previous: Observation,
    polarity: Polarity | None,
    no_change_band: float,
    current_label: str,
    previous_label: str | None,
) -> TravelResult:
    """Compare two quarters: numeric direction, and meaning by polarity."""
    if previous_label is None:
        return TravelResult(
            direction=None, meaning=None, explanation=f"Not comparable: no quarter before {current_label}"
        )
    for obs, label in ((current, current_label), (previous, previous_label)):
        if not obs.is_numeric or obs.number is None:
            what = "blank" if obs.is_blank else obs.status.value.replace("-", " ")
            return TravelResult(
                direction=None,
                meaning=None,
                previous_period=previous_label,
                explanation=f"Not comparable: {label} value is {what}",
            )
    if current.unit != previous.unit:
        return TravelResult(
            direction=None,
            meaning=None,
            previous_period=previous_label,
            explanation=f"Not comparable: {previous.display()} and {current.display()} are in different units",
        )
    assert current.number is not None and previous.number is not None
    change = current.number - previous.number
    if previous.number == 0:
        pct = None if change else 0.0
        same = change == 0
    else:
        pct = change / abs(previous.number) * 100
        same = abs(pct) <= no_change_band + 1e-9
    direction = Direction.SAME if same else Direction.UP if change > 0 else Direction.DOWN
    if direction is Direction.SAME:
        meaning = Meaning.SAME
    elif polarity is None:
        meaning = None
    else:
        good_up = polarity == "high"
        meaning = Meaning.IMPROVING if (direction is Direction.UP) == good_up else Meaning.WORSENING
    moved = f"{previous.display()} to {current.display()}"
    pct_text = f" {pct:+.1f}%" if pct is not None else ""
    band = f" (within {format_number(no_change_band)}%)" if same and change else ""
    if meaning is Meaning.IMPROVING:
        why = f", improving ({polarity} is good)"
    elif meaning is Meaning.WORSENING:
        why = f", worsening ({polarity} is good)"
    else:
        why = "" if meaning is Meaning.SAME else ", no polarity"
    return TravelResult(
        direction=direction,
        meaning=meaning,
        previous_period=previous_label,
        change=change,
        percent_change=pct,
        explanation=f"{direction.value.capitalize()}{pct_text}{band}: {moved} since {previous_label}{why}",
    )
