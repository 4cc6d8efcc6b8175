"""What every response gets: ETag and 304s, compression, caching, CORS, the docs' assets."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, g, request, send_from_directory
from flask_compress import Compress
from flask_cors import CORS
from flask_swagger_ui import __file__ as swagger_ui_package

EXPOSED_HEADERS = ["ETag", "Link", "X-Total-Count", "X-Request-ID"]

# Compressed only when the client's Accept-Encoding asks, preferring the cheapest to make
# (zstd, then brotli, then gzip: bench/render.py); "deflate" is left out, as clients disagree
# on what it means. Under 1 KiB a response fits one packet anyway.
CODINGS = ("zstd", "br", "gzip")
COMPRESSION = {
    "COMPRESS_ALGORITHM": list(CODINGS),
    "COMPRESS_ALGORITHM_STREAMING": ["zstd", "br"],  # gzip cannot be streamed by the library
    "COMPRESS_MIN_SIZE": 1024,
    "COMPRESS_MIMETYPES": [
        "application/json",
        "text/csv",
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/x-ndjson",  # streamed: zstd or brotli chunk by chunk (not gzip)
        "text/calendar",
        "application/atom+xml",
    ],
    # Swagger UI's files are streamed: compare their ETag with the coding's suffix too.
    "COMPRESS_STREAMING_ENDPOINT_CONDITIONAL": ["docs_assets.asset"],
}

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


# The HTML pages (/docs, /timeline) load everything from this server and send nothing
# elsewhere. Swagger UI's page starts itself with an inline script, hence 'unsafe-inline' for
# scripts and styles; no outside origin is allowed for anything.
HTML_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def _give_request_id(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id") or uuid.uuid4().hex
    # Browsers take every answer as its Content-Type says (a CSV or JSON never runs as HTML).
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = HTML_POLICY
    return response


def _conditional(response: Response) -> Response:
    """An ETag on every successful GET, and 304 when the client already has it.

    The ETag is a hash of the uncompressed body; flask-compress, running after this, gives a
    compressed answer its own strong ETag ("<hash>:gzip") and checks If-None-Match again.
    """
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        if response.is_streamed and "ETag" not in response.headers:
            # Hashing a stream would read all of it into memory first: it goes untagged.
            response.headers.setdefault("Cache-Control", _cache_control())
            return response
        response.add_etag()
        response.headers.setdefault("Cache-Control", _cache_control())
        response.make_conditional(request)
    return response


def _cache_control() -> str:
    # A private deployment's answers are for the token's holder: a browser may keep them, a
    # shared cache (the CDN the README suggests) must not.
    scope = "private" if current_app.config["READ_REQUIRES_TOKEN"] else "public"
    return f"{scope}, max-age={current_app.config['CACHE_MAX_AGE']}"


def _private(response: Response) -> Response:
    """Private deployments: every /v1 answer depends on the token, and only 200s are kept."""
    if current_app.config["READ_REQUIRES_TOKEN"] and request.path.startswith("/v1/"):
        response.vary.add("Authorization")
        response.headers.setdefault("Cache-Control", "private, no-store")
    return response


def init_app(app: Flask) -> None:
    for key, value in COMPRESSION.items():
        app.config.setdefault(key, value)
    # Registered first, so that it runs last: after the ETag is taken from the plain body.
    Compress(app)
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
    app.after_request(_private)  # after _conditional: registered first, it runs last
    app.after_request(_conditional)
    app.after_request(_give_request_id)
