"""Imports over IMPORT_JOB_ROWS rows are checked and imported by background jobs with their progress; one
cancelled halfway writes nothing."""

import threading
import time

import pytest
from django.urls import reverse

from config.celery import app as celery_app
from integrations.imports import services as imports
from integrations.jobs import services, tasks
from integrations.jobs.models import FileJob
from scheduling.models import BlockAssignment, ScheduleVersion
from tests.integrations.imports.test_wizard_services import nothing_written, start, through_mapping

WAIT = 120


@pytest.fixture
def embedded():
    """The embedded default (no broker): tasks eager, so a job runs in a daemon thread of this process."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


def _ready_session(program, coordinator, year, **workbook):
    session = through_mapping(
        start(program, coordinator, year, rotation="IM", leave_date="2026-08-28", **workbook), coordinator
    )
    question = next(q for q in imports.import_session_questions(session=session) if q.match.needs_answer)
    imports.import_session_answers_set(
        session=session, user=coordinator, answers={question.key: question.match.choices[0].key}
    )
    return session


@pytest.mark.django_db
def test_a_large_import_is_checked_then_imported_by_jobs(
    client, program, coordinator, year, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.IMPORT_JOB_ROWS = 5
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)  # several progress reports for a small file
    session = _ready_session(program, coordinator, year)
    rows = imports.import_session_rows(session)
    assert rows > 5
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks():
        response = client.post(reverse("import-check", args=[session.pk]))
    check = FileJob.objects.get(kind="import_check")
    assert response.url == reverse("job-detail", args=[check.pk]) and check.total == rows
    check = services.job_run(check.pk)
    assert check.status == FileJob.Status.DONE and check.done == check.total == rows
    assert check.message == "The check found no problem: the file may be imported."
    assert check.link == reverse("import-check", args=[session.pk])
    nothing_written(program)

    with django_capture_on_commit_callbacks():
        response = client.post(reverse("import-commit", args=[session.pk]))
    commit = FileJob.objects.get(kind="import_commit")
    assert response.url == reverse("job-detail", args=[commit.pk])
    commit = services.job_run(commit.pk)

    session.refresh_from_db()
    assert commit.status == FileJob.Status.DONE and session.status == "committed"
    assert commit.link == reverse("version-compare", args=[session.version_id])
    assert BlockAssignment.objects.filter(version=session.version).count() == 4


@pytest.mark.django_db
def test_a_second_press_while_the_job_runs_follows_the_same_job(
    client, program, coordinator, year, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_JOB_ROWS = 5
    session = _ready_session(program, coordinator, year)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks():
        first = client.post(reverse("import-check", args=[session.pk]))
        second = client.post(reverse("import-check", args=[session.pk]))
    assert first.url == second.url and FileJob.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_import_cancelled_halfway_in_its_background_thread_writes_nothing(
    client, program, coordinator, year, settings, monkeypatch, embedded
):
    """The embedded path: the job runs in a daemon thread after commit; a cancel while it imports rolls it all
    back."""
    settings.IMPORT_JOB_ROWS = 5
    monkeypatch.setattr(imports, "CHUNK_ROWS", 5)
    extra = [["José García", 1 + n % 2, "IM"] for n in range(400)]
    session = _ready_session(program, coordinator, year, extra_block_rows=extra)
    threads: list[threading.Thread] = []
    real_dispatch = tasks.job_dispatch
    monkeypatch.setattr(tasks, "job_dispatch", lambda job_id: threads.append(real_dispatch(job_id)))
    client.force_login(coordinator)

    client.post(reverse("import-check", args=[session.pk]))  # autocommit: dispatched on return
    job = FileJob.objects.get()
    assert len(threads) == 1 and threads[0] is not None
    deadline = time.monotonic() + WAIT
    while services.job_progress(FileJob.objects.get(pk=job.pk))[0] < 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert client.post(reverse("job-cancel", args=[job.pk])).status_code == 302
    threads[0].join(WAIT)

    job.refresh_from_db()
    assert job.status == FileJob.Status.CANCELLED, job.message
    assert 20 <= job.done < job.total
    session.refresh_from_db()
    assert session.status == "uploaded" and not session.report  # the dry run's report was never kept
    assert not ScheduleVersion.objects.filter(program=program).exists()
