"""Dumping without marshmallow's calls per field: each schema compiled once into plain steps.

marshmallow spends about 40 µs per event of a list (a dozen calls per field), more than the
SQL of the page should cost. `compile_dumper` reads a schema's fields once and returns a
function giving exactly what `Schema.dump` gives: same keys, order, missing keys skipped, None
kept. Fields it has no fast step for (custom `_serialize` or `get_value`, Pluck, Dict,
formats) are dumped by the field itself, and a schema with dump hooks entirely by marshmallow,
so the schemas remain the one definition of every response.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, fields, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import ensure_text_type, get_value

Convert = Callable[[Any], Any]  # a value that is not None → what JSON gets
Dumper = Callable[[Any], Any]


def compile_dumper(schema: Schema, many: bool = False) -> Dumper:
    """A function giving `schema.dump(obj, many=many)`, faster."""
    hooks = schema._hooks  # marshmallow's registry of @pre_dump/@post_dump methods
    if hooks[PRE_DUMP] or hooks[POST_DUMP] or _overrides_access(schema):
        return lambda obj: Schema.dump(schema, obj, many=many)
    one = _one(schema)
    return (lambda objs: [one(obj) for obj in objs]) if many else one


def _one(schema: Schema) -> Dumper:
    steps: list[tuple[str, str, tuple[str, ...], Convert]] = []
    slow: list[tuple[str, str, fields.Field[Any]]] = []  # dumped by the field itself
    order: list[str] = []
    for name, field in schema.dump_fields.items():
        key = field.data_key or name
        order.append(key)
        convert = _converter(field)
        own_value = type(field).get_value is not fields.Field.get_value  # computed, not read
        if convert is None or field.dump_default is not missing or own_value:
            slow.append((key, name, field))
        else:
            first, *rest = (field.attribute or name).split(".")
            steps.append((key, first, tuple(rest), convert))

    def dump(obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        # A dict (the lists' records: its own `get`, the common case), an ORM record or a
        # dataclass (attributes), or anything else marshmallow reads: decided once per object.
        if type(obj) is dict:
            read: Callable[[str, Any], Any] = obj.get
        elif hasattr(obj, "__getitem__"):
            read = lambda name, _missing: _item(obj, name)  # noqa: E731
        else:
            read = lambda name, default: getattr(obj, name, default)  # noqa: E731
        for key, first, rest, convert in steps:
            value = read(first, missing)
            for part in rest:
                value = _item(value, part)
            if value is not missing:
                out[key] = None if value is None else convert(value)
        if not slow:
            return out
        for key, name, field in slow:
            value = field.serialize(name, obj, accessor=schema.get_attribute)
            if value is not missing:
                out[key] = value
        return {key: out[key] for key in order if key in out}

    return dump


def _item(obj: Any, key: str) -> Any:
    """marshmallow's `get_value` for one key: a dict's item, else an item or attribute."""
    if type(obj) is dict:
        return obj.get(key, missing)
    return get_value(obj, key, missing)


def _text(value: Any) -> str:
    return value if type(value) is str else ensure_text_type(value)


def _integer(value: Any) -> int:
    return value if type(value) is int else int(value)


def _same(value: Any) -> Any:
    return value


def _iso(value: Any) -> str:
    return value.isoformat()  # type: ignore[no-any-return]


def _converter(field: fields.Field[Any]) -> Convert | None:
    """The fast step for `field`'s values, or None when only the field can dump them."""
    if _dumps_as(field, fields.String):  # and Url
        return _text
    if _dumps_as(field, fields.Integer):
        return None if field.as_string else _integer  # type: ignore[attr-defined]
    if _dumps_as(field, fields.DateTime) or _dumps_as(field, fields.Date):
        return _iso if getattr(field, "format", None) in (None, "iso", "iso8601") else None
    if isinstance(field, fields.Nested) and _dumps_as(field, fields.Nested):
        return compile_dumper(field.schema, many=bool(field.schema.many or field.many))
    if isinstance(field, fields.List) and _dumps_as(field, fields.List):
        inner = _converter(field.inner)
        if inner is None:
            return None
        return lambda values: [None if each is None else inner(each) for each in values]
    if _dumps_as(field, fields.Field):  # Boolean, Raw: values as they are
        return _same
    return None


def _dumps_as(field: fields.Field[Any], kind: type[fields.Field[Any]]) -> bool:
    """Whether `field` is a `kind` that dumps exactly as `kind` does (no own `_serialize`)."""
    return isinstance(field, kind) and type(field)._serialize is kind._serialize


def _overrides_access(schema: Schema) -> bool:
    return type(schema).get_attribute is not Schema.get_attribute
