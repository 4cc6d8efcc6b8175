"""/v1/countries, and what the lists of actors, sources, tags and event types share."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from timeline_api import db
from timeline_api.api.base import Blueprint
from timeline_api.api.paging import envelope
from timeline_api.queries import lookups as queries
from timeline_api.schemas import lookups as schemas
from timeline_api.schemas.common import NoQuery
from timeline_api.schemas.lookups import ListArgs

countries = Blueprint(
    "countries",
    __name__,
    url_prefix="/v1/countries",
    description=("Countries events and actors refer to (ISO 3166-1 alpha-2)."),
)


def page(statement: Any, model: Any, args: ListArgs) -> Any:
    """A page of a list in id order, with its envelope and headers."""
    found = queries.page(db.session(), statement, model, args.limit, args.after)
    body, headers = envelope(found, {"id": queries.by_slug(model)})
    return body, 200, headers


def found(model: Any, id: str) -> Any:
    """The record as its GET shows it (with its event count), or None."""
    record = queries.one(db.session(), model, id)
    if record is not None:
        record.event_count = queries.event_count(db.session(), record)
    return record


@countries.route("")
class CountryList(MethodView):
    @countries.doc(operationId="listCountries")
    @countries.arguments(NoQuery, location="query", as_kwargs=True)
    @countries.response(200, schemas.CountryListSchema)
    @countries.problems(400)
    def get(self) -> Any:
        """List countries

        Every country an event or actor refers to, by ISO 3166-1 alpha-2 code.
        """
        return {"data": queries.countries(db.session())}
