"""Fields shared by the schemas: slugs, partial dates, country codes."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate

from timeline_api.dates import InvalidDate, parse_partial_date

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def slug(**metadata: Any) -> fields.String:
    """A public id: lowercase letters, digits and single hyphens."""
    return fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=120),
            validate.Regexp(SLUG_PATTERN, error="must be lowercase letters, digits and hyphens"),
        ],
        metadata=metadata,
    )


def country_code(**kwargs: Any) -> fields.String:
    """An ISO 3166-1 alpha-2 code such as TW."""
    return fields.String(
        validate=validate.Regexp(r"^[A-Z]{2}$", error="must be two capital letters (ISO 3166-1)"),
        **kwargs,
    )


# What the document says a partial date looks like; parse_partial_date also refuses 2023-02-30.
PARTIAL_DATE_PATTERN = r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"


class PartialDateField(fields.String):
    """A YYYY, YYYY-MM or YYYY-MM-DD date; loads to a PartialDate, dumps as entered."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": PARTIAL_DATE_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_partial_date(text)
        except InvalidDate as error:
            raise ValidationError(str(error)) from None

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return str(value)


class Quantity(fields.Field[Any]):
    """A number that dumps as a JSON integer when whole (10, not 10.0 or "10.0000")."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        number = float(value)
        return int(number) if number.is_integer() else number
