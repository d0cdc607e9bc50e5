"""Units: whether an indicator is a percentage, and its bare numbers scaled to match (DESIGN 4)."""

from __future__ import annotations

import re

from xlscorecard.core.targets import Target, TargetKind
from xlscorecard.core.values import Observation, Status, tidy_number

_PERCENT_MEASURE = re.compile(r"^\s*(?:%|percent(?:age)?\b|proportion\b)|\(%\)|\bpercentage of\b", re.I)
_COUNT_MEASURE = re.compile(r"^\s*(?:number|no\.|count|total|average|avg|rate|mean|median)\b", re.I)


def _bare_numbers(obs: Observation) -> list[float]:
    if obs.unit is not None:
        return []
    if obs.status is Status.RANGE:
        return [n for n in (obs.low, obs.high) if n is not None]
    return [obs.number] if obs.number is not None else []


def _as_percent(obs: Observation, scale: bool, in_place: bool) -> Observation:
    if obs.unit is not None or not (obs.number is not None or obs.status is Status.RANGE):
        return obs
    k = 100.0 if scale else 1.0
    number = None if obs.number is None else tidy_number(obs.number * k)
    low, high = obs.low, obs.high
    if low is not None:
        low = tidy_number(low * k)
    if high is not None:
        high = tidy_number(high * k)
    if not in_place:
        return obs.model_copy(update={"unit": "%", "number": number, "low": low, "high": high})
    obs.unit = "%"
    obs.number = number
    if low is not None or high is not None:  # None stays None
        obs.low, obs.high = low, high
    return obs


def infer_units(
    measure: str,
    values: dict[str, Observation],
    stat_neighbour: Observation,
    national: Observation,
    target: Target,
    formats_known: bool = True,
    *,
    in_place: bool = False,
    stated_percent: bool = False,
) -> tuple[str | None, dict[str, Observation], Observation, Observation, Target]:
    """Decide whether an indicator is a percentage and give its bare numbers the unit.

    Without number formats (the live-Excel path), a percentage indicator whose bare numbers all
    lie within 0..1 holds fractions (Excel stores 31% as 0.31): those are scaled to percent.
    The arguments are not changed: what changes is returned as copies, unless `in_place` (for
    objects nobody else holds yet, as the row reader makes them), which changes them.
    """
    # Said by a unit column (`stated_percent`) or the measure's name, else by a value in %, else by
    # another figure in % (not for counts).
    is_percent = stated_percent or _PERCENT_MEASURE.search(measure) is not None
    if not is_percent:
        for o in values.values():
            if o.unit == "%":
                is_percent = True
                break
        else:
            explicit_other = "%" in (stat_neighbour.unit, national.unit, target.unit)
            is_percent = explicit_other and not _COUNT_MEASURE.search(measure)
    if not is_percent:
        return None, values, stat_neighbour, national, target

    scale_values = False
    if not formats_known:
        value_numbers = [n for o in values.values() for n in _bare_numbers(o)]
        scale_values = bool(value_numbers) and all(abs(n) <= 1 for n in value_numbers)

    def single_scale(obs: Observation) -> bool:
        return not formats_known and all(abs(n) <= 1 for n in _bare_numbers(obs)) and bool(_bare_numbers(obs))

    if in_place:
        for o in values.values():
            _as_percent(o, scale_values, True)
    else:
        values = {label: _as_percent(o, scale_values, False) for label, o in values.items()}
    stat_neighbour = _as_percent(stat_neighbour, single_scale(stat_neighbour), in_place)
    national = _as_percent(national, single_scale(national), in_place)
    if target.unit is None and target.kind in (TargetKind.VALUE, TargetKind.BOUND, TargetKind.RANGE):
        nums = [n for n in (target.value, target.low, target.high) if n is not None]
        k = 100.0 if not formats_known and nums and all(abs(n) <= 1 for n in nums) else 1.0
        update = {
            "unit": "%",
            "value": None if target.value is None else tidy_number(target.value * k),
            "low": None if target.low is None else tidy_number(target.low * k),
            "high": None if target.high is None else tidy_number(target.high * k),
        }
        if in_place:
            for name, value in update.items():
                setattr(target, name, value)
        else:
            target = target.model_copy(update=update)
    return "%", values, stat_neighbour, national, target


