"""The TimelineJS output read by TimelineJS itself, in headless Chromium."""

# Fixtures come from tests.browser by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from tests.browser import browser, wait

TIMELINEJS = Path(__file__).resolve().parent.parent / "vendor" / "timelinejs" / "timeline.js"

# What TimelineJS made of each slide: its errors, and per event the date parts it parsed.
READ_BACK = """
const config = window.timeline.config;
return {
  errors: config.messages.errors.map(String),
  events: config.events.map((event) => ({
    id: event.unique_id,
    start: event.start_date.data,
    end: event.end_date ? event.end_date.data : null,
    display: event.display_date || null,
    group: event.group || null,
    media: event.media ? event.media.url : null,
  })),
};
"""


def test_timelinejs_reads_the_seed_timeline_without_an_error(
    seeded: FlaskClient, browser: Any, tmp_path: Path
) -> None:
    document = seeded.get("/v1/events?format=timelinejs&limit=500").json
    page = tmp_path / "timeline.html"
    page.write_text(
        '<!doctype html><meta charset="utf-8"><div id="tl" style="width:1000px;height:600px">'
        f"</div><script src='{TIMELINEJS.as_uri()}'></script>"
        f"<script>window.timeline = new TL.Timeline('tl', {json.dumps(document)});</script>",
        encoding="utf-8",
    )
    browser.get(page.as_uri())
    wait(browser, lambda b: b.execute_script("return window.timeline && window.timeline.ready"))
    read = browser.execute_script(READ_BACK)
    assert read["errors"] == []
    by_id = {event["id"]: event for event in read["events"]}
    assert set(by_id) == {slide["unique_id"] for slide in document["events"]}
    for slide in document["events"]:
        parsed = by_id[slide["unique_id"]]
        parts = {key: parsed["start"].get(key) for key in ("year", "month", "day")}
        expected = {key: slide["start_date"].get(key) for key in ("year", "month", "day")}
        assert parts == expected, slide["unique_id"]  # a year stays a year, no day is invented
        assert parsed["display"] == slide["display_date"]
        assert parsed["group"] == slide["group"]
        assert parsed["media"] == slide.get("media", {}).get("url")
    soldiers = by_id["tw-four-soldiers-espionage-2022-2024"]
    assert soldiers["start"]["format"] == "year"  # TimelineJS shows it as a year
    assert soldiers["end"]["year"] == 2024
