"""The sign-in page (plain HTML form, no JavaScript) and sign-out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from xlscorecard.web.auth import SIGN_IN, SIGN_OUT, AccessPolicy, Refusal, check_password_async, current_user
from xlscorecard.web.csrf import FIELD, form_is_genuine
from xlscorecard.web.sessions import COOKIE

Page = Callable[..., HTMLResponse]
MAX_FIELD_CHARS = 1024


def safe_next(target: str | None) -> str:
    """A path on this site to go to after signing in ("/" for anything else: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


def add_sign_in_routes(app: FastAPI, policy: AccessPolicy, page: Page) -> None:
    def audit(request: Request, event: str, user: str | None, **detail: object) -> None:
        """One line for this request (the guard then writes none for its response)."""
        request.state.audited = True
        policy.audit_event(event, user, getattr(request.state, "address", None), **detail)

    def root(request: Request) -> str:
        return request.scope.get("root_path", "").rstrip("/")

    def form(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("next", safe_next(request.query_params.get("next")))
        context.setdefault("error", None)
        context.setdefault("user_name", "")
        return page(request, "signin.html", status, password_accounts=policy.users is not None,
                    sso=policy.auth_header is not None, **context)

    @app.get(SIGN_IN, response_class=HTMLResponse, include_in_schema=False)
    def sign_in_page(request: Request) -> Response:
        user = current_user(request.state)
        if user is not None and user.via != "open":
            return RedirectResponse(root(request) + safe_next(request.query_params.get("next")), status_code=303)
        return form(request)

    @app.post(SIGN_IN, include_in_schema=False)
    async def sign_in(request: Request) -> Response:
        data = await request.form(max_files=0, max_fields=8, max_part_size=MAX_FIELD_CHARS)
        name = str(data.get("user", ""))[:MAX_FIELD_CHARS].strip()
        password = str(data.get("password", ""))[:MAX_FIELD_CHARS]
        target = safe_next(str(data.get("next", "")))
        address = getattr(request.state, "address", None) or "unknown"
        if not form_is_genuine(request, str(data.get(FIELD, ""))):
            audit(request, "refused", name or None, method="POST", path=SIGN_IN, status=403,
                  reason="sign-in form without its CSRF token")
            return form(request, 403, next=target, user_name=name,
                        error="The form had expired. Please sign in again.")
        if policy.users is None:
            return form(request, 404, next=target, error="This page signs people in through the council's sign-on.")
        if not name or not password:
            return form(request, 400, next=target, user_name=name, error="Enter your user name and password.")
        try:
            user = await check_password_async(policy, name, password, address)
        except Refusal as refusal:
            audit(request, "signin-failed", name, status=refusal.status, reason=refusal.message)
            message = ("Too many failed sign-ins: " + refusal.message.split("; ", 1)[1] + "."
                       if refusal.status == 429 else "The user name or password is not right.")
            return form(request, refusal.status, next=target, user_name=name, error=message)
        session = policy.sessions.start(name, user.role)
        audit(request, "signin", name, role=user.role.value)
        response = RedirectResponse(root(request) + target, status_code=303)
        response.set_cookie(COOKIE, session.token, httponly=True, samesite="strict", path="/",
                            max_age=int(policy.sessions.absolute_seconds),
                            secure=bool(getattr(request.state, "https", False)))
        return response

    @app.post(SIGN_OUT, include_in_schema=False)
    async def sign_out(request: Request) -> Response:
        data = await request.form(max_files=0, max_fields=8, max_part_size=MAX_FIELD_CHARS)
        user = current_user(request.state)
        if not form_is_genuine(request, str(data.get(FIELD, ""))):
            audit(request, "refused", user.name if user else None, method="POST", path=SIGN_OUT, status=403,
                  reason="sign-out form without its CSRF token")
            return page(request, "error.html", 403, title="Request refused",
                        message="the form had expired; go back, reload the page and try again")
        if user is not None and user.session:
            policy.sessions.end(user.session)
        audit(request, "signout", user.name if user else None)
        response = RedirectResponse(root(request) + SIGN_IN, status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response
