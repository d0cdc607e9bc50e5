"""The sign-in limiter and the retention groups, with plain values (no server)."""

from __future__ import annotations

import time

from xlscorecard.web.accounts import Role
from xlscorecard.web.retention import upload_group
from xlscorecard.web.sessions import SessionStore, SignInLimiter


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
