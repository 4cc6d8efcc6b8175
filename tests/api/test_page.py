"""The page to look at: served to browsers at / and /timeline, drawn in headless Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS_DIR", "test-artifacts"))
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


def _chromium() -> tuple[str, str]:
    """Debian's chromium and chromium-driver, or a skip saying how to get them."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        pytest.skip("headless test needs Debian's chromium and chromium-driver (apt-get install)")
    return browser, driver


@pytest.fixture
def live_url(seeded_app: Flask) -> Iterator[str]:
    """The seeded app served over HTTP on a free local port, for the browser."""
    server = make_server("127.0.0.1", 0, seeded_app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def browser() -> Iterator[Any]:
    browser_path, driver_path = _chromium()
    webdriver = pytest.importorskip("selenium.webdriver")
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium fetch a driver
    options = webdriver.ChromeOptions()
    options.binary_location = browser_path
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,800"):
        options.add_argument(argument)
    service = webdriver.ChromeService(executable_path=driver_path)
    driver = webdriver.Chrome(options=options, service=service)
    yield driver
    driver.quit()


def _loads(browser: Any) -> int:
    return int(browser.find_element("id", "timeline").get_attribute("data-loads") or 0)


def _wait(browser: Any, condition: Any) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, 15).until(condition)


def test_the_timeline_renders_pans_and_shows_sources(
    browser: Any, live_url: str, backend: str
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    browser.get(f"{live_url}/timeline?from=2022-01-01&to=2025-12-31")
    _wait(browser, lambda b: _loads(b) >= 1)
    drawn = {
        bar.get_attribute("data-id") for bar in browser.find_elements("css selector", ".event")
    }
    assert SOLDIERS in drawn
    assert "year" in browser.find_element("css selector", f'[data-id="{SOLDIERS}"]').get_attribute(
        "class"
    )  # a year-only start: drawn as a soft band
    _wait(browser, lambda b: b.find_elements("css selector", f'[data-of="{SOLDIERS}"]'))

    timeline = browser.find_element("id", "timeline")
    first_from = timeline.get_attribute("data-loaded-from")
    before = _loads(browser)
    axis = browser.find_element("id", "axis")
    ActionChains(browser).drag_and_drop_by_offset(axis, 500, 0).perform()  # pan to earlier
    _wait(browser, lambda b: _loads(b) > before)
    assert timeline.get_attribute("data-loaded-from") < first_from
    assert "from=" in browser.current_url
    assert browser.current_url != f"{live_url}/timeline?from=2022-01-01&to=2025-12-31"

    browser.find_element("css selector", f'.label[data-for="{SOLDIERS}"]').click()
    _wait(browser, lambda b: b.find_elements("css selector", "#details blockquote"))
    assert "soldiers" in browser.find_element("id", "details").text
    assert f"event={SOLDIERS}" in browser.current_url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / f"timeline-{backend}.png"))
