"""The officers' web page: list, download and upload formatted returns (`xlscorecard serve`).

Needs the web extras (fastapi, uvicorn, python-multipart, jinja2); nothing else imports this package.
"""

from xlscorecard.web.app import create_app, serve
from xlscorecard.web.folder import DEFAULT_MAX_UPLOAD_BYTES

__all__ = ["DEFAULT_MAX_UPLOAD_BYTES", "create_app", "serve"]
