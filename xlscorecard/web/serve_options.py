"""`serve`'s account and retention options, checked before anything listens."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from xlscorecard.core.errors import ScorecardError
from xlscorecard.web.accounts import UserStore
from xlscorecard.web.audit import AUDIT_FILE, AuditLog
from xlscorecard.web.auth import AccessPolicy, RoleMap, load_role_map, parse_networks
from xlscorecard.web.folder import ReturnsFolder
from xlscorecard.web.retention import Retention
from xlscorecard.web.sessions import SessionStore


@dataclass
class ServeOptions:
    returns: Path
    host: str = "127.0.0.1"
    users: Path | None = None
    auth_header: str | None = None
    trusted_proxy: list[str] = field(default_factory=list)
    roles: Path | None = None
    no_auth: bool = False
    keep_days: float = 30
    quota_mb: float = 200.0
    quota_uploads: int = 100
    session_minutes: float = 60
    audit_log: Path | None = None
    certfile: Path | None = None
    keyfile: Path | None = None


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def build(options: ServeOptions) -> tuple[AccessPolicy, Retention]:
    """The access policy and retention for `serve`, or ScorecardError (one line) for unusable options."""
    o = options
    if o.auth_header and not o.trusted_proxy:
        raise ScorecardError("--auth-header needs --trusted-proxy ADDR: the header is believed only from that proxy")
    if o.trusted_proxy and not o.auth_header:
        raise ScorecardError("--trusted-proxy is used with --auth-header NAME")
    if o.auth_header and not o.roles:
        raise ScorecardError("--auth-header needs --roles FILE mapping sign-on user names to roles")
    if o.no_auth and (o.users or o.auth_header):
        raise ScorecardError("--no-auth cannot be combined with --users or --auth-header")
    if not (o.users or o.auth_header or o.no_auth) and not is_loopback(o.host):
        raise ScorecardError(
            f"refusing to serve returns on {o.host} without sign-in: give --users FILE, "
            "or --auth-header NAME --trusted-proxy ADDR, or --no-auth for an open page")
    if o.keyfile and not o.certfile:
        raise ScorecardError("--keyfile needs --certfile")
    for path in (o.certfile, o.keyfile):
        if path is not None and not path.is_file():
            raise ScorecardError("not found", path)
    folder = ReturnsFolder(o.returns)
    policy = AccessPolicy(
        users=UserStore(o.users) if o.users else None,
        auth_header=o.auth_header.lower() if o.auth_header else None,
        trusted_proxies=parse_networks(o.trusted_proxy),
        roles=load_role_map(o.roles) if o.roles else RoleMap(),
        sessions=SessionStore(idle_seconds=o.session_minutes * 60),
        https=o.certfile is not None,
    )
    try:
        policy.audit = AuditLog(o.audit_log or folder.root / AUDIT_FILE)
    except OSError as exc:
        raise ScorecardError(f"audit log cannot be written ({exc.strerror})", o.audit_log or folder.root) from None
    retention = Retention(folder, keep_days=o.keep_days, quota_bytes=int(o.quota_mb * 1024**2),
                          quota_uploads=o.quota_uploads)
    return policy, retention
