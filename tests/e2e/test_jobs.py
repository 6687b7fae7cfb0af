"""A large export runs as a background job: the coordinator watches its progress page turn to done in place (htmx
polls; the page is never reloaded) and downloads the file, the direct download's bytes; a job still queued is
cancelled from its page."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from integrations.jobs.models import FileJob
from tests.e2e.conftest import log_in


@pytest.fixture
def small_job_limit(settings, tmp_path):
    """Every export of more than one row runs as a job (the live server shares these settings)."""
    settings.EXPORT_JOB_ROWS = 1
    settings.JOB_FILES_ROOT = tmp_path / "jobs"


@pytest.fixture
def no_jobs_worker(transactional_db) -> Iterator[None]:
    """Jobs are queued and nobody runs them yet: with a broker no worker consumes the default queue; in embedded
    mode the tasks go to the in-memory broker instead of a thread."""
    from django.conf import settings

    from config.celery import app as celery_app

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = eager
        if not eager:
            with celery_app.connection_for_write() as connection:
                connection.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)


def _start_csv_export(live_server, context):
    page = log_in(context.new_page(), live_server.url, "coordinator", "/schedule/")
    page.get_by_role("link", name="CSV", exact=True).click()
    page.wait_for_url(re.compile(r".*/jobs/\d+/$"))
    page.evaluate("window.sameDocument = true")  # gone if the page is ever reloaded
    return page, FileJob.objects.get()


def test_the_progress_page_turns_to_done_in_place_and_downloads_the_file(
    live_server, published, small_job_limit, jobs_worker, context
):
    page, job = _start_csv_export(live_server, context)
    expect(page.get_by_text("is being made in the background")).to_be_visible()

    download_link = page.get_by_role("link", name=re.compile(r"^Download .*-assignments\.csv$"))
    expect(download_link).to_be_visible(timeout=60_000)
    expect(page.locator("#job-progress .badge")).to_have_text("Done")
    expect(page.locator("#job-done")).to_have_attribute("value", "100")
    assert page.evaluate("window.sameDocument") is True  # htmx swapped the progress in; no reload
    with page.expect_download() as download:
        download_link.click()
    in_job = Path(download.value.path()).read_bytes()

    direct = page.request.get(f"{live_server.url}/exports/assignments.csv?stream=1")
    assert direct.ok and in_job == direct.body()
    assert in_job.startswith(b"kind,person,") and FileJob.objects.get(pk=job.pk).status == FileJob.Status.DONE


def test_cancelling_a_queued_job_shows_it_cancelled(live_server, published, small_job_limit, no_jobs_worker, context):
    page, job = _start_csv_export(live_server, context)
    expect(page.locator("#job-progress .badge")).to_have_text("Queued")

    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("#job-progress").get_by_role("button", name="Cancel").click()

    expect(page.locator("#job-progress .badge")).to_have_text("Cancelled")
    expect(page.get_by_text("Cancelled before it began.")).to_be_visible()
    expect(page.locator("#job-progress").get_by_role("button", name="Cancel")).to_have_count(0)
    job.refresh_from_db()
    assert job.status == FileJob.Status.CANCELLED and not job.file
