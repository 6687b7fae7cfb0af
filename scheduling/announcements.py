"""What the scheduling services tell people through notifications: publication, changes, finished runs.

Called inside the service's transaction; notify() queues email only after commit.
"""

from django.urls import reverse

from notifications.events import Event
from notifications.services import notify
from scheduling.models import Person, ScheduleRun, ScheduleVersion
from tenants.models import Organization
from tenants.selectors import program_members


def announce_published(*, version: ScheduleVersion) -> None:
    """Everyone in the program hears that the year's schedule is published."""
    program = Organization.objects.get(pk=version.program_id)
    notify(
        recipients=program_members(program),
        event=Event.SCHEDULE_PUBLISHED,
        context={"year": str(version.academic_year.name), "version": f"version {version.number}"},
        program=program,
        link=f"{reverse('my-schedule')}",
    )


def announce_change(*, version: ScheduleVersion, person: Person, when: str, old: str, new: str) -> None:
    """A person hears that their assignment in the published schedule changed (drafts are not theirs yet)."""
    if version.status != ScheduleVersion.Status.PUBLISHED or person.user_id is None or old == new:
        return
    notify(
        recipients=[person.user],
        event=Event.ASSIGNMENT_CHANGED,
        context={"when": when, "old": old, "new": new},
        program=Organization.objects.get(pk=version.program_id),
        link=reverse("my-schedule"),
    )


def announce_run_finished(*, run: ScheduleRun) -> None:
    """Whoever started a run hears how it ended."""
    if run.created_by_id is None:
        return
    detail = run.message if run.status != ScheduleRun.Status.SUCCEEDED else ""
    notify(
        recipients=[run.created_by],
        event=Event.RUN_FINISHED,
        context={"run": f"#{run.pk}", "status": run.get_status_display().lower(), "detail": detail},
        program=Organization.objects.get(pk=run.program_id),
        link=reverse("run-detail", args=[run.pk]),
    )
