"""POST /api/v1/jobs/ starts an export as a background job: the file is the direct download's, the role is the
download page's (a draft: managers only), a bad param is a 400 naming it, another program's user reaches nothing,
and a retried Idempotency-Key makes one job."""

import datetime as dt

import pytest
from django.urls import reverse

from integrations.jobs import services
from integrations.jobs.models import FileJob
from tenants.models import Role
from tests.scheduling import export_data

pytestmark = pytest.mark.django_db

CSV = {"kind": "export", "export": "assignments_csv", "params": {}}


@pytest.fixture
def cast(program, resident_user):
    return export_data.build(program, ann_user=resident_user)


def _start(api, body, django_capture_on_commit_callbacks, **headers):
    with django_capture_on_commit_callbacks(execute=False):
        return api.post(reverse("api:job-list"), body, format="json", **headers)


def test_a_coordinator_starts_an_export_job_whose_file_is_the_direct_download(
    api_as, client, coordinator, cast, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_JOB_ROWS = 10**9  # the API starts a job whatever the size; the page answers directly
    api = api_as(coordinator)

    response = _start(api, {**CSV, "params": {"pgy": 1}}, django_capture_on_commit_callbacks)

    assert response.status_code == 202, response.content
    body = response.json()
    job = FileJob.objects.get()
    assert (
        body["id"] == job.pk and body["status"] == "queued" and body["url"] == reverse("api:job-detail", args=[job.pk])
    )
    assert response["Location"].endswith(body["url"])
    assert job.created_by == coordinator and job.title.endswith("-v1-assignments.csv") and job.total > 0

    services.job_run(job.pk)  # what the worker does

    shown = api.get(body["url"]).json()
    assert shown["status"] == "done" and shown["has_file"]
    in_job = b"".join(api.get(reverse("api:job-file", args=[job.pk])).streaming_content)
    client.force_login(coordinator)
    direct = client.get(reverse("export-assignments-csv"), {"pgy": 1})
    assert in_job == direct.getvalue() and in_job.startswith(b"kind,person,")


def test_a_range_workbook_job_needs_its_dates_and_a_bad_param_is_named(
    api_as, coordinator, cast, django_capture_on_commit_callbacks
):
    api = api_as(coordinator)
    workbook = {"kind": "export", "export": "range_xlsx"}
    cases = [
        ({**workbook, "params": {"start": str(cast.day)}}, "end", "needs a start and an end date"),
        ({**workbook, "params": {"start": str(cast.day), "end": str(cast.day - dt.timedelta(days=1))}}, "end",
         "before the start"),
        ({**CSV, "params": {"version": "999999"}}, "version", "no such schedule version"),
        ({**CSV, "params": {"rotation": 999999}}, "rotation", "No such rotation"),
        ({**CSV, "params": {"pgy": 9}}, "pgy", "less than or equal to 8"),
    ]  # fmt: skip
    for body, field, words in cases:
        response = _start(api, body, django_capture_on_commit_callbacks)
        assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
        assert words in " ".join(response.json()["errors"]["params"][field]), (field, response.json())
    unknown = _start(api, {**CSV, "export": "grid_pdf"}, django_capture_on_commit_callbacks)
    assert unknown.status_code == 400 and "export" in unknown.json()["errors"]
    assert not FileJob.objects.exists()

    good = {**workbook, "params": {"start": str(cast.day), "end": str(cast.day + dt.timedelta(days=6))}}
    response = _start(api, good, django_capture_on_commit_callbacks)
    assert response.status_code == 202 and FileJob.objects.get().kind == "export_range_xlsx"
    assert FileJob.objects.get().total == 2 * 7 * 2  # two residents, seven days, two half-days


def test_a_resident_is_refused_a_draft_as_on_the_download_page(
    api_as, resident_user, coordinator, cast, django_capture_on_commit_callbacks
):
    api = api_as(resident_user)
    for version in ("draft", str(cast.version.pk)):
        response = _start(api, {**CSV, "params": {"version": version}}, django_capture_on_commit_callbacks)
        assert response.status_code == 403, version
        assert "admins and coordinators" in response.json()["detail"]
    assert not FileJob.objects.exists()
    published = _start(api, CSV, django_capture_on_commit_callbacks)  # the published schedule, as the page gives
    assert published.status_code == 202 and FileJob.objects.get().created_by == resident_user


def test_another_programs_user_can_neither_start_nor_read_a_programs_job(
    api_as, api_client, coordinator, member, program, other_program, cast, django_capture_on_commit_callbacks
):
    job_id = _start(api_as(coordinator), CSV, django_capture_on_commit_callbacks).json()["id"]
    outsider = member(Role.COORDINATOR, in_program=other_program)
    api_client.force_authenticate(outsider)

    refused = _start(api_client, CSV, django_capture_on_commit_callbacks, HTTP_X_ORGANIZATION_ID=str(program.pk))
    assert refused.status_code in (403, 404) and refused["Content-Type"] == "application/problem+json"
    assert FileJob.objects.count() == 1
    assert api_client.get(reverse("api:job-detail", args=[job_id])).status_code == 404
    assert api_client.get(reverse("api:job-file", args=[job_id])).status_code == 404
    mine = _start(api_client, CSV, django_capture_on_commit_callbacks)  # in their own program: nothing to export
    assert mine.status_code == 400 and "year" in mine.json()["errors"]["params"]


def test_the_same_idempotency_key_twice_makes_one_job(api_as, coordinator, cast, django_capture_on_commit_callbacks):
    api = api_as(coordinator)
    first = _start(api, CSV, django_capture_on_commit_callbacks, HTTP_IDEMPOTENCY_KEY="export-1")
    again = _start(api, CSV, django_capture_on_commit_callbacks, HTTP_IDEMPOTENCY_KEY="export-1")

    assert first.status_code == again.status_code == 202
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert FileJob.objects.count() == 1
    other = _start(api, CSV, django_capture_on_commit_callbacks, HTTP_IDEMPOTENCY_KEY="export-2")
    assert other.status_code == 202 and FileJob.objects.count() == 2
