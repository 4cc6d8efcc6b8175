"""timeline-api: a sourced timeline of dated events served as a JSON REST API."""

from __future__ import annotations

__version__ = "0.1.0"
