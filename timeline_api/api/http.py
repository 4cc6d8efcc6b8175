"""What every response gets: ETag and 304s, caching, CORS, and the API docs' assets."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request, send_from_directory
from flask_cors import CORS
from swagger_ui_bundle import swagger_ui_path

EXPOSED_HEADERS = ["ETag", "Link", "X-Total-Count", "X-Request-ID"]

docs_assets = Blueprint("docs_assets", __name__)


@docs_assets.route("/docs/assets/<path:filename>")
def asset(filename: str) -> Response:
    """Swagger UI's scripts and styles, shipped in a Python package: no CDN, works offline."""
    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)


def _conditional(response: Response) -> Response:
    """An ETag on every successful GET, and 304 when the client already has it."""
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.add_etag()
        response.headers.setdefault("Cache-Control", _cache_control())
        response.make_conditional(request)
    return response


def _cache_control() -> str:
    from flask import current_app

    return f"public, max-age={current_app.config['CACHE_MAX_AGE']}"


def init_app(app: Flask) -> None:
    CORS(
        app,
        origins=list(app.config["CORS_ORIGINS"]),
        methods=["GET", "HEAD", "OPTIONS"],
        expose_headers=EXPOSED_HEADERS,
        max_age=86400,
    )
    app.register_blueprint(docs_assets)
    app.after_request(_conditional)
