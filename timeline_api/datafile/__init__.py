"""The data-file format, defined once: schemas that load and dump each list's items, the checks
of a whole file, and readers and writers for JSON, NDJSON, YAML and CSV. No database here: the
checks ask what is stored through `checks.Stored`."""

from timeline_api.datafile.problems import DatasetError, Problem
from timeline_api.datafile.readers import FORMATS, Record
from timeline_api.datafile.schemas import ORDER, SCHEMAS, Item, key_field

__all__ = ["FORMATS", "ORDER", "SCHEMAS", "DatasetError", "Item", "Problem", "Record", "key_field"]
