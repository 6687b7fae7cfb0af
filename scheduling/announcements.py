"""What the scheduling services tell people through notifications: publication (and to the admins, a
publication that breaks ACGME rules), changes, finished runs.

Called inside the service's transaction; notify() queues email only after commit.
"""

from django.urls import reverse

from notifications.events import Event
from notifications.services import notify
from scheduling.models import Person, ScheduleRun, ScheduleVersion
from tenants.models import Organization, Role
from tenants.permissions import Action, Resource, can
from tenants.selectors import program_members, role_in


def announce_published(*, version: ScheduleVersion) -> None:
    """Everyone in the program hears that the year's schedule is published: those who have a schedule are sent
    to theirs, the clinic staff (who read today's roster, not schedules) to Today."""
    program = Organization.objects.get(pk=version.program_id)
    members = list(program_members(program))
    readers = [user for user in members if can(user, Action.VIEW, Resource.SCHEDULE, program)]
    staff = [user for user in members if user not in readers]
    context = {"year": str(version.academic_year.name), "version": f"version {version.number}"}
    for recipients, link in ((readers, reverse("my-schedule")), (staff, reverse("today"))):
        if recipients:
            notify(recipients=recipients, event=Event.SCHEDULE_PUBLISHED, context=context, program=program, link=link)


def announce_published_with_breaches(*, version: ScheduleVersion, user, violations: int, rules: list[str]) -> None:
    """The program's admins hear that a schedule breaking ACGME rules was published, by whom and why."""
    program = Organization.objects.get(pk=version.program_id)
    admins = [member for member in program_members(program) if role_in(member, program) == Role.ADMIN]
    notify(
        recipients=admins,
        event=Event.PUBLISHED_WITH_BREACHES,
        context={
            "year": str(version.academic_year.name),
            "version": f"version {version.number}",
            "who": user.get_full_name() or user.email if user is not None else "An operator",
            "violations": violations,
            "rules": ", ".join(rules),
            "reason": version.publish_reason,
        },
        program=program,
        link=f"{reverse('compliance')}?version={version.pk}",
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
