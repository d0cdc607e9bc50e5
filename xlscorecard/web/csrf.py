"""CSRF tokens for every form, without JavaScript: a hidden field the server checks.

A signed-in session carries its own token. Without a session (the sign-in form, or a user signed
in by the council's single sign-on header), the token is also kept in a SameSite=Strict cookie and
the form must send the same value back (double submit). An open page (`--no-auth`) has no
credentials a forged form could borrow, so its forms are not checked.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from xlscorecard.web.auth import current_user

FIELD = "csrf_token"
COOKIE = "xlscorecard_form"


def form_token(request: Request) -> str:
    """The token to put in this page's forms (remembered for `set_form_cookie`)."""
    user = current_user(request.state)
    if user is not None and user.csrf:
        return user.csrf
    token = request.cookies.get(COOKIE) or getattr(request.state, "new_form_token", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_form_token = token
    return token


def set_form_cookie(request: Request, response: Response) -> None:
    """Send the cookie half of a new double-submit token with the page that shows the form."""
    token = getattr(request.state, "new_form_token", None)
    if token:
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/",
                            secure=bool(getattr(request.state, "https", False)))


def form_is_genuine(request: Request, submitted: str | None) -> bool:
    """True when `submitted` is this browser's token (always on an open page)."""
    user = current_user(request.state)
    if user is not None and user.via == "open":
        return True
    expected = (user.csrf if user else None) or request.cookies.get(COOKIE)
    return bool(expected and submitted) and hmac.compare_digest(str(expected), str(submitted))
