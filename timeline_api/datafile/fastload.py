"""Loading and dumping items fast: plans compiled from each schema's fields.

marshmallow takes about 140 µs to load one event, which caps an import near 7,000 events a
second. The plan below does what marshmallow does for the values a data file usually holds (a
string where a string is expected, an int, a bool, a list, a nested item) and builds the same
result; anything else (a wrong type, a failed validator, a value needing conversion) makes it
give up, and marshmallow loads the item itself: it accepts it or explains what is wrong. So the
schema stays the one definition. Dumping calls each field's own `_serialize` except where
the value is already what it would return (a str for a String field). tests/test_datafile.py
checks that both agree with marshmallow.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, missing, validate

from timeline_api.dates import InvalidDate, PartialDate, parse_partial_date
from timeline_api.schemas.fields import PartialDateField

Plan = Callable[[Any], Any]


class GiveUp(Exception):
    """The plan cannot vouch for this value; let marshmallow decide."""


_GIVE_UP = GiveUp()
_DATES: dict[str, PartialDate] = {}  # a file repeats its dates; parsing each once is enough


def load(schema: Schema, raw: Any) -> Any:
    """What `schema.load(raw)` returns; raises marshmallow's ValidationError when it would."""
    try:
        return plan_of(schema)(raw)
    except GiveUp:
        return schema.load(raw)


_PLANS: dict[int, Plan] = {}


def plan_of(schema: Schema) -> Plan:
    """The compiled plan of a schema instance (compiled once)."""
    plan = _PLANS.get(id(schema))
    if plan is None:
        plan = _PLANS[id(schema)] = _schema_plan(schema)
    return plan


def _schema_plan(schema: Schema) -> Plan:
    members = [(name, field, _field_plan(field)) for name, field in schema.load_fields.items()]
    known = frozenset(name for name, _field, _plan in members)
    check = getattr(schema, "check", None)
    normalise = getattr(schema, "normalise", None)

    def run(raw: Any) -> Any:
        if type(raw) is not dict or not known.issuperset(raw):
            raise _GIVE_UP
        data: dict[str, Any] = {}
        for name, field, plan in members:
            value = raw.get(name, missing)
            if value is missing:
                if field.required:
                    raise _GIVE_UP
                default = field.load_default
                if default is not missing:
                    data[name] = default() if callable(default) else default
            elif value is None:
                if not field.allow_none:
                    raise _GIVE_UP
                data[name] = None
            else:
                data[name] = plan(value)
        if check is not None:
            try:
                check(data)
            except ValidationError:
                raise _GIVE_UP from None
        return normalise(data) if normalise is not None else data

    return run


def _field_plan(field: fields.Field[Any]) -> Plan:
    """How to load one present, non-null value of `field`."""
    tests = [_validator_test(v) for v in field.validators]
    if isinstance(field, fields.Nested):
        convert = plan_of(field.schema)
    elif isinstance(field, fields.List):
        convert = _list_plan(_field_plan(field.inner))
    elif isinstance(field, PartialDateField):
        convert = _date
    elif type(field) is fields.String:
        convert = _typed(str)
    elif type(field) is fields.Integer and field.strict:
        convert = _typed(int)
    elif type(field) is fields.Boolean:
        convert = _typed(bool)
    else:
        return _marshmallow_field(field)  # Url, Decimal: marshmallow's own field, no schema
    if not tests:
        return convert

    def validated(value: Any) -> Any:
        result = convert(value)
        for test in tests:
            if not test(result):
                raise _GIVE_UP
        return result

    return validated


def _typed(kind: type) -> Plan:
    def exactly(value: Any) -> Any:
        if type(value) is not kind:  # bool is an int, str subclasses exist: leave them to it
            raise _GIVE_UP
        return value

    return exactly


def _list_plan(inner: Plan) -> Plan:
    def each(value: Any) -> Any:
        if type(value) is not list:
            raise _GIVE_UP
        return [inner(item) for item in value]

    return each


def _date(value: Any) -> PartialDate:
    if type(value) is not str:
        raise _GIVE_UP
    found = _DATES.get(value)
    if found is None:
        try:
            found = parse_partial_date(value)
        except InvalidDate:
            raise _GIVE_UP from None
        if len(_DATES) > 100_000:
            _DATES.clear()
        _DATES[value] = found
    return found


def _marshmallow_field(field: fields.Field[Any]) -> Plan:
    def deserialize(value: Any) -> Any:
        try:
            return field.deserialize(value)
        except ValidationError:
            raise _GIVE_UP from None

    return deserialize


def _validator_test(validator: Any) -> Callable[[Any], bool]:
    """A predicate true when `validator` would let the value through."""
    if isinstance(validator, validate.Length) and validator.equal is None:
        low, high = validator.min, validator.max
        return lambda value: (
            (low is None or len(value) >= low) and (high is None or len(value) <= high)
        )
    if isinstance(validator, validate.Regexp):
        pattern: re.Pattern[str] = validator.regex  # type: ignore[assignment]
        # fullmatch: as strict as fields.Pattern, and for other patterns (all anchored) no
        # laxer; what it refuses goes to marshmallow, which says why.
        return lambda value: pattern.fullmatch(value) is not None
    if isinstance(validator, validate.OneOf):
        choices = frozenset(validator.choices)
        return lambda value: value in choices
    if (
        isinstance(validator, validate.Range)
        and validator.min_inclusive
        and validator.max_inclusive
    ):
        low, high = validator.min, validator.max
        return lambda value: (low is None or value >= low) and (high is None or value <= high)

    def other(value: Any) -> bool:
        try:
            validator(value)
        except ValidationError:
            return False
        return True

    return other


# --- Dumping -----------------------------------------------------------------------------------

_DUMPS: dict[int, Plan] = {}
_AS_IS = {fields.String: str, fields.Integer: int, fields.Boolean: bool}


def dump(schema: Schema, item: Any) -> Any:
    """What `schema.dump(item)` returns for the file-item schemas (dict items, compacted)."""
    plan = _DUMPS.get(id(schema))
    if plan is None:
        plan = _DUMPS[id(schema)] = _dump_plan(schema)
    return plan(item)


def _dump_plan(schema: Schema) -> Plan:
    members = [(name, _dump_field(field)) for name, field in schema.dump_fields.items()]

    def run(item: Any) -> Any:
        out = {}
        for name, plan in members:
            value = item.get(name)
            if value is not None:
                value = plan(value)
                if value is not None and value != []:  # the schemas' compaction
                    out[name] = value
        return out

    return run


def _dump_field(field: fields.Field[Any]) -> Plan:
    if isinstance(field, fields.Nested):
        nested = field.schema
        return lambda value: dump(nested, value)
    if isinstance(field, fields.List):
        inner = _dump_field(field.inner)
        return lambda value: [inner(each) for each in value]
    kind = _AS_IS.get(type(field))
    if kind is not None and not getattr(field, "as_string", False):

        def as_is(value: Any) -> Any:
            return value if type(value) is kind else field._serialize(value, None, None)

        return as_is
    return lambda value: field._serialize(value, None, None)
