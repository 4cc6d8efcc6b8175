"""Fields shared by the schemas: slugs, partial dates, country codes."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate

from timeline_api.dates import InvalidDate, parse_partial_date

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class Pattern(validate.Regexp):
    """A Regexp the whole value must match. Python's `$` also matches before a final newline,
    which let "cyber\n" in beside "cyber"; the pattern keeps `$` so that the OpenAPI
    document's (ECMAScript) patterns still read the same."""

    def __call__(self, value: Any) -> Any:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


def slug(**metadata: Any) -> fields.String:
    """A public id: lowercase letters, digits and single hyphens."""
    return fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=120),
            Pattern(SLUG_PATTERN, error="must be lowercase letters, digits and hyphens"),
        ],
        metadata=metadata,
    )


def country_code(**kwargs: Any) -> fields.String:
    """An ISO 3166-1 alpha-2 code such as TW."""
    return fields.String(
        validate=Pattern(r"^[A-Z]{2}$", error="must be two capital letters (ISO 3166-1)"),
        **kwargs,
    )


class PartialDateField(fields.String):
    """A YYYY, YYYY-MM or YYYY-MM-DD date; loads to a PartialDate, dumps as entered."""

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
