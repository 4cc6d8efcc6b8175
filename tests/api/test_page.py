"""The page to look at: served to browsers at / and /timeline, drawn in headless Chromium."""

from __future__ import annotations

# Fixtures come from tests.browser by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811
from typing import Any

from flask.testing import FlaskClient

from tests.browser import ARTIFACTS, browser, live_url, wait

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SOLDIERS = "tw-four-soldiers-espionage-2022-2024"  # disputed: 2022–2024 against "2002 to 2024"


def test_a_browser_gets_the_page_and_api_clients_keep_json(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert "Accept" in page.headers["Vary"]
    for asked in ("*/*", "application/json"):
        index = client.get("/", headers={"Accept": asked})
        assert index.mimetype == "application/json"
        assert index.json["timeline"].endswith("/timeline")
    assert client.get("/timeline").mimetype == "text/html"


def test_every_script_and_style_is_served_from_the_package(client: FlaskClient) -> None:
    html = client.get("/timeline").get_data(as_text=True)
    assets = ["/timeline/assets/timeline.js", "/timeline/assets/timeline.css"]
    for asset in assets:
        assert f'"{asset}"' in html
        with client.get(asset) as response:  # a file response: closed, not left open
            assert response.status_code == 200
    assert "http://" not in html
    assert "https://" not in html  # no CDN: works offline


# --- In a real browser -------------------------------------------------------------------------


# Each drawn event's id and classes, read at one moment.
DRAWN = """
return Object.fromEntries(
  [...document.querySelectorAll('.event[data-id]')].map((bar) => [bar.dataset.id, bar.className])
);
"""


def _loads(browser: Any) -> int:
    return int(browser.find_element("id", "timeline").get_attribute("data-loads") or 0)


def test_the_timeline_renders_pans_and_shows_sources(
    browser: Any, live_url: str, backend: str
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    browser.get(f"{live_url}/timeline?from=2022-01-01&to=2025-12-31")
    wait(browser, lambda b: _loads(b) >= 1)
    # The alternatives arrive after the window (from the details) and redraw it: wait for them,
    # then read the drawing in one script, not element by element while it may change.
    wait(browser, lambda b: b.find_elements("css selector", f'[data-of="{SOLDIERS}"]'))
    drawn = browser.execute_script(DRAWN)
    assert SOLDIERS in drawn
    assert "year" in drawn[SOLDIERS].split()  # a year-only start: drawn as a soft band

    timeline = browser.find_element("id", "timeline")
    first_from = timeline.get_attribute("data-loaded-from")
    before = _loads(browser)
    axis = browser.find_element("id", "axis")
    ActionChains(browser).drag_and_drop_by_offset(axis, 500, 0).perform()  # pan to earlier
    wait(browser, lambda b: _loads(b) > before)
    assert timeline.get_attribute("data-loaded-from") < first_from
    assert "from=" in browser.current_url
    assert browser.current_url != f"{live_url}/timeline?from=2022-01-01&to=2025-12-31"

    browser.execute_script(f"document.querySelector('.label[data-for=\"{SOLDIERS}\"]').click()")
    wait(browser, lambda b: b.find_elements("css selector", "#details blockquote"))
    assert "soldiers" in browser.find_element("id", "details").text
    assert f"event={SOLDIERS}" in browser.current_url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / f"timeline-{backend}.png"))
