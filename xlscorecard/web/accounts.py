"""Accounts for the officers' page: a JSON file of names, roles and Argon2 password hashes.

`xlscorecard users add|remove|list` edits the file (atomically, mode 0600); `serve --users FILE`
reads it, and reads it again whenever it changes, so a removed account is signed out at once.
Only a salted, slow hash is stored (argon2-cffi's PHC string: algorithm, parameters, salt, hash).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
import unicodedata
from enum import StrEnum
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ValidationError

from xlscorecard.core.errors import ScorecardError

DEFAULT_USERS_FILE = Path("users.json")
MIN_PASSWORD_CHARS = 10
MAX_NAME_CHARS = 64

_hasher = PasswordHasher()
# Verified when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class Role(StrEnum):
    """Officers list and download returns; analysts also upload."""

    officer = "officer"
    analyst = "analyst"

    @property
    def may_upload(self) -> bool:
        return self is Role.analyst


class Account(BaseModel):
    role: Role
    password_hash: str


class AccountsFile(BaseModel):
    users: dict[str, Account] = {}


def invisible(ch: str) -> bool:
    """Control, format (bidirectional overrides, zero-width) and line/paragraph separator characters."""
    return unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"}


def check_user_name(name: str) -> str:
    """A user name as typed, or ScorecardError: 1-64 visible characters, no spaces at either end."""
    if not name or len(name) > MAX_NAME_CHARS:
        raise ScorecardError(f"a user name has 1 to {MAX_NAME_CHARS} characters: {name!r}")
    if any(invisible(ch) for ch in name) or name != name.strip() or ":" in name:
        raise ScorecardError(f"a user name may not hold invisible characters, a colon or outer spaces: {name!r}")
    return name


def load_accounts(path: Path) -> AccountsFile:
    """The accounts in `path`; ScorecardError (one line naming the file) if it cannot be used."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ScorecardError("users file not found (create it with `xlscorecard users add`)", path) from None
    except OSError as exc:
        raise ScorecardError(f"users file cannot be read ({exc.strerror})", path) from None
    try:
        return AccountsFile.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ScorecardError(f"is not a users file ({where}: {first['msg']})", path) from None


def save_accounts(path: Path, accounts: AccountsFile) -> None:
    """Write the file whole or not at all, readable by its owner only (mkstemp's 0600 is kept)."""
    text = json.dumps(accounts.model_dump(mode="json"), indent=1, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with open(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


def add_user(path: Path, name: str, role: Role, password: str) -> bool:
    """Add the account, or replace its role and password; True if it is new."""
    check_user_name(name)
    if len(password) < MIN_PASSWORD_CHARS:
        raise ScorecardError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    accounts = load_accounts(path) if path.exists() else AccountsFile()
    new = name not in accounts.users
    accounts.users[name] = Account(role=role, password_hash=_hasher.hash(password))
    save_accounts(path, accounts)
    return new


def remove_user(path: Path, name: str) -> None:
    accounts = load_accounts(path)
    if name not in accounts.users:
        raise ScorecardError(f"has no user named {name!r}", path)
    del accounts.users[name]
    save_accounts(path, accounts)


class UserStore:
    """The accounts file as the server sees it: reloaded when it changes on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._signature: tuple[int, int] | None = None
        self._accounts = AccountsFile()
        self.reload()  # a missing or broken file stops `serve` before it starts

    def reload(self) -> None:
        with self._lock:
            st = self.path.stat() if self.path.exists() else None
            signature = (st.st_mtime_ns, st.st_size) if st else None
            if signature == self._signature and signature is not None:
                return
            self._accounts = load_accounts(self.path)
            self._signature = signature

    def _current(self) -> AccountsFile:
        with contextlib.suppress(ScorecardError):  # a file being edited: keep the accounts last read
            self.reload()
        return self._accounts

    def role_of(self, name: str) -> Role | None:
        account = self._current().users.get(name)
        return account.role if account else None

    def verify(self, name: str, password: str) -> Role | None:
        """The account's role if the password is right, else None (as slow for unknown names)."""
        account = self._current().users.get(name)
        try:
            _hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        return account.role if account else None
