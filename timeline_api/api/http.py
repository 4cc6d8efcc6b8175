"""What every response gets: ETag and 304s, caching, CORS, and the API docs' assets."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, g, request, send_from_directory
from flask_cors import CORS
from flask_swagger_ui import __file__ as swagger_ui_package

EXPOSED_HEADERS = ["ETag", "Link", "X-Total-Count", "X-Request-ID"]

# Swagger UI 5 (it reads OpenAPI 3.1), from the flask-swagger-ui wheel's dist folder.
SWAGGER_UI = Path(swagger_ui_package).parent / "dist"
docs_assets = Blueprint("docs_assets", __name__)


@docs_assets.route("/docs/assets/<path:filename>")
def asset(filename: str) -> Response:
    """Swagger UI's scripts and styles, shipped in a Python package: no CDN, works offline."""
    return send_from_directory(SWAGGER_UI, filename, max_age=86400)


# A request id a client or proxy sends is kept when it looks like one; otherwise we make one.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _take_request_id() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def _give_request_id(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id") or uuid.uuid4().hex
    return response


def _conditional(response: Response) -> Response:
    """An ETag on every successful GET, and 304 when the client already has it."""
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.add_etag()
        response.headers.setdefault("Cache-Control", _cache_control())
        response.make_conditional(request)
    return response


def _cache_control() -> str:
    return f"public, max-age={current_app.config['CACHE_MAX_AGE']}"


def init_app(app: Flask) -> None:
    CORS(
        app,
        origins=list(app.config["CORS_ORIGINS"]),
        # Writes carry a bearer token, not cookies, so allowing them cross-origin opens no
        # CSRF hole; an editing app in the browser needs them.
        methods=["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "If-Match",
            "If-None-Match",
            "X-Request-ID",
        ],
        expose_headers=EXPOSED_HEADERS,
        max_age=86400,
    )
    app.register_blueprint(docs_assets)
    app.before_request(_take_request_id)
    app.after_request(_conditional)
    app.after_request(_give_request_id)
