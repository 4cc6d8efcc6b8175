"""/healthz and /readyz, for load balancers and orchestrators."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from marshmallow import fields
from sqlalchemy.exc import SQLAlchemyError

from timeline_api import migrate
from timeline_api.api.base import Blueprint
from timeline_api.api.errors import PROBLEM_JSON, problem
from timeline_api.schemas.common import ProblemSchema, Shown

blp = Blueprint("health", __name__, description="Liveness and readiness probes.")


class HealthSchema(Shown):
    """The state of this process and its database."""

    optional = ("revision",)

    status = fields.String(metadata={"description": "`ok` when healthy.", "example": "ok"})
    revision = fields.String(
        metadata={
            "description": "The database's migration revision (readyz only).",
            "example": "0002",
        }
    )


@blp.route("/healthz")
class Health(MethodView):
    @blp.doc(operationId="getHealth")
    @blp.response(200, HealthSchema)
    def get(self) -> Any:
        """Is the process alive

        Answers without touching the database.
        """
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.doc(operationId="getReadiness")
    @blp.response(200, HealthSchema)
    @blp.alt_response(
        503,
        schema=ProblemSchema,
        content_type=PROBLEM_JSON,
        description="The database is unreachable or not migrated to head.",
    )
    def get(self) -> Any:
        """Is the API ready to serve

        200 when the database answers and is migrated to the latest revision, else 503.
        """
        try:
            revision = migrate.current(current_app.extensions["db_engine"])
        except SQLAlchemyError:
            return problem(503, "The database is unreachable.", [("Retry-After", "5")])
        if revision != migrate.head():
            return problem(
                503,
                f"The database is at revision {revision}, not "
                f"{migrate.head()}: run `timeline-api db upgrade`.",
                [("Retry-After", "5")],
            )
        return {"status": "ok", "revision": revision}
