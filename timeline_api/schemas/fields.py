"""Fields shared by the schemas: slugs, partial dates, country codes."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime
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


# A date-time as date pickers send it: 2024-01-01T00:00:00.000Z, ...+08:00, ...[Asia/Taipei].
_DATE_TIME = re.compile(
    r"^(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?"
    r"(?P<offset>Z|[+-][0-9]{2}:?[0-9]{2})?(?:\[(?P<zone>[^\]]+)\])?$"
)


class QueryDateField(PartialDateField):
    """A filter's date: YYYY, YYYY-MM, YYYY-MM-DD, or an ISO 8601 date-time whose date is used.

    The date written in a date-time is the day in the time zone the value gives (an offset, Z,
    or a bracketed zone name), so it is kept as written, never shifted to UTC; a zone name the
    server does not know is refused by name rather than guessed.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = value.strip() if isinstance(value, str) else value
        moment = _DATE_TIME.match(text) if isinstance(text, str) else None
        if moment is None:
            return super()._deserialize(value, attr, data, **kwargs)
        try:  # the clock part must be a real time too: 25:00 is a typo, not midnight
            datetime.fromisoformat(text.split("[", 1)[0].replace(" ", "T"))
        except ValueError:
            raise ValidationError(f"is not a real date-time: got {text!r}") from None
        zone = moment["zone"]
        if zone is not None and not _known_zone(zone):
            raise ValidationError(
                f"names a time zone this server does not know: {zone!r}; "
                "give an offset such as +08:00 or Z, or an IANA name such as Asia/Taipei"
            )
        return super()._deserialize(moment["date"], attr, data, **kwargs)


def _known_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


class Quantity(fields.Field[Any]):
    """A number that dumps as a JSON integer when whole (10, not 10.0 or "10.0000")."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        number = float(value)
        return int(number) if number.is_integer() else number
