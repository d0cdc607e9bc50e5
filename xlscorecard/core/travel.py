"""Direction of travel: the arrow from the previous quarter to the reporting one, and the same
comparison with the same period a year earlier where the sheet has it (DESIGN 6)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from xlscorecard.core.records import Record
from xlscorecard.core.targets import Polarity
from xlscorecard.core.values import Observation, format_number


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
    # The same period a year earlier (Q2 2017/18 for Q2 2018/19), where the sheet has it; else None.
    year_on_year: TravelResult | None = None

    @property
    def summary(self) -> str:
        """The arrow's explanation, then the year-on-year comparison where there is one."""
        if self.year_on_year is None:
            return self.explanation
        return f"{self.explanation}; {self.year_on_year.explanation}"


# Every arrow family analysts type, including Wingdings letters (é ê è in a Wingdings cell).
_ARROWS: dict[str, Direction] = {
    **dict.fromkeys(["↑", "⬆", "▲", "⇧", "↗", "🡅", "é", "up", "increase", "higher"], Direction.UP),
    **dict.fromkeys(["↓", "⬇", "▼", "⇩", "↘", "🡇", "ê", "down", "decrease", "lower"], Direction.DOWN),
    **dict.fromkeys(["→", "➡", "►", "▶", "⇨", "↔", "⟷", "è", "same", "no change", "static", "="], Direction.SAME),
}


def parse_travel_word(obs: Observation) -> Meaning | None:
    """A submitted travel word ("Improving", "Worsened", "Stable") -> what it means; else None."""
    from xlscorecard.core.reading.vocabulary import TRAVEL_WORDS

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
    period_word: str = "quarter",
) -> TravelResult:
    """Compare two periods (quarters, months...): numeric direction, and meaning by polarity.

    `period_word` names the granularity in the explanation when there is no previous period."""
    if previous_label is None:
        return TravelResult(
            direction=None, meaning=None, explanation=f"Not comparable: no {period_word} before {current_label}"
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


def year_on_year(
    current: Observation,
    earlier: Observation,
    polarity: Polarity | None,
    no_change_band: float,
    current_label: str,
    earlier_label: str | None,
) -> TravelResult | None:
    """The reporting period against the same period a year earlier: None where the sheet has no such
    period; compared as the arrow is (same no-change band, same meaning by polarity)."""
    if earlier_label is None:
        return None
    result = direction_of_travel(current, earlier, polarity, no_change_band, current_label, earlier_label)
    result.explanation = f"year on year: {result.explanation[0].lower()}{result.explanation[1:]}"
    return result


def arrow_disagreement(submitted: Observation, arrow: Direction | None, travel: TravelResult) -> str | None:
    """Why a submitted arrow or travel word disagrees with the computed travel; None when it agrees
    (or says nothing this reader understands). `arrow` is parse_arrow(submitted), worked out by the caller."""
    if not submitted.raw:
        return None
    if arrow is not None:
        if arrow == travel.direction:
            return None
        computed = travel.direction.value if travel.direction else "not comparable"
        return f"sheet shows {submitted.raw} ({arrow.value}), data says {computed}: {travel.explanation}"
    said = parse_travel_word(submitted)
    if said is not None and said is not Meaning.SAME and said != travel.meaning:
        computed = travel.meaning.value if travel.meaning else "not comparable"
        return f"sheet says {submitted.raw} ({said.value}), data says {computed}: {travel.explanation}"
    if said is Meaning.SAME and travel.direction is not Direction.SAME:
        computed = travel.direction.value if travel.direction else "not comparable"
        return f"sheet says {submitted.raw} (no change), data says {computed}: {travel.explanation}"
    return None
