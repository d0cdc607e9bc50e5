"""Each command imports only what it uses: `check` and `convert` of the example start no web server,
no data-frame library, no Excel bridge and no openpyxl, so their start-up cannot silently grow again.

Run in a fresh interpreter through the command line's own entry point, as a user's process would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLE, ROOT

# What these commands never need: each costs tens to hundreds of milliseconds to import.
# typer: the command line is Click's, and Typer's start-up built a pydantic adapter for every parameter.
# pydantic: it validates a rules file when one is given; a run on the default rules never needs it.
NOT_NEEDED = (
    "pandas", "pyarrow", "numpy", "fastapi", "starlette", "uvicorn", "jinja2", "xlwings", "openpyxl", "typer",
    "pydantic",
)

PROBE = """
import json, sys
from xlscorecard.cli import app
try:
    app(args=sys.argv[2:], prog_name="xlscorecard")
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(m for m in sys.modules if m.split(".")[0] in UNWANTED)}),
      file=open(sys.argv[1], "w"))
"""


def imported_by(tmp_path: Path, unwanted: tuple[str, ...], *args: str) -> list[str]:
    """The `unwanted` packages in sys.modules after the command `args`, which must succeed."""
    report = tmp_path / "modules.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", f"UNWANTED = {unwanted!r}\n{PROBE}", str(report), *args],
        capture_output=True, text=True, env=env, check=False, timeout=300,
    )
    assert report.exists(), done.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["code"] in (0, None), done.stderr
    return data["modules"]


def test_check_imports_only_what_it_uses(tmp_path: Path) -> None:
    assert imported_by(tmp_path, NOT_NEEDED, "check", "--json", str(EXAMPLE)) == []


def test_a_rules_file_is_validated_by_pydantic(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text("tolerance = 5\n", encoding="utf-8")
    modules = imported_by(tmp_path, ("pydantic",), "check", "--json", "--rules", str(rules), str(EXAMPLE))
    assert "pydantic" in modules


def test_convert_imports_only_what_it_uses(tmp_path: Path) -> None:
    # rich draws check's tables; convert prints one line and does not pay for it either.
    assert imported_by(tmp_path, (*NOT_NEEDED, "rich"), "convert", str(EXAMPLE), "-o", f"{tmp_path}/") == []
