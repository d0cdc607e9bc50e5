"""Settings (DESIGN 2, 5-6): one model, loaded from TOML, per-PI overrides, one-line errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import EXAMPLE, EXAMPLES, run_cli

from xlscorecard.api import load_settings
from xlscorecard.core.errors import SettingsError
from xlscorecard.core.settings import Settings, ToleranceKind, default_rules_toml

RULES = EXAMPLES / "rules.toml"


def test_defaults_are_the_documented_ones() -> None:
    s = Settings()
    assert s.tolerance_kind is ToleranceKind.RELATIVE
    assert s.tolerance == 10.0  # DESIGN 5: 10% of the target
    assert s.zero_target_band == 0.0
    assert s.no_change_band == 2.0  # DESIGN 6: same within 2%
    assert s.dash_counts_as == "not-available"
    assert s.glyph == {"up": "↑", "down": "↓", "same": "→"}
    assert s.polarity is None
    assert s.pi == {}


def test_example_rules_file_loads_with_the_default_rules() -> None:
    loaded = load_settings(RULES)
    assert loaded == Settings()  # every option at its default; the per-PI examples are commented
    assert '# [pi."4.6"]' in RULES.read_text(encoding="utf-8")


def test_example_rules_file_is_the_generated_template() -> None:
    assert RULES.read_text(encoding="utf-8") == default_rules_toml()


def test_every_option_is_documented_in_the_template() -> None:
    text = default_rules_toml()
    for name in (f.name for f in dataclasses.fields(Settings)):
        if name not in ("benchmarks", "pi", "polarity"):
            assert f"\n{name} = " in text, name
    assert "# polarity = " in text


def test_for_pi_applies_only_to_that_pi() -> None:
    s = Settings(pi={"4.6": {"tolerance": 5.0, "tolerance_kind": "absolute"}})
    assert (s.for_pi("4.6").tolerance, s.for_pi("4.6").tolerance_kind) == (5.0, ToleranceKind.ABSOLUTE)
    assert (s.for_pi("4.7").tolerance, s.for_pi("4.7").tolerance_kind) == (10.0, ToleranceKind.RELATIVE)
    assert s.for_pi("4.6").glyphs == s.glyphs


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ("tolerance = [\n", "not valid TOML"),
        ("tolerance = -3\n", "tolerance"),
        ('tolerance_kind = "fuzzy"\n', "tolerance_kind"),
        ("tolerence = 5\n", "tolerence"),  # a misspelt option is refused, not ignored
        ('glyphs = "emoji"\n', "glyphs"),
        ('[pi."4.6"]\ntolerance = "lots"\n', "'pi.4.6.tolerance'"),  # names the override, not the global
        ('[pi."4.6"]\nglyphs = "heavy"\n', "'pi.4.6.glyphs'"),  # glyphs are not per PI
        ("[benchmarks]\ntotal_ratio = 0.5\n", "total_ratio"),
    ],
)
def test_bad_rules_raise_settings_error(toml: str, words: str) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_toml(toml, source="my-rules.toml")
    message = str(info.value)
    assert message.startswith("my-rules.toml: ")
    assert words in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("broken.toml", "tolerance = [\n", "not valid TOML"),
        ("negative.toml", "tolerance = -3\n", "tolerance"),
        ("typo.toml", "tolerence = 5\n", "tolerence"),
        ("binary.toml", b"\xff\xfe\x00bad", "cannot read"),
        ("missing.toml", None, "not found"),
    ],
)
def test_bad_rules_file_through_the_cli(tmp_path: Path, name: str, content: str | bytes | None, words: str) -> None:
    rules = tmp_path / name
    if isinstance(content, bytes):
        rules.write_bytes(content)
    elif content is not None:
        rules.write_text(content, encoding="utf-8")
    result = run_cli("check", EXAMPLE, "--rules", rules)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip("\n").split("\n")
    assert len(lines) == 1, result.stderr
    assert str(rules) in lines[0], "the error names the rules file"
    assert words in lines[0]
    assert result.stdout == ""


def test_example_rules_file_through_the_cli() -> None:
    result = run_cli("check", EXAMPLE, "--json", "--rules", RULES)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("rules", ["", 'tolerance = 5\ntolerance_kind = "points"\nglyphs = "heavy"\n'
                                   '[benchmarks]\nnational = false\n[pi."4.6"]\ntolerance = 2.5\n'])
def test_settings_json_is_what_pydantic_writes(rules: str) -> None:
    # batch's manifest hashes this text to see a changed rules file: it must stay what the rules
    # model's pydantic serialisation gave, or every inbox would be converted again after an upgrade.
    import pydantic

    settings = Settings.from_toml(rules)
    assert settings.to_json() == pydantic.TypeAdapter(Settings).dump_json(settings).decode()


def test_rules_built_in_code_take_the_kind_by_its_word() -> None:
    assert Settings(tolerance_kind="absolute").tolerance_kind is ToleranceKind.ABSOLUTE  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Settings(tolerance_kind="fuzzy")  # type: ignore[arg-type]
