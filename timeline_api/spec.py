"""The OpenAPI document: its front matter, and dumping it as YAML (CLI, server and a test)."""

from __future__ import annotations

from typing import Any

import yaml
from flask import Flask

DESCRIPTION = """\
A timeline of dated events, each citing the documents and sentences it comes from.

* **Dates** are as precise as their sources allow: `2002` (a year), `2025-06` (a month) or
  `2025-06-05` (a day); `start_precision` says which. `earliest` and `latest` give the widest
  days a date can mean, and range filters read dates at their widest.
* **Conflicts stay visible**: an event whose date a source disputes has `disputed: true` and lists
  the other dates, with who claims them, in `alternative_dates`.
* **Paging** is by cursor: follow `links.next` (or the `Link` header) until it is null.
* **Caching**: every GET answers with an `ETag`; send it back in `If-None-Match` for a `304`.
* **Editing** needs a token. Writes take what reads give: `PUT` the body a `GET` returned, with a
  member changed, and `If-Match` with its ETag. `If-Match` compares the record's own state, so a
  change to another record that refers to it (a new event naming an actor) is no conflict.
* **Errors** are RFC 9457 `application/problem+json`, naming each parameter at fault.
* **No personal data**: only organisations, public officials, authors and historical figures
  are named.
"""


def describe() -> dict[str, Any]:
    """The document's front matter, passed to flask-smorest as spec_kwargs."""
    return {
        "info": {
            "description": DESCRIPTION,
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "tags": [],
    }


def as_dict(app: Flask) -> dict[str, Any]:
    return app.extensions["api"].spec.to_dict()  # type: ignore[no-any-return]


def as_yaml(app: Flask) -> str:
    """The OpenAPI document as committed in openapi.yaml."""
    with app.app_context():
        document = as_dict(app)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
