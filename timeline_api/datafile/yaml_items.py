"""A YAML mapping of lists, composed and constructed one item at a time, with its line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import Node
from yaml.resolver import Resolver

from timeline_api.datafile.problems import Problem
from timeline_api.datafile.record import Record
from timeline_api.datafile.schemas import ORDER

try:
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]  # not in the stubs
except ImportError:  # PyYAML without libyaml: the same events, slower
    from yaml.parser import Parser as _PyParser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, _PyParser):  # type: ignore[no-redef]
        def __init__(self, stream: Any) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            _PyParser.__init__(self)


class _ItemLoader(_Parser, Composer, SafeConstructor, Resolver):
    """libyaml's events, composed and constructed one list item at a time."""

    def __init__(self, stream: Any) -> None:
        _Parser.__init__(self, stream)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.anchors = {}


def yaml_records(text: IO[str]) -> Iterator[Record | Problem]:
    loader = _ItemLoader(text)
    try:
        yield from _yaml_mapping(loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        place = f"line {mark.line + 1}" if mark is not None else None
        yield Problem("", f"not valid YAML: {getattr(error, 'problem', None) or error}", place)
    except UnicodeDecodeError as error:
        yield Problem("", f"not UTF-8: {error}")
    except RecursionError:  # composing recurses per level: nothing valid is that deep
        yield Problem("", "not valid YAML: nested too deeply")


def _node(loader: _ItemLoader) -> Node:
    """The next whole node; Composer's arguments only matter for anchors' error messages."""
    node = loader.compose_node(None, None)  # type: ignore[arg-type]
    assert node is not None  # None only at the end of a document, which is checked for
    return node


def _yaml_mapping(loader: _ItemLoader) -> Iterator[Record | Problem]:
    loader.get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        return  # an empty file: nothing to load
    loader.get_event()  # document start
    if not loader.check_event(yaml.MappingStartEvent):
        if loader.construct_document(_node(loader)) is not None:
            yield Problem("", "the file must hold a mapping of lists", "line 1")
        return
    loader.get_event()
    while not loader.check_event(yaml.MappingEndEvent):
        key = _node(loader)
        name, line = loader.construct_document(key), f"line {key.start_mark.line + 1}"
        if name in ORDER and loader.check_event(yaml.SequenceStartEvent):
            loader.get_event()
            index = 0
            while not loader.check_event(yaml.SequenceEndEvent):
                node = _node(loader)
                item = loader.construct_document(node)
                yield Record(name, item, f"line {node.start_mark.line + 1}", f"/{name}/{index}")
                index += 1
            loader.get_event()
            continue
        value = loader.construct_document(_node(loader))
        if name not in ORDER:
            yield Problem(f"/{name}", f"is not a list of the format {ORDER}", line)
        elif value is not None:
            yield Problem(f"/{name}", "must be a list", line)
