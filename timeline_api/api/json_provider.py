"""JSON responses rendered by orjson: the standard library's bytes, at a fraction of the cost."""

from __future__ import annotations

from typing import Any, cast

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider

# Dates go through `default` as with Flask's provider (schemas have made them strings already).
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME


class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON provider with orjson writing what the API sends.

    The output is byte for byte what `json.dumps(obj, ensure_ascii=False, indent=2)` gives for
    the API's data: keys in the schemas' order, non-ASCII as UTF-8, two-space indents (curl
    users read it; orjson indents for free and compression erases the spaces' weight), so ETags
    are unchanged. What orjson refuses (integers past 64 bits, non-string keys) falls back to
    the standard library. Request bodies are still read by the standard library: they are
    small, and their parsing errors stay as they were.
    """

    sort_keys = False
    ensure_ascii = False
    compact = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs.keys() <= {"sort_keys", "indent"} and kwargs.get("indent") in (None, 2):
            try:
                return self._encode(obj, **kwargs).decode()
            except orjson.JSONEncodeError:
                pass
        return super().dumps(obj, **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        pretty = self.compact is False or (self.compact is None and self._app.debug)
        try:
            body = self._encode(obj, indent=2 if pretty else None) + b"\n"
        except orjson.JSONEncodeError:
            layout: dict[str, Any] = {"indent": 2} if pretty else {"separators": (",", ":")}
            text = super().dumps(obj, **layout)
            try:
                body = f"{text}\n".encode()
            except UnicodeEncodeError:  # a lone surrogate a problem echoes from bad input
                body = f"{super().dumps(obj, ensure_ascii=True, **layout)}\n".encode()
        response_class = cast(type[Response], self._app.response_class)  # a Flask app's
        return response_class(body, mimetype=self.mimetype)

    def _encode(self, obj: Any, sort_keys: bool | None = None, indent: int | None = None) -> bytes:
        option = _OPTIONS
        if sort_keys if sort_keys is not None else self.sort_keys:
            option |= orjson.OPT_SORT_KEYS
        if indent:
            option |= orjson.OPT_INDENT_2
        return orjson.dumps(obj, default=self.default, option=option)
