"""The API's front door: an index, the OpenAPI document as YAML, and health checks."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, url_for

from timeline_api import spec
from timeline_api.api import page

blp = Blueprint("meta", __name__)


@blp.get("/")
def index() -> Any:
    """Where to start: the resources and the documentation; in a browser, the timeline."""
    if page.wants_page():
        return page.timeline()
    return _index(), 200, {"Vary": "Accept"}


def _index() -> dict[str, Any]:
    return {
        "name": "timeline-api",
        "docs": url_for("api-docs.openapi_swagger_ui", _external=True),
        "openapi": url_for("api-docs.openapi_json", _external=True),
        "timeline": url_for("page.timeline", _external=True),
        "resources": {
            name: url_for(f"{name}.{view}", _external=True)
            for name, view in (
                ("events", "EventList"),
                ("actors", "ActorList"),
                ("sources", "SourceList"),
                ("tags", "TagList"),
                ("event-types", "EventTypeList"),
                ("countries", "CountryList"),
                ("series", "SeriesList"),
                ("stats", "EventCounts"),
                ("changes", "Changes"),
            )
        },
    }


@blp.get("/openapi.yaml")
def openapi_yaml() -> Response:
    """The same document as /openapi.json, as YAML."""
    return Response(
        spec.as_yaml(current_app._get_current_object()),  # type: ignore[attr-defined]
        mimetype="application/yaml",
    )
