"""Every tunable rule in one model, loadable from TOML, with per-PI overrides (DESIGN 5-6)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from xlscorecard.core.errors import SettingsError


class ToleranceKind(StrEnum):
    RELATIVE = "relative"  # per cent of the target
    ABSOLUTE = "absolute"  # in the value's own units
    POINTS = "points"  # percentage points (percent indicators; others fall back to relative)


GLYPHS: dict[str, dict[str, str]] = {
    "arrows": {"up": "↑", "down": "↓", "same": "→"},
    "heavy": {"up": "⬆", "down": "⬇", "same": "➡"},
}


class Rules(BaseModel):
    """The rules that may differ per PI."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tolerance_kind: ToleranceKind = Field(
        ToleranceKind.RELATIVE, description="how a near miss is measured: relative, absolute or points"
    )
    tolerance: float = Field(10.0, ge=0, description="Amber band: a miss within this is Amber, beyond it Red")
    zero_target_band: float = Field(0.0, ge=0, description="Amber band (absolute) when the target is zero")
    no_change_band: float = Field(
        2.0, ge=0, description="relative change (per cent) within which the arrow shows 'same'"
    )
    dash_counts_as: Literal["not-available", "zero"] = Field("not-available", description="what a lone dash means")
    profile_annual_targets: bool = Field(
        False, description="scale annual targets of year-to-date counts by quarter (Q2 = half)"
    )
    polarity: Literal["high", "low"] | None = Field(None, description="force the polarity (overrides the sheet)")


class BenchmarkRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    national: bool = Field(True, description="compare the value with the national average")
    stat_neighbour: bool = Field(True, description="compare the value with the statistical neighbour average")
    total_ratio: float = Field(
        20.0, gt=1, description="a count benchmark this many times the largest local value is a total, not comparable"
    )


class Settings(Rules):
    """All rules: the defaults, the glyph set, benchmark rules and per-PI overrides keyed by PI ref."""

    glyphs: Literal["arrows", "heavy"] = Field(
        "arrows", description="arrow glyphs written: arrows (↑ ↓ →) or heavy (⬆ ⬇ ➡)"
    )
    benchmarks: BenchmarkRules = Field(default_factory=BenchmarkRules)
    pi: dict[str, dict[str, Any]] = Field(default_factory=dict, description="per-PI overrides, keyed by PI ref")

    def for_pi(self, ref: str) -> Settings:
        """These settings with the overrides for one PI applied."""
        override = self.pi.get(ref)
        if not override:
            return self
        return self.model_copy(update=Rules.model_validate({**self._rule_fields(), **override}).model_dump())

    def _rule_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in Rules.model_fields}

    @property
    def glyph(self) -> dict[str, str]:
        return GLYPHS[self.glyphs]

    @classmethod
    def from_toml(cls, text: str, source: str | None = None) -> Settings:
        """Parse TOML text; raise SettingsError with the first problem on one line."""
        import tomllib  # only a rules file needs the TOML parser: most commands run on the defaults

        prefix: tuple[str, ...] = ()
        try:
            data = tomllib.loads(text)
            settings = cls.model_validate(data)
            for ref in settings.pi:
                prefix = ("pi", ref)  # name the override in the message: pi.4.6.tolerance
                settings.for_pi(ref)  # validate overrides now, not when first used
            return settings
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"is not valid TOML ({exc})", source) from None
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in (*prefix, *err["loc"]))
            raise SettingsError(f"setting '{where}': {err['msg']}", source) from None


def default_rules_toml() -> str:
    """A TOML file listing every option with its default and a one-line meaning."""
    lines = ["# xlscorecard rules: every option with its default. Remove what you do not change.", ""]
    defaults = Settings()
    for name, info in Settings.model_fields.items():
        if name in ("benchmarks", "pi"):
            continue
        lines.append(f"# {info.description}")
        value = getattr(defaults, name)
        lines.append(f'# {name} = "high"' if value is None else f"{name} = {_toml_value(value)}")
    lines += ["", "[benchmarks]"]
    for name, info in BenchmarkRules.model_fields.items():
        lines.append(f"# {info.description}")
        lines.append(f"{name} = {_toml_value(getattr(defaults.benchmarks, name))}")
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
