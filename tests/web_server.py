"""Run `xlscorecard serve` as a real uvicorn server on a free port, for the web tests."""

from __future__ import annotations

import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import _cli_env, cli_command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answering(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60.0,
                         context: ssl.SSLContext | None = None) -> None:
    """Until the stylesheet (open without signing in) answers 200."""
    handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({})]  # never via a proxy
    if context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=context))
    opener = urllib.request.build_opener(*handlers)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with opener.open(url + "/static/style.css", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"the server did not answer on {url} within {timeout:.0f} s:\n{log.read_text(errors='replace')}")


def start_server(returns: Path, log: Path, *extra: str, host: str = "127.0.0.1",
                 context: ssl.SSLContext | None = None) -> tuple[str, subprocess.Popen[bytes]]:
    """(base URL, process) of `xlscorecard serve --returns RETURNS --port N *extra`, answering."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*cli_command(), "serve", "--returns", str(returns), "--host", host, "--port", str(port), *extra],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=_cli_env(),
        )
    base = f"{'https' if context else 'http'}://{'localhost' if context else '127.0.0.1'}:{port}"
    try:
        wait_until_answering(base, proc, log, context=context)
    except BaseException:
        stop(proc)
        raise
    return base, proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
