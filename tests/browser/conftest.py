"""Fixtures for tests that drive Debian's Chromium through Playwright.

``browser`` is one headless Chromium per session; ``context_factory`` opens phone or desktop
browser contexts for one test and closes them afterwards (saving a screenshot of every open
page first if the test failed). Screenshots go to ``test-output/screenshots/`` (git-ignored).
"""

import contextlib
import os
import re
from pathlib import Path

import pytest

from tests.conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
INSTALL_HINT = "install Debian's chromium: apt-get install chromium"
SCREENSHOTS = REPO / "test-output" / "screenshots"
TIMEOUT_MS = 10_000
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

VIEWPORTS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}

BROWSER_DIR = Path(__file__).resolve().parent


def _is_browser_test(item) -> bool:
    return BROWSER_DIR in Path(str(item.path)).resolve().parents


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Marks every test in this directory and runs them after all the others.

    ``browser``: even if a module forgets its pytestmark.

    Last (after pytest-django's own reordering): while the session's browser lives, an
    asyncio loop runs in this thread (see ``browser``), which changes how Django behaves for
    any test running meanwhile.
    """
    browser_items = [item for item in items if _is_browser_test(item)]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    items[:] = [item for item in items if not _is_browser_test(item)] + browser_items


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def browser():
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: {INSTALL_HINT}", pytrace=False)
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError as error:  # pragma: no cover - the dev extra installs it
        pytest.fail(
            f"playwright is not installed ({error}): pip install -e '.[dev]'", pytrace=False
        )

    expect.set_options(timeout=TIMEOUT_MS)
    # Playwright's sync API keeps an asyncio loop running in this thread. While it does,
    # Django (1) refuses ORM calls here (SynchronousOnlyOperation), pytest-django's per-test
    # transaction included, so the guard is lifted while the browser lives; and (2) keeps
    # its connections in a separate, context-local store, so the connection opened meanwhile
    # must be closed before the loop stops, or the test database cannot be dropped at the end
    # ("is being accessed by other users").
    from django.db import connections

    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            try:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
            except Exception as error:
                pytest.fail(
                    f"Chromium at {CHROMIUM} did not start ({error}); {INSTALL_HINT}",
                    pytrace=False,
                )
            try:
                yield browser
            finally:
                connections.close_all()
                browser.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def context_factory(browser, screenshot_dir, request):
    """``context_factory("phone" | "desktop")`` -> a fresh BrowserContext, closed after the test."""
    contexts = []

    def _new(kind: str):
        context = browser.new_context(
            **VIEWPORTS[kind], locale="en-US", timezone_id="UTC", color_scheme="light"
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield _new

    call = getattr(request.node, "rep_call", None)
    failed = call is not None and call.failed
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    for i, context in enumerate(contexts):
        if failed:
            for j, page in enumerate(context.pages):
                # best effort: never mask the failure itself
                with contextlib.suppress(Exception):
                    page.screenshot(
                        path=screenshot_dir / f"FAILED-{test_name}-{i}-{j}.png", full_page=True
                    )
        context.close()


@pytest.fixture
def phone_context(context_factory):
    return context_factory("phone")


@pytest.fixture
def desktop_context(context_factory):
    return context_factory("desktop")


@pytest.fixture(autouse=True)
def _books_emptied_after(committed):
    """A browser test's server takes real payments into the session studios' books; the
    ``committed`` fixture empties the books once the test is over."""
    return committed
