"""The add-in from a wheel: what an analyst gets from `pip install xlscorecard`, not from a checkout.

A wheel is built from a copy of the sources (so nothing is written into the checkout), installed
into a fresh virtual environment, and `xlscorecard addin build` is run from there, away from the
checkout. The environment sees the machine's installed dependencies (`--system-site-packages`,
so the test needs no network beyond the build tools) but xlscorecard itself only from the wheel:
the test checks where the package, and the add-in sources it reads, were loaded from.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from xlscorecard.addin.build import build_addin

REPO = Path(__file__).resolve().parent.parent


def _run(args: list[str | Path], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args}: {done.stderr[-2000:]}"
    return done


@pytest.fixture(scope="module")
def from_wheel(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A venv with xlscorecard installed from a freshly built wheel, and the .xlam it built."""
    root = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    source = root / "src"
    source.mkdir()
    shutil.copy2(REPO / "pyproject.toml", source)
    shutil.copy2(REPO / "README.md", source)
    shutil.copytree(REPO / "xlscorecard", source / "xlscorecard", ignore=shutil.ignore_patterns("__pycache__"))
    dist = root / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, source], root, env)
    (wheel,) = dist.glob("xlscorecard-*.whl")
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", venv], root, env)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    _run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel], root, env)
    out = root / "built"
    work = root / "elsewhere"  # not the checkout: nothing importable in the current folder
    work.mkdir()
    done = _run([bindir / "xlscorecard", "addin", "build", "-o", out], work, env)
    where = _run(
        [python, "-c", "import xlscorecard.addin.build as b; print(b.__file__); print(b.MACROS_DIR)"], work, env
    )
    module_file, macros_dir = where.stdout.split("\n")[:2]
    return {
        "venv": venv,
        "wheel": wheel,
        "xlam": out / "xlscorecard.xlam",
        "printed": Path(done.stdout.strip()),
        "module": Path(module_file),
        "macros": Path(macros_dir),
    }


def test_the_wheel_carries_the_addin_sources(from_wheel: dict[str, Path]) -> None:
    with zipfile.ZipFile(from_wheel["wheel"]) as wheel:
        names = set(wheel.namelist())
    for name in ("XlScorecard.bas", "customUI14.xml", "README.md"):
        assert f"xlscorecard/addin/macros/{name}" in names


def test_the_installed_package_and_its_sources_come_from_the_wheel(from_wheel: dict[str, Path]) -> None:
    venv = from_wheel["venv"].resolve()
    for path in (from_wheel["module"], from_wheel["macros"]):
        assert path.resolve().is_relative_to(venv), path
        assert not path.resolve().is_relative_to(REPO)
    assert (from_wheel["macros"] / "XlScorecard.bas").is_file()


def test_addin_build_from_the_wheel_matches_the_checkouts_part_by_part(
    from_wheel: dict[str, Path], tmp_path: Path
) -> None:
    assert from_wheel["printed"].resolve() == from_wheel["xlam"].resolve()
    ours = build_addin(tmp_path)
    with zipfile.ZipFile(from_wheel["xlam"]) as theirs_zip, zipfile.ZipFile(ours) as ours_zip:
        assert theirs_zip.namelist() == ours_zip.namelist()
        for name in ours_zip.namelist():
            assert theirs_zip.read(name) == ours_zip.read(name), name
    assert from_wheel["xlam"].read_bytes() == ours.read_bytes()
