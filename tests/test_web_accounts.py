"""Accounts on the officers' page, against the real server (`xlscorecard serve` under uvicorn).

Each server is a subprocess on a free port; requests go over a real socket with httpx. Accounts are
made with the library (the `users` command has its own test); the audit log, the uploads folder
and the page are checked as an officer or an administrator would see them.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from conftest import EXAMPLE, run_cli
from web_server import start_server, stop

from xlscorecard import api
from xlscorecard.web.accounts import Role, add_user
from xlscorecard.web.audit import read_audit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PASSWORDS = {"ann": "ann's long password", "olly": "olly's long password", "lucy": "lucy's long password",
             "quin": "quin's long password"}
ROLES = {"ann": Role.analyst, "olly": Role.officer, "lucy": Role.analyst, "quin": Role.analyst}


# ------------------------------------------------------------------ helpers


def make_site(root: Path) -> tuple[Path, Path]:
    """(returns folder with the example's return, users file with the accounts above)."""
    returns = root / "returns"
    returns.mkdir(parents=True)
    api.convert_file(EXAMPLE, out=returns)
    users = root / "users.json"
    for name, password in PASSWORDS.items():
        add_user(users, name, ROLES[name], password)
    return returns, users


def client(base: str, **kwargs: Any) -> httpx.Client:
    return httpx.Client(base_url=base, trust_env=False, follow_redirects=False, timeout=60, **kwargs)


def token_in(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return unescape(found[1])


def sign_in(c: httpx.Client, name: str, password: str | None = None) -> httpx.Response:
    page = c.get("/signin")
    assert page.status_code == 200
    return c.post("/signin", data={"user": name, "password": password or PASSWORDS[name],
                                   "csrf_token": token_in(page.text), "next": "/"})


def upload(c: httpx.Client, url: str = "/api/returns", filename: str = "Q2 scorecard.xlsx",
           data: bytes | None = None, **fields: str) -> httpx.Response:
    return c.post(url, files={"workbook": (filename, data or EXAMPLE.read_bytes(), XLSX)}, data=fields)


def the_return(returns: Path) -> str:
    return next(p.name for p in returns.glob("*return.xlsx"))


def uploads_in(returns: Path) -> list[str]:
    folder = returns / "uploads"
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("site")
    returns, users = make_site(root)
    base, proc = start_server(returns, root / "server.log", "--users", str(users))
    try:
        yield {"base": base, "returns": returns, "users": users, "audit": returns / "audit.jsonl", "root": root}
    finally:
        stop(proc)


# ------------------------------------------------------------------ who may do what


def test_without_credentials_list_download_and_upload_are_refused(site: dict[str, Any]) -> None:
    returns = site["returns"]
    name = the_return(returns)
    before = uploads_in(returns)
    with client(site["base"]) as c:
        # The API: 401 with a Basic challenge, for scripts.
        listing = c.get("/api/returns")
        assert listing.status_code == 401
        assert listing.headers["www-authenticate"].startswith("Basic ")
        assert name not in listing.text
        assert c.get(f"/api/returns/{name}/findings").status_code == 401
        assert upload(c).status_code == 401
        # The browser: the sign-in page, coming back to where it was going.
        for url in ("/", f"/returns/{name}"):
            r = c.get(url)
            assert r.status_code == 303
            assert r.headers["location"].startswith("/signin?next=")
            assert r.content == b""
        assert upload(c, "/upload").headers["location"] == "/signin"
        signin = c.get(c.get("/").headers["location"])
        assert signin.status_code == 200
        assert "<h1>Sign in</h1>" in signin.text and name not in signin.text
        assert "<script" not in signin.text
    assert uploads_in(returns) == before


def test_an_officer_lists_and_downloads_but_may_not_upload(site: dict[str, Any]) -> None:
    returns = site["returns"]
    name = the_return(returns)
    before = uploads_in(returns)
    with client(site["base"], auth=("olly", PASSWORDS["olly"])) as c:
        listing = c.get("/api/returns")
        assert listing.status_code == 200
        assert name in [e["name"] for e in listing.json()["returns"]]
        download = c.get(f"/returns/{name}")
        assert download.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(download.content), read_only=True)
        assert "Scorecard" in book.sheetnames
        book.close()
        refused = upload(c)
        assert refused.status_code == 403
        assert "officer" in refused.json()["detail"]
    with client(site["base"]) as c:
        assert sign_in(c, "olly").status_code == 303
        page = c.get("/")
        assert page.status_code == 200
        assert "Signed in as <strong>olly</strong> (officer)" in page.text
        assert "Upload and convert" not in page.text and "ask for an analyst account" in page.text
        assert upload(c, "/upload", csrf_token=token_in(page.text)).status_code == 403
    assert uploads_in(returns) == before


def test_an_analyst_uploads_and_the_page_shows_the_owner(site: dict[str, Any]) -> None:
    with client(site["base"], auth=("ann", PASSWORDS["ann"])) as c:
        r = upload(c)
        assert r.status_code == 201, r.text
        record = r.json()
        assert record["owner"] == "ann"
        entry = next(e for e in c.get("/api/returns").json()["returns"] if e["name"] == record["name"])
        assert entry["owner"] == "ann"
        assert c.get(record["download_url"]).status_code == 200
    with client(site["base"]) as c:
        sign_in(c, "olly")
        row = next(r for r in re.findall(r"<tr>.*?</tr>", c.get("/").text, re.S) if record["name"] in unescape(r))
        assert "Uploaded by ann" in row


def test_the_sign_in_page_signs_in_and_out_with_a_strict_cookie(site: dict[str, Any]) -> None:
    with client(site["base"]) as c:
        r = sign_in(c, "ann")
        assert r.status_code == 303 and r.headers["location"] == "/"
        cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("xlscorecard_session="))
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert {"httponly", "max-age", "path", "samesite"} <= flags and "secure" not in flags  # plain HTTP here
        assert "samesite=strict" in cookie.lower()
        token = c.cookies["xlscorecard_session"]
        page = c.get("/")
        assert "Upload and convert" in page.text
        out = c.post("/signout", data={"csrf_token": token_in(page.text)})
        assert out.status_code == 303 and out.headers["location"] == "/signin"
        assert c.get("/").status_code == 303
    # The old cookie is worth nothing once signed out.
    with client(site["base"], cookies={"xlscorecard_session": token}) as c:
        assert c.get("/").status_code == 303
        assert c.get("/api/returns").status_code == 401


