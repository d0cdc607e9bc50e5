"""The real server converts each upload in a worker process: one hostile file cannot take it down (issue 14).

`xlscorecard serve` runs as a subprocess on a free port; uploads go over a real socket with httpx.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import EXAMPLE, ROOT, cli_command

sys.path.insert(0, str(ROOT / "benchmarks"))
from convert_bench import make_large  # the benchmarks' big scorecard

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def far_cell_workbook(path: Path, ref: str = "XFD1048576") -> Path:
    """The example with one more cell, far out: readers that allocate the used range ask for ~550 GB."""
    with zipfile.ZipFile(EXAMPLE) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                far = f'<row r="{row}"><c r="{ref}"><v>1</v></c></row></sheetData>'
                data = data.replace(b"</sheetData>", far.encode())
            dst.writestr(info, data)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[object]:
    procs: list[subprocess.Popen[bytes]] = []

    def start(*extra: str) -> str:
        returns = tmp_path / "returns"
        returns.mkdir(exist_ok=True)
        port = _free_port()
        log = (tmp_path / "server.log").open("wb")
        proc = subprocess.Popen([*cli_command(), "serve", "--returns", str(returns), "--port", str(port), *extra],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "server.log").read_text(errors="replace")
            try:
                if httpx.get(base + "/", timeout=2, trust_env=False).status_code == 200:
                    return base
            except httpx.HTTPError:
                time.sleep(0.2)
        pytest.fail("the server did not start")

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _upload(base: str, path: Path) -> httpx.Response:
    with path.open("rb") as fh:
        return httpx.post(base + "/api/returns", files={"workbook": (path.name, fh, XLSX)}, timeout=120,
                          trust_env=False)


def _still_serving(base: str) -> None:
    listing = httpx.get(base + "/", timeout=10, trust_env=False)
    assert listing.status_code == 200 and "<form" in listing.text
    good = _upload(base, EXAMPLE)
    assert good.status_code == 201, good.text
    assert good.json()["reporting_period"] == "Qu 2 18-19"
    download = httpx.get(base + good.json()["download_url"], timeout=30, trust_env=False)
    assert download.status_code == 200 and download.content[:2] == b"PK"


@pytest.mark.parametrize("ref", ["XFD1048576", "A1048576", "XFE1048577"])
def test_far_cell_upload_fails_alone_and_the_page_keeps_working(serve, tmp_path: Path, ref: str) -> None:  # type: ignore[no-untyped-def]
    base = serve()
    response = _upload(base, far_cell_workbook(tmp_path / "far.xlsx", ref))
    assert response.status_code == 400
    message = response.json()["detail"]
    assert message.startswith("far.xlsx: ") and "\n" not in message and "unexpected" not in message
    assert ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") in message and ("outside Excel's grid" in message
                                                                    or "used range" in message)
    _still_serving(base)


def test_a_conversion_over_its_memory_limit_fails_alone(serve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A worker that runs out of memory (or is aborted by the Rust reader) costs only its upload.

    The workbook is big (10,000 PIs): a worker starts with the heap its fork server left free, in
    which a small conversion can fit whatever the limit, so only a real need for memory shows it.
    """
    big = make_large(tmp_path / "big.xlsx", 10_000)
    base = serve("--worker-memory-mb", "64")
    response = _upload(base, big)
    assert response.status_code == 400
    message = response.json()["detail"]
    assert message.startswith(f"{big.name}: ") and "64 MB" in message and "nothing was kept" in message
    listing = httpx.get(base + "/api/returns", timeout=10, trust_env=False)
    assert listing.status_code == 200 and listing.json()["returns"] == []


def test_a_conversion_over_its_time_limit_is_stopped(serve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = serve("--timeout", "0.01")
    response = _upload(base, EXAMPLE)
    assert response.status_code == 400
    assert "took longer than 0.01 s, so it was stopped" in response.json()["detail"]
    assert httpx.get(base + "/", timeout=10, trust_env=False).status_code == 200


def test_workers_option_bounds_conversions_at_once(serve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = serve("--workers", "1")
    _still_serving(base)
