"""Large exports run as background jobs: the file is the direct download's, a cancel keeps nothing, only the owner
sees, cancels and downloads a job, its file goes after 7 days, and the owner is told once."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from integrations.jobs import services
from integrations.jobs.models import FileJob
from notifications.models import Notification
from tenants.models import Role
from tests.integrations.jobs.conftest import files_in
from tests.scheduling import export_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(program, resident_user):
    return export_data.build(program, ann_user=resident_user)


def _start(client, settings, django_capture_on_commit_callbacks, name="export-assignments-csv", query=None):
    """Ask for the export over the (lowered) row limit: a job is queued after commit and the page redirects to it."""
    settings.EXPORT_JOB_ROWS = 2
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(reverse(name), query or {})
    assert response.status_code == 302, response.content[:300]
    job = FileJob.objects.get()
    assert response.url == reverse("job-detail", args=[job.pk])
    assert len(callbacks) == 1  # the dispatch, once the job is committed
    return job


def _direct(client, settings, name="export-assignments-csv", query=None) -> bytes:
    settings.EXPORT_JOB_ROWS = 10**9
    response = client.get(reverse(name), query or {})
    assert response.status_code == 200
    return response.getvalue()


def _cells(content: bytes) -> dict:
    book = load_workbook(io.BytesIO(content))
    return {sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()] for sheet in book}


def test_a_large_csv_export_runs_as_a_job_whose_file_is_the_direct_download(
    client, coordinator, cast, settings, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    job = _start(client, settings, django_capture_on_commit_callbacks)
    assert job.status == FileJob.Status.QUEUED and job.total > 2 and job.created_by == coordinator
    assert client.get(reverse("job-detail", args=[job.pk])).status_code == 200

    job = services.job_run(job.pk)

    assert job.status == FileJob.Status.DONE and job.done == job.total
    assert job.expires_at == job.finished_at + dt.timedelta(days=7)
    response = client.get(reverse("job-download", args=[job.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == f'attachment; filename="{job.filename}"'
    assert job.filename.endswith("-v1-assignments.csv")
    in_job = b"".join(response.streaming_content)
    assert in_job == _direct(client, settings)
    assert in_job.startswith(b"kind,person,") and in_job.count(b"\n") == 9  # header, 3 blocks, 4 sessions, 1 call


def test_a_large_range_workbook_runs_as_a_job_with_the_direct_downloads_cells(
    client, coordinator, cast, settings, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    query = {"start": cast.day, "end": cast.day + dt.timedelta(days=6)}
    job = _start(client, settings, django_capture_on_commit_callbacks, "export-range-xlsx", query)

    job = services.job_run(job.pk)

    assert job.status == FileJob.Status.DONE, job.message
    in_job = b"".join(client.get(reverse("job-download", args=[job.pk])).streaming_content)
    assert _cells(in_job) == _cells(_direct(client, settings, "export-range-xlsx", query))


def test_the_csv_streams_past_the_limit_when_a_script_asks(client, coordinator, cast, settings):
    client.force_login(coordinator)
    settings.EXPORT_JOB_ROWS = 2
    response = client.get(reverse("export-assignments-csv"), {"stream": "1"})
    assert response.status_code == 200 and response.streaming
    assert not FileJob.objects.exists()


def test_a_cancelled_running_job_stops_and_keeps_no_file(
    client, coordinator, cast, settings, django_capture_on_commit_callbacks, job_files_root
):
    client.force_login(coordinator)
    job = _start(client, settings, django_capture_on_commit_callbacks)
    running = services.job_claim(job.pk)
    assert client.post(reverse("job-cancel", args=[job.pk])).status_code == 302

    job = services.job_execute(running)

    assert job.status == FileJob.Status.CANCELLED and not job.file
    assert files_in(job_files_root) == []
    assert client.get(reverse("job-download", args=[job.pk])).status_code == 404
    assert not Notification.objects.filter(recipient=coordinator).exists()  # a cancel is the user's own doing


def test_a_queued_job_cancelled_never_runs(client, coordinator, cast, settings, django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    job = _start(client, settings, django_capture_on_commit_callbacks)
    assert client.post(reverse("job-cancel", args=[job.pk])).status_code == 302

    assert services.job_run(job.pk) is None
    job.refresh_from_db()
    assert job.status == FileJob.Status.CANCELLED and job.message == "Cancelled before it began."
    response = client.post(reverse("job-cancel", args=[job.pk]), follow=True)
    assert "has already finished" in response.content.decode()


def test_only_the_owner_sees_cancels_and_downloads_a_job(
    client, api_client, coordinator, member, other_program, cast, settings, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    job = services.job_run(_start(client, settings, django_capture_on_commit_callbacks).pk)
    queued = _start_second(client, settings, django_capture_on_commit_callbacks)
    outsiders = [member(Role.COORDINATOR, in_program=other_program), member(Role.COORDINATOR)]
    for outsider in outsiders:
        client.force_login(outsider)
        for name in ("job-detail", "job-progress", "job-download"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404, (outsider, name)
        assert client.post(reverse("job-cancel", args=[queued.pk])).status_code == 404
        assert job.title not in client.get(reverse("job-list")).content.decode()
        api_client.force_authenticate(outsider)
        assert api_client.get(reverse("api:job-detail", args=[job.pk])).status_code == 404
        assert api_client.get(reverse("api:job-file", args=[job.pk])).status_code == 404
        assert api_client.post(reverse("api:job-cancel", args=[queued.pk])).status_code == 404
        assert api_client.get(reverse("api:job-list")).json()["results"] == []
    queued.refresh_from_db()
    assert queued.status == FileJob.Status.QUEUED


def _start_second(client, settings, django_capture_on_commit_callbacks):
    settings.EXPORT_JOB_ROWS = 2
    with django_capture_on_commit_callbacks():
        client.get(reverse("export-assignments-csv"), {"pgy": 1})
    return FileJob.objects.filter(status=FileJob.Status.QUEUED).latest("pk")


def test_the_owner_follows_cancels_and_downloads_through_the_api(
    api_client, coordinator, cast, settings, django_capture_on_commit_callbacks, client
):
    client.force_login(coordinator)
    done = services.job_run(_start(client, settings, django_capture_on_commit_callbacks).pk)
    queued = _start_second(client, settings, django_capture_on_commit_callbacks)
    api_client.force_authenticate(coordinator)

    listed = api_client.get(reverse("api:job-list")).json()["results"]
    assert [row["id"] for row in listed] == [queued.pk, done.pk]
    shown = api_client.get(reverse("api:job-detail", args=[done.pk])).json()
    assert shown["status"] == "done" and shown["has_file"] and shown["done"] == shown["total"] > 0
    file = api_client.get(reverse("api:job-file", args=[done.pk]))
    assert file.status_code == 200 and b"".join(file.streaming_content).startswith(b"kind,")
    cancelled = api_client.post(reverse("api:job-cancel", args=[queued.pk]))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = api_client.post(reverse("api:job-cancel", args=[queued.pk]))
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"


def test_the_owner_is_told_once_with_the_link(client, coordinator, cast, settings, django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    job = _start(client, settings, django_capture_on_commit_callbacks)

    services.job_run(job.pk)
    assert services.job_run(job.pk) is None  # a second delivery of the task does nothing

    notification = Notification.objects.get(recipient=coordinator)
    assert notification.event == "job_finished" and notification.link == reverse("job-detail", args=[job.pk])
    assert notification.title == f"{job.title} is ready"


def test_a_job_whose_version_went_fails_with_the_reason_and_tells_the_owner(
    client, coordinator, cast, settings, django_capture_on_commit_callbacks, job_files_root
):
    client.force_login(coordinator)
    job = _start(client, settings, django_capture_on_commit_callbacks)
    FileJob.objects.filter(pk=job.pk).update(params={**job.params, "version": 0})

    job = services.job_run(job.pk)

    assert job.status == FileJob.Status.FAILED
    assert job.message == "The schedule version this export was asked for no longer exists."
    assert files_in(job_files_root) == []
    assert Notification.objects.get(recipient=coordinator).title == f"{job.title} failed"


def test_purge_removes_files_older_than_seven_days_and_keeps_newer(
    client, coordinator, cast, settings, django_capture_on_commit_callbacks, job_files_root
):
    client.force_login(coordinator)
    old = services.job_run(_start(client, settings, django_capture_on_commit_callbacks).pk)
    new = services.job_run(_start_second(client, settings, django_capture_on_commit_callbacks).pk)
    FileJob.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert len(files_in(job_files_root)) == 2

    out = io.StringIO()
    call_command("purge_job_files", stdout=out)

    assert out.getvalue().strip() == "1 job file removed."
    old.refresh_from_db()
    new.refresh_from_db()
    assert not old.file and new.file and files_in(job_files_root) == [new.file.name]
    assert client.get(reverse("job-download", args=[old.pk])).status_code == 404
    assert client.get(reverse("job-download", args=[new.pk])).status_code == 200


def test_purge_fails_jobs_a_dead_worker_left_running(program, coordinator):
    job = FileJob.objects.create(
        program=program, created_by=coordinator, kind="export_assignments_csv", title="x.csv", status="running"
    )
    FileJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(hours=7))

    services.job_files_purge()

    job.refresh_from_db()
    assert job.status == FileJob.Status.FAILED and "stopped reporting" in job.message


def test_the_job_list_shows_my_jobs(client, coordinator, cast, settings, django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    job = services.job_run(_start(client, settings, django_capture_on_commit_callbacks).pk)
    page = client.get(reverse("job-list")).content.decode()
    assert job.title in page and reverse("job-download", args=[job.pk]) in page
    progress = client.get(reverse("job-progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in progress and "Download" in progress.content.decode()  # swapped in place, no reload
    assert "hx-trigger" not in progress.content.decode()  # and the polling stops