def test_a_wrong_password_is_refused_on_the_page(site: dict[str, Any]) -> None:
    with client(site["base"]) as c:
        r = sign_in(c, "ann", "not the password")
        assert r.status_code == 401
        assert "The user name or password is not right." in r.text
        assert c.get("/").status_code == 303


# ------------------------------------------------------------------ forms and lockout


def test_a_form_post_without_the_csrf_token_is_refused(site: dict[str, Any]) -> None:
    returns = site["returns"]
    with client(site["base"]) as c:
        sign_in(c, "ann")
        token = token_in(c.get("/").text)
        before = uploads_in(returns)
        for fields in ({}, {"csrf_token": "x" * 43}):
            r = upload(c, "/upload", **fields)
            assert r.status_code == 403
            assert "the form had expired or came from elsewhere" in unescape(r.text)
        assert uploads_in(returns) == before
        # Sign-out without the token does not sign out.
        assert c.post("/signout", data={}).status_code == 403
        assert c.get("/").status_code == 200
        # The sign-in form needs its token too.
        with client(site["base"]) as fresh:
            fresh.get("/signin")
            r = fresh.post("/signin", data={"user": "ann", "password": PASSWORDS["ann"], "next": "/"})
            assert r.status_code == 403 and "xlscorecard_session" not in r.cookies
        # With the token the same form works.
        ok = upload(c, "/upload", csrf_token=token)
        assert ok.status_code == 303 and ok.headers["location"].endswith("/findings?uploaded=1")


