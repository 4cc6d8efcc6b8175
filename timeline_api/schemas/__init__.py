"""Marshmallow schemas: query arguments, the data file format, and API responses."""
