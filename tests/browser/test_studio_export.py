"""The owner exports the studio's data on a phone (390 px), in English and in Russian: opens
the page from Settings, starts the export, watches it being built by the real worker, and
downloads the ZIP from the page and from the e-mailed link.

Screenshots: ``test-output/screenshots/export-phone-*.png``.
"""

import io
import zipfile

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from tests.browser.test_operator_console import log_in_staff
from tests.conftest import sent_mail

pytestmark = pytest.mark.browser


def shot(page: Page, screenshot_dir, step: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"export-phone-{step}.png", full_page=True)


@pytest.fixture
def alpha_without_exports(live_studios, committed, live_media):
    from studio.exports.models import StudioExport
    from studio.exports.tables import PRIVATE, storage_for

    alpha = live_studios["alpha"]

    def clear():
        with committed(), schema_context(alpha.schema):
            for export in StudioExport.objects.all():
                if export.file_name:
                    storage_for(PRIVATE).delete(export.file_name)
                export.delete()

    clear()
    yield alpha
    clear()


def _download(page: Page, tmp_path, name: str) -> zipfile.ZipFile:
    with page.expect_download() as info:
        page.get_by_role("link", name=name).click()
    download = info.value
    assert download.suggested_filename.startswith("alpha-")
    assert download.suggested_filename.endswith(".zip")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return zipfile.ZipFile(io.BytesIO(path.read_bytes()))


def test_the_owner_exports_the_studio_on_a_phone_in_english_and_russian(
    alpha_without_exports,
    web_server,
    celery_worker_process,
    shared_mail_dir,
    context_factory,
    screenshot_dir,
    tmp_path,
):
    alpha = alpha_without_exports
    base = f"http://{alpha.host}:{web_server}"
    page = context_factory("phone").new_page()
    log_in_staff(page, base, alpha.owner_email)
    mails_before = len(sent_mail(shared_mail_dir, alpha.owner_email))

    page.locator("nav.nav").get_by_role("link", name="Settings", exact=True).click()
    page.locator("a.settings-link").filter(
        has=page.get_by_role("heading", name="Export your data")
    ).click()
    expect(page).to_have_url(f"{base}/staff/settings/export/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Export your data")
    expect(page.locator("#export")).to_contain_text("No export yet.")
    shot(page, screenshot_dir, "01-en-page")

    page.get_by_role("button", name="Start the export").click()
    expect(page.locator(".messages li").first).to_contain_text("The export has started.")
    shot(page, screenshot_dir, "02-en-started")
    # The worker builds it; the page follows its progress and shows the download when done.
    expect(page.get_by_role("link", name="Download the ZIP")).to_be_visible(timeout=60_000)
    expect(page.locator("#export .badge")).to_have_text("Ready")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, screenshot_dir, "03-en-ready")
    archive = _download(page, tmp_path, "Download the ZIP")
    assert {"README.md", "manifest.json", "tables/schools_school.csv"} <= set(archive.namelist())

    # The e-mailed link leads to the same file, for the owner signed in.
    mails = sent_mail(shared_mail_dir, alpha.owner_email)
    assert len(mails) == mails_before + 1
    body = mails[-1].get_body(preferencelist=("plain",)).get_content()
    link = next(line for line in body.splitlines() if "/staff/settings/export/download/" in line)
    assert link.startswith(f"{base}/")
    page.evaluate("url => { const a = document.createElement('a'); a.href = url;"
                  " a.textContent = 'mailed link'; document.body.append(a); }", link)  # fmt: skip
    assert _download(page, tmp_path, "mailed link").namelist() == archive.namelist()

    # The same in Russian.
    page.context.add_cookies([{"name": "django_language", "value": "ru", "url": base}])
    page.goto(f"{base}/staff/settings/export/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Выгрузка данных")
    expect(page.get_by_role("link", name="Скачать ZIP")).to_be_visible()
    shot(page, screenshot_dir, "04-ru-ready")
    page.get_by_role("button", name="Начать новую выгрузку").click()
    expect(page.locator(".messages li").first).to_contain_text("Выгрузка началась.")
    shot(page, screenshot_dir, "05-ru-started")
    expect(page.locator("#export .badge")).to_have_text("Готово", timeout=60_000)
    expect(page.get_by_role("link", name="Скачать ZIP")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, screenshot_dir, "06-ru-ready")
    ru_archive = _download(page, tmp_path, "Скачать ZIP")
    assert "manifest.json" in ru_archive.namelist()
    # The newer export replaced the older: the first link no longer finds anything.
    assert page.goto(link).status == 404
