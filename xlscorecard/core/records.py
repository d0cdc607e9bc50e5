"""Record: the base of the core's per-item data classes (periods, targets, findings, results).

A scorecard holds several of these per PI; on a 20,000-PI sheet pydantic models cost seconds to
build and a few hundred bytes of dictionaries each. The records are `@dataclass(slots=True)`
classes instead, with the two pydantic spellings the code and its callers use: `model_copy(update=...)`
and `model_dump(mode="json", exclude=...)`, whose output is what pydantic gave (enums as their
values in JSON mode, nested records as dictionaries, fields in declaration order).

Records are not frozen only because frozen slots dataclasses build slowly: treat them as
immutable and use `model_copy` to change one. They are not validated either: the core builds
them from values it has already parsed; user input (a rules file) is validated by pydantic in
settings.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from enum import Enum
from typing import Any, Literal, TypeVar

_R = TypeVar("_R", bound="Record")
_PLAIN = frozenset({str, int, float, bool, type(None)})


class Record:
    """Mix-in for slots dataclasses: pydantic's model_copy and model_dump."""

    __slots__ = ()

    def model_copy(self: _R, update: dict[str, Any] | None = None) -> _R:
        """A copy with some fields changed (dataclasses.replace, without its per-call introspection)."""
        cls = type(self)
        names = _INIT_NAMES.get(cls)
        if names is None:
            names = _INIT_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.init)  # type: ignore[arg-type]
        values = {name: getattr(self, name) for name in names}
        if update:
            values.update(update)
        return cls(**values)

    def field_values(self, exclude: Collection[str] = ()) -> dict[str, Any]:
        """The fields as a dictionary of their values as they are: model_dump without converting any."""
        return {name: getattr(self, name) for name in _field_names(type(self)) if name not in exclude}

    def model_dump(
        self, mode: Literal["python", "json"] = "python", exclude: Collection[str] | None = None
    ) -> dict[str, Any]:
        """The fields as a dictionary (nested records too); in JSON mode enums become their values."""
        json = mode == "json"
        out: dict[str, Any] = {}
        for name in _field_names(type(self)):
            if exclude and name in exclude:
                continue
            value = getattr(self, name)
            out[name] = value if value.__class__ in _PLAIN else dump(value, json)
        return out


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_INIT_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        # A record that is no dataclass names its fields; of a dataclass's fields, those whose name
        # starts with "_" are caches, not data (pydantic's private attributes).
        names = getattr(cls, "_record_fields", None) or tuple(
            f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")  # type: ignore[arg-type]
        )
        _FIELD_NAMES[cls] = names
    return names


def dump(value: Any, json: bool = True) -> Any:
    """A value as pydantic's model_dump gives it: records and dataclasses as dicts, enums by mode."""
    cls = value.__class__
    if cls in _PLAIN:
        return value
    if isinstance(value, Enum):
        return value._value_ if json else value
    if isinstance(value, Record):
        return value.model_dump(mode="json" if json else "python")
    if isinstance(value, dict):
        return {
            (k if k.__class__ in _PLAIN else dump(k, json)): (v if v.__class__ in _PLAIN else dump(v, json))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        items = [dump(v, json) for v in value]
        return items if json or isinstance(value, list) else tuple(items)
    if hasattr(value, "model_dump"):  # a pydantic model, known without importing pydantic
        return value.model_dump(mode="json" if json else "python")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name), json) for f in dataclasses.fields(value)}
    return value
