"""The officers' web page (`xlscorecard serve`): list, download and upload formatted returns.

Plain HTML that works without JavaScript, one local stylesheet, and JSON twins of each page under
/api. Routes:

    GET  /                                   returns in DIR and the upload form
    POST /upload                             form upload -> 303 to the return's findings page
    GET  /returns/{name}                     download a return (.xlsx inside DIR only)
    GET  /returns/{name}/findings            a return's findings as a page
    GET  /returns/{name}/view                the return as a page: scorecard by section, trends, findings
    GET  /returns/{name}/pdf                 download the PDF printed beside the return, when there is one
    GET  /api/returns                        the listing as JSON
    POST /api/returns                        upload -> 201 with the findings record as JSON
    GET  /api/returns/{name}/findings        a return's findings as JSON
    GET  /api/returns/{name}/view            the check --json object behind the page view (its sidecar)
    GET  /static/style.css                   the stylesheet
    GET  /signin, POST /signin, POST /signout  accounts (web/signin.py)

Every route sits behind web/auth.py's guard: with accounts or a sign-on header configured, only
the sign-in page and the stylesheet answer without signing in.

`name` is the file's path relative to DIR with "/" separators (uploads are "uploads/<file>").
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xlscorecard import __version__
from xlscorecard.core.settings import Settings
from xlscorecard.web import csrf
from xlscorecard.web.auth import AccessGuard, AccessPolicy, current_user
from xlscorecard.web.folder import (
    DEFAULT_MAX_UPLOAD_BYTES,
    XLSX_MEDIA_TYPE,
    FindingsRecord,
    InvalidName,
    ReturnEntry,
    ReturnNotFound,
    ReturnsFolder,
    UploadRejected,
)
from xlscorecard.web.retention import QuotaExceeded, Retention, RetentionSweeper
from xlscorecard.web.signin import add_sign_in_routes
from xlscorecard.web.upload import FIELD, UploadRefused, receive_workbook, size_text
from xlscorecard.web.worker import UploadConverter, WorkerLimits
from xlscorecard.xlsx.safety import DEFAULT_LIMITS, SafetyLimits

log = logging.getLogger(__name__)

_TITLES = {400: "Request refused", 401: "Sign in", 403: "Not allowed", 404: "Not found", 405: "Not allowed",
           413: "Upload too large", 429: "Too many attempts", 500: "Server error"}

_SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
     b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    # Not "no-referrer": under it browsers send "Origin: null" with our own forms, and the guard
    # (web/auth.py) refuses a request that changes something unless its Origin is this site.
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


class WebError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@contextlib.contextmanager
def _named(name: str) -> Iterator[None]:
    """A return named in a URL: a name that can never be one is 400, one that is not there 404."""
    try:
        yield
    except InvalidName:
        raise WebError(400, f"not a return name: {name!r}") from None
    except ReturnNotFound as exc:
        raise WebError(404, str(exc)) from None


class _SecurityHeaders:
    """Pure ASGI (request bodies stream through untouched): no external content, no framing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _resource(*parts: str) -> str:
    """A file shipped inside the package (works from a wheel, not only from a checkout)."""
    return files("xlscorecard.web").joinpath(*parts).read_text(encoding="utf-8")


