"""The page to look at: /timeline (and / in a browser), drawn by the shipped timeline.js."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, render_template, request, url_for

WEB = Path(__file__).resolve().parent.parent / "web"
blp = Blueprint("page", __name__, template_folder=str(WEB))
# The page's own files, read whole: small, and no file left open behind a compressed answer.
ASSETS = {"timeline.js": "text/javascript", "timeline.css": "text/css"}


def wants_page() -> bool:
    """A browser asks for HTML first; API clients (curl's */*, fetch's JSON) get JSON."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


@blp.get("/timeline")
def timeline() -> Response:
    """The timeline, zoomable and pannable, with filters in its address."""
    html = render_template(
        "timeline.html",
        assets=url_for("page.asset", name="x").removesuffix("/x"),
        docs=url_for("api-docs.openapi_swagger_ui"),
    )
    return Response(html, mimetype="text/html", headers={"Vary": "Accept"})


@blp.get("/timeline/assets/<name>")
def asset(name: str) -> Response:
    """The page's script and style, shipped in the package: no CDN, works offline."""
    if name not in ASSETS:
        abort(404, f"No asset is named '{name}'.")
    body = (WEB / name).read_bytes()
    response = Response(body, mimetype=ASSETS[name])
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
