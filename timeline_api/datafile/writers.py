"""Writing records in file form (as the schemas dump them) as JSON, NDJSON, YAML or CSV, one at a
time, so that an export of any size holds only the record being written."""

from __future__ import annotations

import csv
import json
from typing import IO, Any

import yaml

from timeline_api.datafile import csv_dialect

Item = dict[str, Any]


class Writer:
    """Write records with `write`, then `close` (which writes nothing of the stream itself)."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def write(self, kind: str, item: Item) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Finish the document."""


class NdjsonWriter(Writer):
    """One `{"<list>": {item}}` per line."""

    def write(self, kind: str, item: Item) -> None:
        self.out.write(json.dumps({kind: item}, ensure_ascii=False) + "\n")


class JsonWriter(Writer):
    """A mapping of lists, laid out as `json.dumps(..., indent=2)` would, lists with items only."""

    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        self._kind: str | None = None

    def write(self, kind: str, item: Item) -> None:
        text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n    ")
        if kind == self._kind:
            self.out.write(",\n    " + text)
            return
        opening = "{\n" if self._kind is None else "\n  ],\n"
        self.out.write(f"{opening}  {json.dumps(kind)}: [\n    {text}")
        self._kind = kind

    def close(self) -> None:
        self.out.write("{}\n" if self._kind is None else "\n  ]\n}\n")


class YamlWriter(Writer):
    """A mapping of lists, as the seed file is written."""

    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        self._kind: str | None = None

    def write(self, kind: str, item: Item) -> None:
        if kind != self._kind:
            self.out.write(f"{kind}:\n")
            self._kind = kind
        self.out.write(yaml.safe_dump([item], allow_unicode=True, sort_keys=False, width=100))

    def close(self) -> None:
        if self._kind is None:
            self.out.write("{}\n")


class CsvWriter(Writer):
    """Events, one per row; CSV holds nothing else, so other records are left out."""

    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        self._rows = csv.writer(out, lineterminator="\r\n")
        self._rows.writerow(csv_dialect.COLUMNS)

    def write(self, kind: str, item: Item) -> None:
        if kind == "events":
            self._rows.writerow(csv_dialect.row_of(item))


WRITERS: dict[str, type[Writer]] = {
    "json": JsonWriter,
    "ndjson": NdjsonWriter,
    "yaml": YamlWriter,
    "csv": CsvWriter,
}
