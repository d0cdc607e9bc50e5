"""Signed-in sessions and the limit on failed sign-ins, both held in the server's memory.

A session is a random token (`secrets`) in an HttpOnly, SameSite=Strict cookie; the server keeps
what it stands for, so signing out or removing the account ends it at once. A restart signs
everyone out, which is the safe way round.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from xlscorecard.web.accounts import Role

COOKIE = "xlscorecard_session"
DEFAULT_IDLE_MINUTES = 60
ABSOLUTE_HOURS = 12
MAX_TRACKED = 10_000  # failure records kept before old ones are forgotten


@dataclass
class Session:
    token: str
    user: str
    role: Role
    csrf: str  # the token every form of this session carries
    started: float
    last_seen: float


class SessionStore:
    """Sessions by token; each ends after `idle_seconds` without a request, or ABSOLUTE_HOURS in all."""

    def __init__(self, idle_seconds: float = DEFAULT_IDLE_MINUTES * 60,
                 absolute_seconds: float = ABSOLUTE_HOURS * 3600) -> None:
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_seconds
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def start(self, user: str, role: Role) -> Session:
        """A new session (a fresh token at every sign-in, so a planted cookie is worth nothing)."""
        now = time.monotonic()
        session = Session(secrets.token_urlsafe(32), user, role, secrets.token_urlsafe(32), now, now)
        with self._lock:
            self._drop_expired(now)
            self._sessions[session.token] = session
        return session

    def get(self, token: str | None) -> Session | None:
        """The live session for `token`, its idle clock restarted; None when unknown or expired."""
        if not token:
            return None
        now = time.monotonic()
        with self._lock:
            session = self._sessions.get(token)
            if session is None:
                return None
            if self._expired(session, now):
                del self._sessions[token]
                return None
            session.last_seen = now
            return session

    def end(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)

    def _expired(self, session: Session, now: float) -> bool:
        return now - session.last_seen > self.idle_seconds or now - session.started > self.absolute_seconds

    def _drop_expired(self, now: float) -> None:
        for token in [t for t, s in self._sessions.items() if self._expired(s, now)]:
            del self._sessions[token]


@dataclass
class _Failures:
    times: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


class SignInLimiter:
    """Failed sign-ins, counted per account and address, and per address over all accounts.

    After `per_account` failures for one account from one address within `window` seconds, that
    pair is locked out for `lockout` seconds; after `per_address` failures from one address (any
    accounts), the address is. A lockout holds even for the right password.
    """

    def __init__(self, per_account: int = 5, per_address: int = 20,
                 window: float = 15 * 60, lockout: float = 15 * 60) -> None:
        self.per_account = per_account
        self.per_address = per_address
        self.window = window
        self.lockout = lockout
        self._failures: dict[tuple[str, str | None], _Failures] = {}
        self._lock = threading.Lock()

    def _keys(self, user: str, address: str) -> list[tuple[tuple[str, str | None], int]]:
        return [((address, user), self.per_account), ((address, None), self.per_address)]

    def locked_for(self, user: str, address: str) -> float:
        """Seconds until `user` may try again from `address` (0 when not locked)."""
        now = time.monotonic()
        with self._lock:
            waits = [self._failures[k].locked_until - now for k, _ in self._keys(user, address) if k in self._failures]
        return max([0.0, *waits])

    def failed(self, user: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._failures) > MAX_TRACKED:
                self._forget_old(now)
            for key, limit in self._keys(user, address):
                record = self._failures.setdefault(key, _Failures())
                record.times.append(now)
                while record.times and now - record.times[0] > self.window:
                    record.times.popleft()
                if len(record.times) >= limit:
                    record.locked_until = now + self.lockout
                    record.times.clear()

    def _forget_old(self, now: float) -> None:
        """Drop records with no recent failure and no lockout (guessed names must not fill memory)."""
        for key, record in list(self._failures.items()):
            if now >= record.locked_until and (not record.times or now - record.times[-1] > self.window):
                del self._failures[key]

    def succeeded(self, user: str, address: str) -> None:
        with self._lock:
            self._failures.pop((address, user), None)
