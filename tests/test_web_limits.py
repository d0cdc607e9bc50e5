"""The sign-in limiter, sessions and retention with plain values; the sweep and the guard through the
app (TestClient)."""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

from conftest import EXAMPLE

from xlscorecard.web import create_app
from xlscorecard.web.accounts import Role
from xlscorecard.web.folder import XLSX_MEDIA_TYPE as XLSX
from xlscorecard.web.folder import ReturnsFolder
from xlscorecard.web.retention import Retention, upload_group
from xlscorecard.web.sessions import SessionStore, SignInLimiter

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette asks for httpx2; the installed httpx works the same
    from fastapi.testclient import TestClient


def test_lockout_is_per_account_and_address_then_per_address() -> None:
    limiter = SignInLimiter(per_account=3, per_address=5, window=60, lockout=60)
    for _ in range(3):
        limiter.failed("ann", "10.0.0.1")
    assert limiter.locked_for("ann", "10.0.0.1") > 0
    assert limiter.locked_for("ann", "10.0.0.2") == 0  # the same account from elsewhere
    assert limiter.locked_for("bob", "10.0.0.1") == 0  # another account from the same address
    limiter.failed("bob", "10.0.0.1")
    limiter.failed("cat", "10.0.0.1")  # the fifth failure from this address, over three accounts
    assert limiter.locked_for("dan", "10.0.0.1") > 0
    assert limiter.locked_for("dan", "10.0.0.3") == 0


def test_failures_outside_the_window_do_not_count() -> None:
    limiter = SignInLimiter(per_account=2, per_address=10, window=0.05, lockout=60)
    limiter.failed("ann", "a")
    time.sleep(0.1)
    limiter.failed("ann", "a")
    assert limiter.locked_for("ann", "a") == 0


def test_a_session_ends_when_idle_or_signed_out() -> None:
    store = SessionStore(idle_seconds=0.05)
    first, second = store.start("ann", Role.analyst), store.start("ann", Role.analyst)
    assert first.token != second.token and first.csrf != first.token
    assert store.get(first.token) is first
    store.end(second.token)
    assert store.get(second.token) is None
    time.sleep(0.1)
    assert store.get(first.token) is None
    assert store.get("a guessed token") is None


def test_the_files_of_one_upload_form_one_group() -> None:
    stem = "Q2 scorecard-20261204-164011-eaed99"
    for name in (f"{stem}.xlsx", f"{stem} - Qu 2 18-19 return.xlsx", f"{stem} - Qu 2 18-19 return.xlsx.findings.json",
                 f"{stem} - Qu 2 18-19 return.json", f"{stem} - Qu 2 18-19 return.pdf"):
        assert upload_group(name) == stem
    assert upload_group("left by hand.xlsx") == "left by hand.xlsx"
    assert upload_group("a-20261204-164011-eaed99x.xlsx") == "a-20261204-164011-eaed99x.xlsx"


def test_a_running_page_removes_expired_uploads_without_an_upload(tmp_path: Path) -> None:
    """Between uploads too: any request sweeps when the last sweep is old enough."""
    returns = tmp_path / "returns"
    returns.mkdir()
    retention = Retention(ReturnsFolder(returns), keep_days=1, sweep_every=0)
    with TestClient(create_app(returns, retention=retention)) as c:
        made = c.post("/api/returns", files={"workbook": ("a.xlsx", EXAMPLE.read_bytes(), XLSX)})
        assert made.status_code == 201
        name = made.json()["name"]
        assert [e["name"] for e in c.get("/api/returns").json()["returns"]] == [name]
        for path in (returns / "uploads").iterdir():
            os.utime(path, (time.time() - 2 * 86400, time.time() - 2 * 86400))
        assert c.get("/api/returns").json()["returns"] == []
    assert [p.name for p in (returns / "uploads").iterdir() if not p.name.startswith(".")] == []


def test_routes_added_later_are_behind_the_guard_too(tmp_path: Path) -> None:
    """Issue 18's page view or any later route: signed out, it is refused like the rest."""
    from xlscorecard.web.accounts import UserStore, add_user
    from xlscorecard.web.auth import AccessPolicy

    returns = tmp_path / "returns"
    returns.mkdir()
    users = tmp_path / "users.json"
    add_user(users, "olly", Role.officer, "olly's long password")
    app = create_app(returns, access=AccessPolicy(users=UserStore(users)))

    @app.get("/returns/{name:path}/view")
    def view(name: str) -> dict[str, str]:
        return {"secret": name}

    @app.get("/api/later")
    def later() -> dict[str, str]:
        return {"secret": "figures"}

    @app.post("/api/later")
    def change() -> dict[str, str]:
        return {"changed": "yes"}

    with TestClient(app, follow_redirects=False) as c:
        assert c.get("/returns/a.xlsx/view").status_code == 303
        assert c.get("/api/later").status_code == 401
        assert c.get("/api/later", auth=("olly", "olly's long password")).json() == {"secret": "figures"}
        assert c.post("/api/later", auth=("olly", "olly's long password")).status_code == 403  # an officer
        assert c.get("/static/style.css").status_code == 200
