"""Who is asking, and may they: one ASGI middleware over the whole app, so every route (including
routes added later) is covered; only the sign-in page and the stylesheet are open.

A request is signed in by, in order:
1. the single sign-on header (`--auth-header NAME`), trusted only from `--trusted-proxy` addresses,
   with the role from a mapping file;
2. the session cookie set by the sign-in page;
3. HTTP Basic credentials of the same accounts (for scripts using the JSON API and downloads).

Without any of them, /api answers 401 (with a Basic challenge) and pages redirect to the sign-in
page. Officers may only read (GET, HEAD); analysts may also send (uploads). A request that changes
something is refused when its Origin is another site. Refusals and downloads go to the audit log.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlsplit

import anyio
from pydantic import BaseModel, ValidationError
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xlscorecard.core.errors import ScorecardError
from xlscorecard.web.accounts import Role, UserStore, invisible
from xlscorecard.web.audit import AuditLog
from xlscorecard.web.sessions import COOKIE, SessionStore, SignInLimiter

SIGN_IN = "/signin"
SIGN_OUT = "/signout"
# The favicon browsers ask for by themselves: a 404 either way, not worth a refusal in the log.
OPEN_PATHS = frozenset({SIGN_IN, "/static/style.css", "/favicon.ico"})
READ_METHODS = frozenset({"GET", "HEAD"})
HSTS = (b"strict-transport-security", b"max-age=31536000")
# Each Argon2 check takes tens of milliseconds and 64 MB: a few at a time, off the event loop.
_PASSWORD_CHECKS = anyio.CapacityLimiter(2)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class User:
    """The person behind a request. `name` is None on an open page (`--no-auth`)."""

    name: str | None
    role: Role
    via: Literal["open", "session", "basic", "header"]
    csrf: str | None = None  # the session's form token (sessions only)
    session: str | None = None


OPEN_USER = User(None, Role.analyst, "open")


class RoleMap(BaseModel):
    """The single sign-on mapping file (TOML): `default = "officer"` (optional) and `[users]`."""

    default: Role | None = None
    users: dict[str, Role] = {}

    def role_of(self, name: str) -> Role | None:
        return self.users.get(name, self.default)


def load_role_map(path: Path) -> RoleMap:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScorecardError("roles file not found", path) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScorecardError(f"is not a readable TOML roles file ({exc})", path) from None
    try:
        return RoleMap.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ScorecardError(f"is not a roles file ({'.'.join(map(str, first['loc']))}: {first['msg']})",
                             path) from None


def parse_networks(addresses: list[str]) -> tuple[Network, ...]:
    """'10.0.0.5' or '10.0.0.0/24' each; ScorecardError for anything else."""
    try:
        return tuple(ipaddress.ip_network(a.strip(), strict=False) for a in addresses)
    except ValueError as exc:
        raise ScorecardError(f"--trusted-proxy: {exc}") from None


@dataclass
class AccessPolicy:
    """How `serve` signs people in; with neither users nor a header the page is open."""

    users: UserStore | None = None
    auth_header: str | None = None
    trusted_proxies: tuple[Network, ...] = ()
    roles: RoleMap = field(default_factory=RoleMap)
    sessions: SessionStore = field(default_factory=SessionStore)
    limiter: SignInLimiter = field(default_factory=SignInLimiter)
    audit: AuditLog | None = None
    https: bool = False  # served over TLS directly: HSTS, Secure cookies

    @property
    def is_open(self) -> bool:
        return self.users is None and self.auth_header is None

    def audit_event(self, event: str, user: str | None, address: str | None, **detail: object) -> None:
        if self.audit is not None:
            self.audit.write(event, user=user, address=address, **detail)


# ------------------------------------------------------------------ reading a request


def relative_path(scope: Scope) -> str:
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "").rstrip("/")
    return path[len(root):] or "/" if root and path.startswith(root) else path


def from_trusted_proxy(policy: AccessPolicy, scope: Scope) -> bool:
    peer = (scope.get("client") or (None, None))[0]
    try:
        ip = ipaddress.ip_address(peer)
    except (TypeError, ValueError):
        return False
    return any(ip in network for network in policy.trusted_proxies)


def client_address(policy: AccessPolicy, scope: Scope) -> str:
    """The requester: the proxy's X-Forwarded-For (last hop) when it comes from a trusted proxy."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    if from_trusted_proxy(policy, scope):
        forwarded = Headers(scope=scope).get("x-forwarded-for", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return str(peer)


def is_https(policy: AccessPolicy, scope: Scope) -> bool:
    if scope.get("scheme") == "https":
        return True
    return from_trusted_proxy(policy, scope) and Headers(scope=scope).get("x-forwarded-proto", "") == "https"


def cookie(scope: Scope, name: str) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(Headers(scope=scope).get("cookie", ""))
    except Exception:  # a malformed Cookie header is no cookie
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


def basic_credentials(scope: Scope) -> tuple[str, str] | None:
    value = Headers(scope=scope).get("authorization", "")
    scheme, _, encoded = value.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    name, sep, password = decoded.partition(":")
    return (name, password) if sep else None


class Refusal(Exception):
    def __init__(self, status: int, message: str, user: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.user = user


def identify(policy: AccessPolicy, scope: Scope, address: str) -> User | None:
    """The signed-in user, None when the request carries no credentials; Refusal when they are wrong."""
    if policy.is_open:
        return OPEN_USER
    if policy.auth_header and from_trusted_proxy(policy, scope):
        name = Headers(scope=scope).get(policy.auth_header, "").strip()
        if name:
            if any(invisible(ch) for ch in name):
                raise Refusal(403, "the sign-on header holds invisible characters")
            role = policy.roles.role_of(name)
            if role is None:
                raise Refusal(403, f"{name} has no role on this page; ask for one to be added", name)
            return User(name, role, "header")
    if policy.users is not None:
        session = policy.sessions.get(cookie(scope, COOKIE))
        if session is not None:
            role = policy.users.role_of(session.user)  # removed or changed accounts take effect now
            if role is not None:
                return User(session.user, role, "session", session.csrf, session.token)
            policy.sessions.end(session.token)
        credentials = basic_credentials(scope)
        if credentials is not None:
            return check_password(policy, *credentials, address=address)
    return None


async def check_password_async(policy: AccessPolicy, name: str, password: str, address: str) -> User:
    """check_password in a worker thread, a few at a time."""
    return await anyio.to_thread.run_sync(check_password, policy, name, password, address,
                                          limiter=_PASSWORD_CHECKS)


def check_password(policy: AccessPolicy, name: str, password: str, address: str) -> User:
    """The account if the password is right and it is not locked out; Refusal (401 / 429) if not."""
    assert policy.users is not None
    wait = policy.limiter.locked_for(name, address)
    if wait > 0:
        raise Refusal(429, f"too many failed sign-ins; try again in {max(1, round(wait / 60))} minutes", name)
    role = policy.users.verify(name, password)
    if role is None:
        policy.limiter.failed(name, address)
        raise Refusal(401, "the user name or password is not right", name)
    policy.limiter.succeeded(name, address)
    return User(name, role, "basic")


def same_origin(scope: Scope) -> bool:
    """True unless the browser says the request comes from another site (no Origin: a script)."""
    headers = Headers(scope=scope)
    origin = headers.get("origin")
    if origin is None:
        return True
    parts = urlsplit(origin)
    return bool(parts.netloc) and parts.netloc == headers.get("host") and parts.scheme in {"http", "https"}


# ------------------------------------------------------------------ the middleware

ErrorPage = Callable[[Scope, int, str], Response]


class AccessGuard:
    """Pure ASGI (request bodies stream through untouched)."""

    def __init__(self, app: ASGIApp, policy: AccessPolicy, error_page: ErrorPage) -> None:
        self.app = app
        self.policy = policy
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.policy
        path = relative_path(scope)
        method = scope.get("method", "GET")
        address = client_address(policy, scope)
        api = path.startswith("/api/") or path == "/api"
        https = is_https(policy, scope)
        state = scope.setdefault("state", {})
        state["address"] = address
        state["https"] = https

        try:
            if "authorization" in Headers(scope=scope):
                user = await anyio.to_thread.run_sync(identify, policy, scope, address, limiter=_PASSWORD_CHECKS)
            else:
                user = identify(policy, scope, address)
        except Refusal as refusal:
            policy.audit_event("refused", refusal.user, address, method=method, path=path,
                               status=refusal.status, reason=refusal.message)
            await self.refuse(scope, receive, send, refusal.status, refusal.message, api)
            return
        state["user"] = user
        name = user.name if user else None

        refusal = self.check(user, method, path, scope)
        if refusal is not None:
            status, message = refusal
            policy.audit_event("refused", name, address, method=method, path=path, status=status, reason=message)
            if status == 401 and not api:
                target = f"{scope.get('root_path', '').rstrip('/')}{SIGN_IN}"
                if method in READ_METHODS:
                    query = scope.get("query_string", b"").decode("latin-1")
                    target += "?next=" + quote(path + (f"?{query}" if query else ""), safe="")
                await RedirectResponse(target, status_code=303)(scope, receive, send)
                return
            await self.refuse(scope, receive, send, status, message, api)
            return

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                if https and policy.https:
                    message["headers"] = [*message.get("headers", []), HSTS]
                self.audit_response(message, name, address, method, path, state)
            await send(message)

        await self.app(scope, receive, watch)

    def check(self, user: User | None, method: str, path: str, scope: Scope) -> tuple[int, str] | None:
        """(status, reason) when the request may not go ahead, else None."""
        if method not in READ_METHODS and not same_origin(scope):
            return 403, "a form from another site cannot send requests here"
        if path in OPEN_PATHS:
            return None
        if user is None:
            return 401, "sign in to see the returns"
        if method not in READ_METHODS and path != SIGN_OUT and not user.role.may_upload:
            return 403, f"{user.name} is an officer: officers list and download returns; analysts also upload"
        return None

    async def refuse(self, scope: Scope, receive: Receive, send: Send, status: int, message: str, api: bool) -> None:
        if api:
            headers = {"WWW-Authenticate": 'Basic realm="xlscorecard", charset="UTF-8"'} if status == 401 else {}
            response: Response = JSONResponse({"detail": message}, status_code=status, headers=headers)
        else:
            response = self.error_page(scope, status, message)
        if self.policy.https and scope.get("scheme") == "https":
            response.headers["strict-transport-security"] = HSTS[1].decode()
        await response(scope, receive, send)

    def audit_response(self, message: Message, user: str | None, address: str, method: str, path: str,
                       state: dict[str, object]) -> None:
        status = message["status"]
        headers = Headers(raw=message.get("headers", []))
        if state.get("audited") or status == 404:
            return  # the route wrote its own line (sign-in); a missing page is not a refusal
        if status >= 400:
            self.policy.audit_event("refused", user, address, method=method, path=path, status=status)
        elif state.get("uploaded"):
            self.policy.audit_event("upload", user, address, path=path, status=status, name=state["uploaded"],
                                    file=state.get("uploaded_file"))
        elif "attachment" in headers.get("content-disposition", "") and method == "GET":
            self.policy.audit_event("download", user, address, path=path, status=status)


def current_user(state: object) -> User | None:
    """The user the guard put on the request: None when nobody is signed in; an open page's
    anonymous user when the app runs without a guard."""
    try:
        user = state.user  # type: ignore[attr-defined]
    except AttributeError:
        return OPEN_USER
    return user if isinstance(user, User) else None
