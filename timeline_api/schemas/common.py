"""Schemas every resource shares: problems, paging metadata, links."""

from __future__ import annotations

import copy
import inspect
from typing import Any, ClassVar

from marshmallow import Schema, fields
from marshmallow.schema import SchemaMeta

from timeline_api.schemas.dumping import Dumper, compile_dumper


class Documented(Schema):
    """A schema whose docstring becomes its description in the OpenAPI document."""

    error_messages = {  # noqa: RUF012 (marshmallow merges it along the class hierarchy)
        "unknown": "is not a parameter or field of this endpoint"
    }

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        description = inspect.cleandoc(cls.__doc__ or "")
        cls.Meta = type("Meta", (cls.Meta,), {"description": description})  # type: ignore[misc,assignment]  # own Meta

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        """What marshmallow's `dump` gives, through steps compiled once per schema instance."""
        many = self.many if many is None else many
        dumpers: dict[bool, Dumper] = self.__dict__.setdefault("_dumpers", {})
        if many not in dumpers:
            dumpers[many] = compile_dumper(self, many)
        return dumpers[many](obj)


class _ShownMeta(SchemaMeta):
    """Marks every declared field `required` unless the class names it in `optional`."""

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> Any:
        klass = super().__new__(mcs, name, bases, attrs)
        optional = getattr(klass, "optional", ())
        for field_name, field in list(klass._declared_fields.items()):
            # A copy: an inherited field is its base's object, and a subclass that makes it
            # optional must not make it optional in the base too.
            own = copy.copy(field)
            own.required = field_name not in optional
            klass._declared_fields[field_name] = own
        return klass


class Shown(Documented, metaclass=_ShownMeta):
    """A schema of what responses give: its members are always there (maybe null), so the
    document marks them `required` and generated clients need not test for them. A member
    that is sometimes left out is named in `optional`."""

    optional: ClassVar[tuple[str, ...]] = ()


class ProblemItemSchema(Shown):
    """One thing wrong with the request."""

    optional = ("parameter", "pointer", "at")

    parameter = fields.String(
        metadata={"description": "The query or path parameter at fault.", "example": "from"}
    )
    pointer = fields.String(
        metadata={"description": "JSON pointer to the body member at fault.", "example": "/title"}
    )
    detail = fields.String(
        metadata={"description": "Why it is wrong.", "example": "must not be after 'to'"}
    )
    at = fields.String(
        metadata={"description": "The line or row of an imported file.", "example": "row 3"}
    )


class ProblemSchema(Shown):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    optional = ("errors",)

    type = fields.String(
        metadata={
            "description": "A URI naming the kind of problem; `about:blank`: the status says it.",
            "example": "about:blank",
        }
    )
    title = fields.String(
        metadata={"description": "The HTTP status phrase.", "example": "Bad Request"}
    )
    status = fields.Integer(metadata={"description": "The HTTP status code.", "example": 400})
    detail = fields.String(
        metadata={
            "description": "What was wrong, for people.",
            "example": "'from' must not be after 'to'",
        }
    )
    errors = fields.List(
        fields.Nested(ProblemItemSchema),
        metadata={"description": "Each field at fault, with the reason."},
    )


class PageMetaSchema(Shown):
    """Where this page sits in the whole result."""

    total = fields.Integer(
        allow_none=True,
        metadata={
            "description": "How many records match the filters, on all pages. Events: always "
            "given, exact unless `total_is_exact` is false (a search matching more than "
            "10,000 events is estimated). Other lists: null when more than 10,000 match.",
            "example": 31,
        },
    )
    total_is_exact = fields.Boolean(
        metadata={
            "description": "False when `total` is an estimate rather than a count.",
            "example": True,
        }
    )
    count = fields.Integer(
        metadata={"description": "How many records this page holds.", "example": 31}
    )
    limit = fields.Integer(metadata={"description": "The page size asked for.", "example": 50})
    sort = fields.String(metadata={"description": "The order of the records.", "example": "start"})
    next_cursor = fields.String(
        allow_none=True,
        metadata={
            "description": "Pass as `cursor` to get the next page; null on the last page.",
            "example": None,
        },
    )


class PageLinksSchema(Shown):
    """Absolute URLs of this page and the next."""

    self = fields.String(
        metadata={
            "format": "uri",
            "description": "This page.",
            "example": "http://127.0.0.1:8000/v1/events?from=2022",
        }
    )
    next = fields.String(
        allow_none=True,
        metadata={
            "format": "uri",
            "description": "The next page, or null on the last one.",
            "example": None,
        },
    )


class NoQuery(Documented):
    """No query parameters: any one given is refused as unknown, never ignored."""


def page_schema(item: type[Documented], name: str, class_name: str | None = None) -> type[Shown]:
    """The envelope of a list: `data` (items of `item`), `meta` and `links`."""
    envelope: type[Shown] = _ShownMeta(
        class_name or f"{item.__name__.removesuffix('Schema')}PageSchema",
        (Shown,),
        {
            "__doc__": f"A page of {name}.",
            "data": fields.List(fields.Nested(item), metadata={"description": f"The {name}."}),
            "meta": fields.Nested(PageMetaSchema, metadata={"description": "Totals and paging."}),
            "links": fields.Nested(
                PageLinksSchema, metadata={"description": "This page and the next."}
            ),
        },
    )
    return envelope
