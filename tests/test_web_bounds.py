"""`serve`'s other sign-in modes and bounds, each on its own real server: the refusal to serve off
loopback without sign-in, the open page's notice, single sign-on behind a proxy, HTTPS, session
expiry, the per-user quota, retention; and the `users` command.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from conftest import EXAMPLE, _cli_env, cli_command, run_cli
from test_web_accounts import PASSWORDS, client, make_site, sign_in, token_in, upload, uploads_in
from web_server import start_server, stop

from xlscorecard.web.audit import read_audit

DAY = 86400


def users_cli(*args: str | Path, password: str | None = None) -> subprocess.CompletedProcess[str]:
    """`xlscorecard users ...` with the password on standard input (not a terminal)."""
    return subprocess.run([*cli_command(), "users", *map(str, args)], input=password, capture_output=True,
                          text=True, env=_cli_env(), check=False, timeout=120)


# ------------------------------------------------------------------ the users command


def test_users_add_list_remove(tmp_path: Path) -> None:
    users = tmp_path / "accounts" / "users.json"
    added = users_cli("add", "ann", "--role", "analyst", "--users", users, password="a password of length\n")
    assert added.returncode == 0, added.stderr
    again = users_cli("add", "olly", "--role", "officer", "--users", users, password="another long one\n")
    assert again.returncode == 0, again.stderr
    assert oct(users.stat().st_mode & 0o777) == "0o600"
    text = users.read_text(encoding="utf-8")
    assert "a password of length" not in text and "$argon2id$" in text
    listed = users_cli("list", "--users", users)
    assert listed.stdout.splitlines() == ["ann\tanalyst", "olly\tofficer"]
    assert users_cli("remove", "olly", "--users", users).returncode == 0
    assert users_cli("list", "--users", users).stdout.splitlines() == ["ann\tanalyst"]


@pytest.mark.parametrize(("args", "password", "message"), [
    (("add", "ann", "--role", "boss"), "a long password\n", "--role must be officer or analyst"),
    (("add", "ann", "--role", "officer"), "short\n", "at least 10 characters"),
    (("add", "an\u202en", "--role", "officer"), "a long password\n", "invisible characters"),
    (("remove", "nobody"), None, "users file not found"),
    (("list",), None, "users file not found"),
])
def test_users_command_refusals_are_one_line(tmp_path: Path, args: tuple[str, ...], password: str | None,
                                             message: str) -> None:
    users = tmp_path / "users.json"
    result = users_cli(*args, "--users", users, password=password)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
    assert "Traceback" not in result.stderr
    assert not users.exists()


# ------------------------------------------------------------------ serve's options


@pytest.mark.parametrize(("extra", "message"), [
    (("--host", "0.0.0.0"), "refusing to serve returns on 0.0.0.0 without sign-in"),
    (("--host", "192.0.2.10"), "refusing to serve returns on 192.0.2.10 without sign-in"),
    (("--host", "0.0.0.0", "--auth-header", "X-Remote-User"), "--auth-header needs --trusted-proxy"),
    (("--auth-header", "X-Remote-User", "--trusted-proxy", "not-an-address", "--roles", "r.toml"),
     "--trusted-proxy"),
    (("--users", "missing.json"), "users file not found"),
    (("--users", "users.json", "--no-auth"), "--no-auth cannot be combined"),
])
def test_serve_refuses_unsafe_or_unusable_options_in_one_line(tmp_path: Path, extra: tuple[str, ...],
                                                              message: str) -> None:
    (tmp_path / "returns").mkdir()
    (tmp_path / "users.json").write_text('{"users": {}}', encoding="utf-8")
    (tmp_path / "r.toml").write_text("", encoding="utf-8")
    result = run_cli("serve", "--returns", "returns", "--port", "1", *extra, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert not (tmp_path / "returns" / "audit.jsonl").exists()


def test_an_open_page_says_it_is_open(tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    returns.mkdir()
    base, proc = start_server(returns, tmp_path / "server.log", "--no-auth", host="0.0.0.0")
    try:
        with client(base) as c:
            page = c.get("/")
            assert page.status_code == 200
            assert "This page is open:" in page.text
            assert upload(c, "/upload").status_code == 303  # an open page needs no token
    finally:
        stop(proc)


def test_single_sign_on_header_is_believed_only_from_the_trusted_proxy(tmp_path: Path) -> None:
    returns, _ = make_site(tmp_path)
    roles = tmp_path / "roles.toml"
    roles.write_text('[users]\n"a.analyst@council.gov.uk" = "analyst"\n"o.officer@council.gov.uk" = "officer"\n',
                     encoding="utf-8")
    sso = ("--auth-header", "X-Remote-User", "--roles", str(roles))
    base, proc = start_server(returns, tmp_path / "server.log", *sso, "--trusted-proxy", "127.0.0.1")
    try:
        def as_user(name: str) -> httpx.Client:
            return client(base, headers={"X-Remote-User": name, "X-Forwarded-For": "10.1.2.3"})

        with as_user("o.officer@council.gov.uk") as c:
            page = c.get("/")
            assert page.status_code == 200 and "Signed in as <strong>o.officer@council.gov.uk</strong>" in page.text
            assert upload(c).status_code == 403
        with as_user("a.analyst@council.gov.uk") as c:
            token = token_in(c.get("/").text)
            assert upload(c, "/upload").status_code == 403  # the form's token is still needed
            made = upload(c, "/upload", csrf_token=token)
            assert made.status_code == 303
        with as_user("a.analyst@council.gov.uk") as c:  # TLS ended at the proxy: the form cookie is Secure
            cookies = c.get("/", headers={"X-Forwarded-Proto": "https"}).headers.get_list("set-cookie")
            assert "secure" in next(h for h in cookies if h.startswith("xlscorecard_form=")).lower()
        with as_user("stranger@council.gov.uk") as c:
            assert c.get("/api/returns").status_code == 403
        with client(base) as c:
            assert c.get("/api/returns").status_code == 401
        lines = read_audit(returns / "audit.jsonl")
        upload_line = next(line for line in lines if line["event"] == "upload")
        assert upload_line["user"] == "a.analyst@council.gov.uk" and upload_line["address"] == "10.1.2.3"
    finally:
        stop(proc)
    # The same header from an address that is not the proxy is ignored.
    base, proc = start_server(returns, tmp_path / "server2.log", *sso, "--trusted-proxy", "192.0.2.1")
    try:
        with client(base, headers={"X-Remote-User": "a.analyst@council.gov.uk"}) as c:
            assert c.get("/api/returns").status_code == 401
            assert c.get("/").status_code == 303
    finally:
        stop(proc)


def test_https_with_a_certificate_sends_hsts_and_secure_cookies(tmp_path: Path) -> None:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    cert.private_key_pem.write_to_path(str(keyfile))
    context = ssl.create_default_context()
    ca.configure_trust(context)
    returns, users = make_site(tmp_path)
    base, proc = start_server(returns, tmp_path / "server.log", "--users", str(users), "--certfile", str(certfile),
                              "--keyfile", str(keyfile), context=context)
    try:
        assert base.startswith("https://")
        with client(base, verify=context) as c:
            assert c.get("/static/style.css").headers["strict-transport-security"].startswith("max-age=")
            r = sign_in(c, "ann")
            assert r.status_code == 303
            cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("xlscorecard_session="))
            assert "secure" in cookie.lower() and "httponly" in cookie.lower()
            assert c.get("/").headers["strict-transport-security"]
            assert c.get("/api/returns").status_code == 200
    finally:
        stop(proc)


def test_a_session_expires_after_the_idle_time(tmp_path: Path) -> None:
    returns, users = make_site(tmp_path)
    base, proc = start_server(returns, tmp_path / "server.log", "--users", str(users), "--session-minutes", "0.05")
    try:
        with client(base) as c:
            assert sign_in(c, "ann").status_code == 303
            assert c.get("/").status_code == 200
            time.sleep(4)  # 0.05 minutes is 3 seconds
            assert c.get("/").status_code == 303
    finally:
        stop(proc)


# ------------------------------------------------------------------ quota and retention


def test_the_quota_per_user_is_enforced(tmp_path: Path) -> None:
    returns, users = make_site(tmp_path)
    base, proc = start_server(returns, tmp_path / "server.log", "--users", str(users), "--quota-uploads", "2")
    try:
        with client(base, auth=("ann", PASSWORDS["ann"])) as ann:
            assert upload(ann).status_code == 201
            assert upload(ann).status_code == 201
            refused = upload(ann)
            assert refused.status_code == 403
            assert "you already have 2 uploads kept here, your quota" in refused.json()["detail"]
        with client(base, auth=("quin", PASSWORDS["quin"])) as quin:  # the quota is per user
            assert upload(quin).status_code == 201
    finally:
        stop(proc)
    assert len([n for n in uploads_in(returns) if n.endswith(".findings.json")]) == 3
    # In MB: one upload of the example (about 27 KB, plus its return) fills a 0.05 MB quota.
    base, proc = start_server(returns, tmp_path / "server2.log", "--users", str(users), "--quota-mb", "0.05")
    try:
        with client(base, auth=("lucy", PASSWORDS["lucy"])) as lucy:
            assert upload(lucy).status_code == 201
            refused = upload(lucy)
            assert refused.status_code == 403 and "of your 0.05 MB quota" in refused.json()["detail"]
    finally:
        stop(proc)


def test_uploads_older_than_keep_days_are_removed(tmp_path: Path) -> None:
    returns, users = make_site(tmp_path)
    base, proc = start_server(returns, tmp_path / "server.log", "--users", str(users))
    try:
        with client(base, auth=("ann", PASSWORDS["ann"])) as ann:
            old = upload(ann, filename="old.xlsx").json()
            new = upload(ann, filename="new.xlsx").json()
    finally:
        stop(proc)
    old_stem = Path(old["original"]).stem
    old_files = [p for p in (returns / "uploads").iterdir() if p.name.startswith(old_stem)]
    # the original, its return, its findings record (and any file written beside them, such as the
    # page view's sidecar): all of them go together
    assert {p.name for p in old_files} >= {f"{old_stem}.xlsx", Path(old["name"]).name,
                                           Path(old["name"]).name + ".findings.json"}
    files_per_upload = len(old_files)
    for path in old_files:  # 31 days ago
        os.utime(path, (time.time() - 31 * DAY, time.time() - 31 * DAY))
    stray = returns / "uploads" / "left by hand.xlsx"
    stray.write_bytes(b"x")
    os.utime(stray, (time.time() - 40 * DAY, time.time() - 40 * DAY))
    kept_batch_return = next(returns.glob("*return.xlsx"))
    os.utime(kept_batch_return, (time.time() - 400 * DAY, time.time() - 400 * DAY))

    base, proc = start_server(returns, tmp_path / "server2.log", "--users", str(users), "--keep-days", "30")
    try:
        with client(base, auth=("ann", PASSWORDS["ann"])) as ann:
            names = [e["name"] for e in ann.get("/api/returns").json()["returns"]]
    finally:
        stop(proc)
    assert new["name"] in names and old["name"] not in names
    left = uploads_in(returns)
    assert not any(n.startswith(old_stem) for n in left) and "left by hand.xlsx" not in left
    assert sum(n.startswith(Path(new["original"]).stem) for n in left) == files_per_upload
    assert kept_batch_return.exists()  # the batch outbox is not the page's to clear
    assert json.loads((returns / "uploads" / (Path(new["name"]).name + ".findings.json")).read_text())["owner"] == "ann"
    assert EXAMPLE.exists()
