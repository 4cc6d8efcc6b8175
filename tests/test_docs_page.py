"""The interactive docs, driven in headless Chromium as a reader would: open /docs, and for each
read press "Try it out", then "Execute" with the pre-filled values. Each answers 200 with data,
and no request leaves the server (the page works offline)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.editing import serving

sync_api = pytest.importorskip("playwright.sync_api")
BROWSER = next(
    (
        found
        for name in ("chromium", "chromium-browser", "google-chrome")
        if (found := shutil.which(name))
    ),
    None,
)
pytestmark = [
    pytest.mark.skipif(BROWSER is None, reason="no Chromium to drive"),
    # flask-compress streams Swagger UI's files compressed (br, zstd) without closing the file
    # it read them from; the garbage collector closes it. Not this test's subject.
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]
TIMEOUT_MS = 20_000


@pytest.fixture
def docs_page(seeded_app: Flask) -> Iterator[tuple[Any, list[str]]]:
    """The /docs page of a live seeded server, and every URL the page asked of another host."""
    elsewhere: list[str] = []
    with serving(seeded_app) as port, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=BROWSER, args=["--no-sandbox"])
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT_MS)

        def only_this_server(route: Any) -> None:
            if urlsplit(route.request.url).netloc == f"127.0.0.1:{port}":
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        page.route("**/*", only_this_server)
        page.goto(f"http://127.0.0.1:{port}/docs")
        page.wait_for_selector(".opblock")
        try:
            yield page, elsewhere
        finally:
            browser.close()


def execute(page: Any, block: Any) -> tuple[int, Any]:
    """Expand an operation, press Try it out and Execute; the status and body shown."""
    block.locator(".opblock-summary-control").click()
    try_it_out = block.locator("button.try-out__btn")
    if "cancel" not in (try_it_out.get_attribute("class") or ""):  # unless on already
        try_it_out.click()
    block.locator("button.execute").click()
    status = block.locator(".live-responses-table tr.response .response-col_status").first
    status.wait_for()
    body = block.locator(".live-responses-table tr.response pre.microlight code").first
    text = body.inner_text() if body.count() else ""
    try:
        shown = json.loads(text)
    except ValueError:
        shown = text
    return int(status.inner_text().strip()[:3]), shown


def test_every_read_answers_its_prefilled_try_it_out_with_data(
    docs_page: tuple[Any, list[str]],
) -> None:
    page, elsewhere = docs_page
    blocks = page.locator(".opblock.opblock-get")
    count = blocks.count()
    assert count >= 15
    failures = []
    for n in range(count):
        block = blocks.nth(n)
        label = block.locator(".opblock-summary-path").inner_text().strip()
        status, body = execute(page, block)
        block.locator(".opblock-summary-control").click()  # fold it: a long page slows down
        if status != 200:
            failures.append(f"{label}: {status} {body}")
        elif isinstance(body, dict) and isinstance(body.get("data"), list) and not body["data"]:
            failures.append(f"{label}: 200 without data")
    assert not failures, "\n".join(failures)
    assert elsewhere == [], "the docs page asked another host"