def _templates() -> jinja2.Environment:
    folder = files("xlscorecard.web").joinpath("templates")
    sources = {
        entry.name: entry.read_text(encoding="utf-8") for entry in folder.iterdir() if entry.name.endswith(".html")
    }
    env = jinja2.Environment(
        loader=jinja2.DictLoader(sources),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["size_text"] = size_text
    return env


def _when(iso: str | None) -> str:
    """'2024-05-01T14:03:22+00:00' -> '1 May 2024 14:03 UTC' (the raw text if it is not a date)."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    zone = " UTC" if moment.utcoffset() is not None and not moment.utcoffset() else moment.strftime(" %z").rstrip()
    return f"{moment.day} {moment:%b %Y %H:%M}{zone}"


def _attachment(filename: str) -> str:
    """Content-Disposition naming the file: plain ASCII for every client, UTF-8 for those that read it."""
    plain = re.sub(r'[^\x20-\x7e]|["\\]', "_", filename)
    if plain == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def create_app(
    returns_dir: Path,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    *,
    settings: Settings | None = None,
    limits: SafetyLimits = DEFAULT_LIMITS,
    access: AccessPolicy | None = None,
    retention: Retention | None = None,
    layouts: list[Any] | None = None,
    workers: WorkerLimits | None = None,
) -> FastAPI:
    """The web app serving `returns_dir`; uploads over `max_upload_bytes` are refused while streaming.

    `access` says who may sign in (open to anyone when None); `retention` bounds the uploads kept
    (defaults: 30 days, the default quota). Each upload is converted in a worker process within
    `workers`' limits (time, memory, how many at once).
    """
    if max_upload_bytes <= 0:
        raise ValueError("max_upload_bytes must be positive")
    folder = ReturnsFolder(returns_dir, limits, layouts or ())
    folder.remove_stale_temp_files()
    access = access or AccessPolicy()
    retention = retention or Retention(folder)
    retention.sweep()
    env = _templates()
    css = _resource("static", "style.css")
    converter = UploadConverter(folder.root, limits, workers or WorkerLimits(), folder.layouts)

    # Swagger and ReDoc pages load scripts from a CDN: off. The schema itself is local.
    app = FastAPI(
        title="xlscorecard returns", version=__version__, docs_url=None, redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.add_middleware(RetentionSweeper, retention=retention)
    app.add_middleware(AccessGuard, policy=access, error_page=lambda scope, status, message: error_response(
        Request(scope), status, message))
    app.add_middleware(_SecurityHeaders)

    def root(request: Request) -> str:
        return request.scope.get("root_path", "").rstrip("/")

    def download_url(request: Request, name: str) -> str:
        return f"{root(request)}/returns/{quote(name, safe='/')}"

    def findings_url(request: Request, name: str, api: bool = False) -> str:
        return f"{root(request)}{'/api' if api else ''}/returns/{quote(name, safe='/')}/findings"

    def view_url(request: Request, name: str) -> str:
        return f"{root(request)}/returns/{quote(name, safe='/')}/view"

    def pdf_url(request: Request, name: str) -> str:
        return f"{root(request)}/returns/{quote(name, safe='/')}/pdf"

    def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        user = current_user(request.state)
        html = env.get_template(template).render(
            root=root(request), version=__version__, download_url=lambda n: download_url(request, n),
            findings_url=lambda n: findings_url(request, n), view_url=lambda n: view_url(request, n),
            pdf_url=lambda n: pdf_url(request, n), open_page=access.is_open,
            signed_in=user if user and user.name else None, csrf_token=csrf.form_token(request),
            may_upload=bool(user and user.role.may_upload), **context,
        )
        response = HTMLResponse(html, status_code=status)
        csrf.set_form_cookie(request, response)
        return response

    def index_page(request: Request, status: int = 200, error: str | None = None) -> HTMLResponse:
        listing = folder.listing()
        companions = {e.name: folder.companions(e.name) for e in listing.returns if e.name}
        return page(request, "index.html", status, listing=listing, error=error, companions=companions,
                    max_upload_bytes=max_upload_bytes, field=FIELD)

    def entry_json(request: Request, entry: ReturnEntry) -> dict[str, Any]:
        data = entry.model_dump(mode="json")
        data["download_url"] = download_url(request, entry.name) if entry.name else None
        data["findings_url"] = findings_url(request, entry.name, api=True) if entry.name else None
        return data

    def record_json(request: Request, record: FindingsRecord) -> dict[str, Any]:
        data = record.model_dump(mode="json")
        data["download_url"] = download_url(request, record.name)
        data["findings_url"] = findings_url(request, record.name, api=True)
        return data

    def findings_of(name: str) -> FindingsRecord:
        with _named(name):
            return folder.findings(name)

    async def upload(request: Request, form: bool = False) -> FindingsRecord:
        user = current_user(request.state)
        owner = user.name if user else None
        try:
            await anyio.to_thread.run_sync(retention.check_quota, owner)
            uploads = folder.uploads_dir()
            received = await receive_workbook(request, uploads, max_upload_bytes)
        except QuotaExceeded as exc:
            raise WebError(403, str(exc)) from None
        except UploadRefused as exc:
            raise WebError(exc.status, exc.message) from None
        except ClientDisconnect:
            raise WebError(400, "the upload was interrupted") from None
        try:
            if form and not csrf.form_is_genuine(request, received.fields.get(csrf.FIELD)):
                raise WebError(403, "the form had expired or came from elsewhere; reload the page and upload again")
            await anyio.to_thread.run_sync(retention.check_quota, owner, received.size)
        except QuotaExceeded as exc:
            received.path.unlink(missing_ok=True)
            raise WebError(403, str(exc)) from None
        except WebError:
            received.path.unlink(missing_ok=True)
            raise
        try:
            record = await converter.store(received, settings, owner)
        except UploadRejected as exc:
            raise WebError(400, str(exc)) from None
        request.state.uploaded, request.state.uploaded_file = record.name, record.file  # for the audit log
        return record

    # --- pages ---------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> HTMLResponse:
        return index_page(request)

    @app.post("/upload", include_in_schema=False)
    async def upload_form(request: Request) -> Response:
        try:
            record = await upload(request, form=True)
        except WebError as exc:
            # The form again, with the reason above it, so the officer can try another file.
            return index_page(request, exc.status, error=exc.message)
        return RedirectResponse(f"{findings_url(request, record.name)}?uploaded=1", status_code=303)

    @app.get("/returns/{name:path}/findings", response_class=HTMLResponse, include_in_schema=False)
    def findings_page(request: Request, name: str, uploaded: bool = False) -> HTMLResponse:
        record = findings_of(name)
        return page(request, "findings.html", record=record, uploaded=uploaded,
                    has_view=folder.companions(record.name)[0])

    @app.get("/returns/{name:path}/view", response_class=HTMLResponse, include_in_schema=False)
    def scorecard_page(request: Request, name: str) -> HTMLResponse:
        from xlscorecard.web.view import scorecard_view

        with _named(name):
            check = folder.page_view(name)
            has_pdf = folder.pdf_of(name) is not None
        return page(request, "scorecard.html", view=scorecard_view(check), name=name, has_pdf=has_pdf)

    @app.get("/returns/{name:path}/pdf", response_class=FileResponse, summary="Download a return's PDF")
    def download_pdf(name: str) -> FileResponse:
        with _named(name):
            path = folder.pdf_of(name)
        if path is None:
            raise WebError(404, f"no PDF has been printed for {name}")
        return FileResponse(path, media_type="application/pdf", headers={
            "Content-Disposition": _attachment(path.name), "Cache-Control": "no-store",
        })

    @app.get("/returns/{name:path}", response_class=FileResponse, summary="Download a return")
    def download(name: str) -> FileResponse:
        with _named(name):
            path = folder.locate_return(name)
        return FileResponse(path, media_type=XLSX_MEDIA_TYPE, headers={
            "Content-Disposition": _attachment(path.name), "Cache-Control": "no-store",
        })

    @app.get("/static/style.css", include_in_schema=False)
    def stylesheet() -> Response:
        return Response(css, media_type="text/css; charset=utf-8", headers={"Cache-Control": "max-age=3600"})

    add_sign_in_routes(app, access, page)

    # --- JSON ----------------------------------------------------------------------------
    @app.get("/api/returns", summary="The returns in the folder")
    def api_list(request: Request) -> dict[str, Any]:
        listing = folder.listing()
        return {
            "returns": [entry_json(request, e) for e in listing.returns],
            "failed": [entry_json(request, e) for e in listing.failed],
            "notice": listing.notice,
        }

    @app.post("/api/returns", status_code=201, summary=f"Upload a workbook (multipart field '{FIELD}')")
    async def api_upload(request: Request) -> dict[str, Any]:
        return record_json(request, await upload(request))

    @app.get("/api/returns/{name:path}/view", summary="The check --json object behind a return's page view")
    def api_view(name: str) -> dict[str, Any]:
        with _named(name):
            return folder.page_view(name)

    @app.get("/api/returns/{name:path}/findings", summary="A return's findings")
    def api_findings(request: Request, name: str) -> dict[str, Any]:
        return record_json(request, findings_of(name))

    # --- errors: JSON under /api, a page elsewhere --------------------------------------
    def error_response(request: Request, status: int, message: str) -> Response:
        path = request.scope.get("path", "")
        if path.startswith(("/api/", f"{root(request)}/api/")):
            return JSONResponse({"detail": message}, status_code=status)
        return page(request, "error.html", status, title=_TITLES.get(status, "Error"), message=message)

    @app.exception_handler(WebError)
    async def on_web_error(request: Request, exc: WebError) -> Response:
        return error_response(request, exc.status, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = {404: "there is no page at this address"}.get(exc.status_code, str(exc.detail))
        return error_response(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def on_bad_request(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 400, "the request's parameters are not valid")

    @app.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return error_response(request, 500, "something went wrong on the server; the error has been logged")

    return app


def serve(returns: Path, host: str = "127.0.0.1", port: int = 8000,
          max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES, layouts: list[Any] | None = None, *,
          access: AccessPolicy | None = None, retention: Retention | None = None, certfile: Path | None = None,
          keyfile: Path | None = None, workers: WorkerLimits | None = None) -> None:
    """Run the page with uvicorn until interrupted (HTTPS when given a certificate)."""
    import uvicorn

    app = create_app(returns, max_upload_bytes, layouts=layouts, access=access, retention=retention, workers=workers)
    # proxy_headers off: only web/auth.py decides whom to believe about the client's address.
    uvicorn.run(app, host=host, port=port, server_header=False, log_level="info", timeout_graceful_shutdown=5,
                proxy_headers=False, ssl_certfile=str(certfile) if certfile else None,
                ssl_keyfile=str(keyfile) if keyfile else None)
