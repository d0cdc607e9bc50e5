"""Every tunable rule in one place, loadable from TOML, with per-PI overrides (DESIGN 5-6).

The rules are frozen dataclasses: a run on the defaults (most runs) builds them without importing
pydantic, which costs a command about 0.2 s of CPU to import and to build a first schema. A rules
file is validated by pydantic (`TypeAdapter` over these same dataclasses), imported only then: each
field's type, its bounds (`Bound`) and `__pydantic_config__` are the whole specification.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from xlscorecard.core.errors import SettingsError

if TYPE_CHECKING:
    from pydantic import TypeAdapter


class ToleranceKind(StrEnum):
    RELATIVE = "relative"  # per cent of the target
    ABSOLUTE = "absolute"  # in the value's own units
    POINTS = "points"  # percentage points (percent indicators; others fall back to relative)


GLYPHS: dict[str, dict[str, str]] = {
    "arrows": {"up": "↑", "down": "↓", "same": "→"},
    "heavy": {"up": "⬆", "down": "⬇", "same": "➡"},
}

# An unknown option in a rules file is refused (each dataclass's `__pydantic_config__`); pydantic
# reports it for a dataclass as an "unexpected keyword argument": users are shown the words they
# have always been shown.
_MESSAGES = {"unexpected_keyword_argument": "Extra inputs are not permitted"}


@dataclass(frozen=True)
class Bound:
    """A bound on a numeric rule (ge: at least, gt: more than), checked when a rules file is read."""

    ge: float | None = None
    gt: float | None = None

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        """Pydantic's hook for custom metadata: the number's schema with this bound added."""
        bounds = {name: value for name, value in (("ge", self.ge), ("gt", self.gt)) if value is not None}
        return {**handler(source), **bounds}


@dataclass(frozen=True)
class Rules:
    """The rules that may differ per PI."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    tolerance_kind: ToleranceKind = field(
        default=ToleranceKind.RELATIVE,
        metadata={"description": "how a near miss is measured: relative, absolute or points"},
    )
    tolerance: Annotated[float, Bound(ge=0)] = field(
        default=10.0, metadata={"description": "Amber band: a miss within this is Amber, beyond it Red"}
    )
    zero_target_band: Annotated[float, Bound(ge=0)] = field(
        default=0.0, metadata={"description": "Amber band (absolute) when the target is zero"}
    )
    no_change_band: Annotated[float, Bound(ge=0)] = field(
        default=2.0, metadata={"description": "relative change (per cent) within which the arrow shows 'same'"}
    )
    dash_counts_as: Literal["not-available", "zero"] = field(
        default="not-available", metadata={"description": "what a lone dash means"}
    )
    profile_annual_targets: bool = field(
        default=False, metadata={"description": "scale annual targets of year-to-date counts by quarter (Q2 = half)"}
    )
    polarity: Literal["high", "low"] | None = field(
        default=None, metadata={"description": "force the polarity (overrides the sheet)"}
    )

    def __post_init__(self) -> None:
        # Rules built in code may name the kind by its word, as a rules file does: the rating code
        # compares kinds, not words.
        object.__setattr__(self, "tolerance_kind", ToleranceKind(self.tolerance_kind))


@dataclass(frozen=True)
class BenchmarkRules:
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    national: bool = field(default=True, metadata={"description": "compare the value with the national average"})
    stat_neighbour: bool = field(
        default=True, metadata={"description": "compare the value with the statistical neighbour average"}
    )
    total_ratio: Annotated[float, Bound(gt=1)] = field(
        default=20.0,
        metadata={
            "description": "a count benchmark this many times the largest local value is a total, not comparable"
        },
    )


@dataclass(frozen=True)
class Settings(Rules):
    """All rules: the defaults, the glyph set, benchmark rules and per-PI overrides keyed by PI ref."""

    glyphs: Literal["arrows", "heavy"] = field(
        default="arrows", metadata={"description": "arrow glyphs written: arrows (↑ ↓ →) or heavy (⬆ ⬇ ➡)"}
    )
    benchmarks: BenchmarkRules = field(default_factory=BenchmarkRules)
    pi: dict[str, dict[str, Any]] = field(
        default_factory=dict, metadata={"description": "per-PI overrides, keyed by PI ref"}
    )

    def for_pi(self, ref: str) -> Settings:
        """These settings with the overrides for one PI applied (validated as a rules file is)."""
        override = self.pi.get(ref)
        if not override:
            return self
        rules = _adapter(Rules).validate_python({**_rule_fields(self), **override})
        return replace(self, **_rule_fields(rules))

    @property
    def glyph(self) -> dict[str, str]:
        return GLYPHS[self.glyphs]

    def to_json(self) -> str:
        """Every rule as compact JSON, in field order: what batch's manifest hashes to see a change."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_toml(cls, text: str, source: str | None = None) -> Settings:
        """Parse TOML text; raise SettingsError with the first problem on one line."""
        import tomllib  # only a rules file needs the TOML parser: most commands run on the defaults

        from pydantic import ValidationError

        prefix: tuple[str, ...] = ()
        try:
            data = tomllib.loads(text)
            settings = _adapter(cls).validate_python(data)
            for ref in settings.pi:
                prefix = ("pi", ref)  # name the override in the message: pi.4.6.tolerance
                settings.for_pi(ref)  # validate overrides now, not when first used
            return settings
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"is not valid TOML ({exc})", source) from None
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in (*prefix, *err["loc"]))
            raise SettingsError(f"setting '{where}': {_MESSAGES.get(err['type'], err['msg'])}", source) from None


def _rule_fields(rules: Rules) -> dict[str, Any]:
    """The per-PI rules' values, by name (of Settings too, which extends Rules)."""
    return {f.name: getattr(rules, f.name) for f in fields(Rules)}


@cache
def _adapter(model: type[Rules]) -> TypeAdapter[Any]:
    """Pydantic's validator for one of the rules dataclasses, built at its first use."""
    from pydantic import TypeAdapter

    return TypeAdapter(model)


def default_rules_toml() -> str:
    """A TOML file listing every option with its default and a one-line meaning."""
    lines = ["# xlscorecard rules: every option with its default. Remove what you do not change.", ""]
    defaults = Settings()
    for option in fields(Settings):
        if option.name in ("benchmarks", "pi"):
            continue
        lines.append(f"# {option.metadata['description']}")
        value = getattr(defaults, option.name)
        lines.append(f'# {option.name} = "high"' if value is None else f"{option.name} = {_toml_value(value)}")
    lines += ["", "[benchmarks]"]
    for option in fields(BenchmarkRules):
        lines.append(f"# {option.metadata['description']}")
        lines.append(f"{option.name} = {_toml_value(getattr(defaults.benchmarks, option.name))}")
    lines += [
        "",
        "# Per-PI overrides: any rule above except glyphs and benchmarks, keyed by PI ref.",
        "# Uncomment and edit, for example:",
        '# [pi."4.6"]',
        "# tolerance = 5.0",
        "#",
        '# [pi."6.1"]',
        '# polarity = "high"',
        "",
    ]
    return "\n".join(lines)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, StrEnum | str):
        return f'"{value}"'
    return repr(value)
