"""The application factory: configuration, extensions, blueprints, errors. Wiring only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from timeline_api import db
from timeline_api.api import (
    actors,
    auth,
    errors,
    event_types,
    events,
    health,
    history,
    http,
    imports,
    lookups,
    meta,
    page,
    series,
    sources,
    stats,
    tags,
    writes,
)
from timeline_api.api.base import Api
from timeline_api.api.json_provider import OrjsonProvider
from timeline_api.config import Config
from timeline_api.spec import describe

BLUEPRINTS = (
    events.blp,
    actors.blp,
    sources.blp,
    tags.blp,
    event_types.blp,
    lookups.countries,
    series.blp,
    stats.blp,
    history.blp,
    imports.blp,
    health.blp,
)


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment; tests pass `overrides`."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(Config.from_environ().as_flask())
    app.config.update(overrides or {})
    app.json = OrjsonProvider(app)  # pretty, unsorted, UTF-8: as before, 40x faster
    db.init_app(app)
    api = Api(app, spec_kwargs=describe())
    api.spec.components.security_scheme("bearerAuth", auth.SCHEME)
    api.spec.components.schema("MergePatch", writes.MERGE_PATCH_SCHEMA)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.extensions["api"] = api
    errors.register(app)
    app.register_blueprint(meta.blp)
    app.register_blueprint(page.blp)
    http.init_app(app)
    app.before_request(auth.guard_reads)
    return app