def test_a_request_from_another_site_is_refused(site: dict[str, Any]) -> None:
    with client(site["base"], auth=("ann", PASSWORDS["ann"])) as c:
        r = c.post("/api/returns", files={"workbook": ("a.xlsx", EXAMPLE.read_bytes(), XLSX)},
                   headers={"Origin": "https://elsewhere.example"})
        assert r.status_code == 403
        assert "another site" in r.json()["detail"]


def test_repeated_failed_sign_ins_lock_the_account_out(site: dict[str, Any]) -> None:
    with client(site["base"]) as c:
        for _ in range(5):
            assert sign_in(c, "lucy", "a wrong guess").status_code == 401
        locked = sign_in(c, "lucy")  # the right password, now too late
        assert locked.status_code == 429
        assert "Too many failed sign-ins" in locked.text
        assert "xlscorecard_session" not in locked.cookies
    with client(site["base"], auth=("lucy", PASSWORDS["lucy"])) as c:
        r = c.get("/api/returns")
        assert r.status_code == 429 and "too many failed sign-ins" in r.json()["detail"]
    # Another account from the same address is not locked out by lucy's failures.
    with client(site["base"]) as c:
        assert sign_in(c, "quin").status_code == 303


def test_a_removed_account_is_signed_out_at_once(site: dict[str, Any], tmp_path: Path) -> None:
    users = site["users"]
    add_user(users, "temp", Role.analyst, "temporary password")
    with client(site["base"]) as c:
        assert sign_in(c, "temp", "temporary password").status_code == 303
        assert c.get("/").status_code == 200
        result = run_cli("users", "remove", "temp", "--users", users)
        assert result.returncode == 0, result.stderr
        assert c.get("/").status_code == 303


# ------------------------------------------------------------------ audit, names


def test_every_action_leaves_an_audit_line(site: dict[str, Any]) -> None:
    audit: Path = site["audit"]
    start = len(read_audit(audit))
    with client(site["base"]) as c:
        c.get("/api/returns")  # refused
        sign_in(c, "ann")
        token = token_in(c.get("/").text)
        made = upload(c, "/upload", csrf_token=token)
        name = made.headers["location"].split("/returns/")[1].rsplit("/findings", 1)[0]
        assert c.get(f"/returns/{name}").status_code == 200
        c.post("/signout", data={"csrf_token": token})
    lines = read_audit(audit)[start:]
    events = [(line["event"], line["user"]) for line in lines]
    assert events == [("refused", None), ("signin", "ann"), ("upload", "ann"), ("download", "ann"), ("signout", "ann")]
    for line in lines:
        assert line["address"] == "127.0.0.1"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["at"])
    assert lines[0]["status"] == 401 and lines[0]["path"] == "/api/returns"
    assert lines[2]["file"] == "Q2 scorecard.xlsx" and lines[2]["name"].startswith("uploads/")
    assert lines[3]["path"].startswith("/returns/uploads/")
    assert oct(audit.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\u2066", "\ufeff", "\u200f", "\u061c"])
def test_invisible_format_characters_are_stripped_from_names(site: dict[str, Any], hidden: str) -> None:
    sent = f"budget{hidden}xslx.evil.xlsx"
    with client(site["base"], auth=("quin", PASSWORDS["quin"])) as c:
        record = upload(c, filename=sent).json()
        assert record["file"] == "budgetxslx.evil.xlsx"
        assert hidden not in json.dumps(c.get("/api/returns").json(), ensure_ascii=False)
    with client(site["base"]) as c:
        sign_in(c, "quin")
        page = c.get("/").text
        assert "budgetxslx.evil.xlsx" in page and hidden not in page
    assert all(name.isascii() for name in uploads_in(site["returns"]))
