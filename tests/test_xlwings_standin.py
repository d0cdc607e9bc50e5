"""The stand-in (tests/xlwings_standin.py) against the installed xlwings: the same names and signatures.

The add-in's tests run on the stand-in because desktop Excel cannot run on Linux. If xlwings renames
a parameter or drops a method the add-in calls, the stand-in must change with it, or the tests
would pass against an API that no longer exists: this test fails first.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
import xlwings.main as xlwings_main
import xlwings_standin as standin
from conftest import EXAMPLE, EXAMPLE_SHEET

# Each stand-in class and the xlwings class it stands in for.
PAIRS: dict[type, type] = {
    standin.StandinApp: xlwings_main.App,
    standin.StandinBook: xlwings_main.Book,
    standin.StandinSheets: xlwings_main.Sheets,
    standin.StandinSheet: xlwings_main.Sheet,
    standin.StandinRange: xlwings_main.Range,
    standin.StandinFont: xlwings_main.Font,
    standin.StandinNote: xlwings_main.Note,
    standin.StandinMacro: xlwings_main.Macro,
}
# What only the tests use: building and inspecting a stand-in book. Never called by the add-in.
TEST_ONLY = {
    standin.StandinApp: {"alerts", "addins"},
    standin.StandinBook: {
        "new_sheet", "set_active", "from_xlsx", "snapshot", "cell", "calls", "mac", "fullname_error", "client"
    },
    standin.StandinSheet: {"cells_range", "cells"},
    standin.StandinRange: {"areas"},
}
DUNDERS = {"__call__", "__getitem__", "__iter__", "__len__"}


def members(cls: type) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__[:-1]):
        found.update({k: v for k, v in vars(klass).items() if not k.startswith("_") or k in DUNDERS})
    return found


def instance_attributes() -> dict[type, set[str]]:
    """Attributes a stand-in object sets on itself (name, fullname, app, engine...)."""
    book = standin.StandinBook.from_xlsx(EXAMPLE, active=EXAMPLE_SHEET)
    sheet = book._sheet(EXAMPLE_SHEET)
    objects = {
        standin.StandinBook: book,
        standin.StandinApp: book.app,
        standin.StandinSheet: sheet,
        standin.StandinRange: sheet.range("A1"),
    }
    return {cls: {k for k in vars(obj) if not k.startswith("_")} for cls, obj in objects.items()}


def parameters(function: Any) -> list[inspect.Parameter]:
    return list(inspect.signature(function).parameters.values())


def signature_problems(ours: Any, theirs: Any) -> list[str]:
    """Where a stand-in method could be called in a way the xlwings one could not (or vice versa)."""
    mine, real = parameters(ours), parameters(theirs)
    if any(p.kind is p.VAR_POSITIONAL for p in real):
        return []  # xlwings takes any positional arguments here (Range.__call__)
    problems = []
    real_names = [p.name for p in real]
    for i, p in enumerate(mine):
        if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        if i >= len(real) or real[i].name != p.name:
            problems.append(f"parameter {i} is {p.name!r}; xlwings has {real_names}")
        elif (p.default is p.empty) != (real[i].default is real[i].empty):
            problems.append(f"{p.name!r} is {'required' if p.default is p.empty else 'optional'} here only")
    missing_required = [p.name for p in real[len(mine) :] if p.default is p.empty and p.kind is not p.VAR_KEYWORD]
    if missing_required:
        problems.append(f"xlwings also requires {missing_required}")
    return problems


@pytest.mark.parametrize("ours", list(PAIRS), ids=lambda cls: cls.__name__)
def test_every_standin_member_exists_in_xlwings_with_the_same_signature(ours: type) -> None:
    theirs = PAIRS[ours]
    problems = []
    names = members(ours) | dict.fromkeys(instance_attributes().get(ours, set()))
    for name, member in names.items():
        if name in TEST_ONLY.get(ours, set()):
            continue
        real = inspect.getattr_static(theirs, name, None)
        if real is None:
            problems.append(f"{theirs.__name__}.{name} does not exist in xlwings")
            continue
        if member is None:  # an instance attribute: xlwings has it as an attribute or property
            continue
        if isinstance(member, property) or isinstance(real, property):
            if isinstance(member, property) != isinstance(real, property):
                problems.append(f"{theirs.__name__}.{name}: a property on one side only")
            elif member.fset is not None and real.fset is None:
                problems.append(f"{theirs.__name__}.{name}: settable in the stand-in only")
            continue
        if isinstance(member, classmethod) != isinstance(real, classmethod):
            problems.append(f"{theirs.__name__}.{name}: a classmethod on one side only")
            continue
        ours_fn = member.__func__ if isinstance(member, classmethod) else member
        real_fn = real.__func__ if isinstance(real, classmethod) else real
        if callable(ours_fn) and callable(real_fn):
            problems += [f"{theirs.__name__}.{name}: {p}" for p in signature_problems(ours_fn, real_fn)]
    assert not problems, problems


def test_the_add_in_uses_only_what_the_standin_checks() -> None:
    # Every xlwings attribute the add-in's modules reach for is one the stand-in offers (and so
    # one the test above holds to xlwings' own signature).
    import re

    import xlscorecard.addin as addin

    package = Path(addin.__file__).parent
    used = set()
    for module in ("buttons", "live", "writeback", "flags", "formats", "remote"):
        text = (package / f"{module}.py").read_text("utf-8")
        used |= set(re.findall(r"\b(?:book|sheet|app|used|block|record|out|cell|target|note|macro)\.(\w+)\b", text))
    offered = set()
    for cls in PAIRS:
        offered |= set(members(cls)) | instance_attributes().get(cls, set())
    offered |= {"engine", "name"}  # App.engine.name
    python_own = {"append", "items", "startswith", "parent", "is_file", "resolve", "kind", "value", "text", "tip"}
    missing = used - offered - python_own
    assert not missing, sorted(missing)


def test_the_signature_check_catches_a_renamed_parameter() -> None:
    def alert(self: Any, message: str, title: str | None = None) -> None: ...

    assert signature_problems(alert, xlwings_main.App.alert)
    assert not signature_problems(standin.StandinApp.alert, xlwings_main.App.alert)
