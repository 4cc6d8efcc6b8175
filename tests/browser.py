"""Headless Chromium for tests: Debian's chromium and chromium-driver, driven by Selenium.

Test modules import the fixtures they use from here. Without the browser a test skips, saying
what to install. The browser resolves no host name but this machine's, so nothing a page links
to (a source's address, a script's analytics) ever leaves it.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS_DIR", "test-artifacts"))


def chromium() -> tuple[str, str]:
    """The paths of chromium and chromedriver, or a skip saying how to get them."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        pytest.skip(
            "needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver"
        )
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
    """A headless Chromium that reaches this machine only."""
    browser_path, driver_path = chromium()
    webdriver = pytest.importorskip("selenium.webdriver")
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium fetch a driver
    options = webdriver.ChromeOptions()
    options.binary_location = browser_path
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--window-size=1400,800",
        "--allow-file-access-from-files",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ):
        options.add_argument(argument)
    service = webdriver.ChromeService(executable_path=driver_path)
    driver = webdriver.Chrome(options=options, service=service)
    yield driver
    driver.quit()


def wait(browser: Any, condition: Any) -> Any:
    """What `condition(browser)` gives once it is truthy; fails after 15 s."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, 15).until(condition)
