"""A schedule version's life cycle: publishing a draft (the year's published version is archived)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from scheduling.announcements import announce_published
from scheduling.models import AcademicYear, ScheduleVersion
from tenants.errors import ConflictError, DomainError
from tenants.models import Organization
from tenants.permissions import Action, can


def schedule_version_publish(
    *, version: ScheduleVersion, user, academic_year: AcademicYear | None = None
) -> ScheduleVersion:
    """Publish a draft: the year's previously published version is archived (and stays readable).

    Admins and coordinators only (`user` None: an operator at the command line). A version that is not a
    draft, or not of `academic_year` when given, is refused.
    """
    program = Organization.objects.get(pk=version.program_id)
    if user is not None and not can(user, Action.PUBLISH, version, program):
        raise PermissionDenied(f"Only the admins and coordinators of {program} can publish its schedule.")
    with transaction.atomic():
        AcademicYear.objects.select_for_update().filter(pk=version.academic_year_id).exists()
        locked = (
            ScheduleVersion.objects.select_for_update(of=("self",)).select_related("academic_year").get(pk=version.pk)
        )
        if academic_year is not None and locked.academic_year_id != academic_year.pk:
            raise DomainError(f"Version {locked.number} belongs to {locked.academic_year}, not to {academic_year}.")
        if locked.status != ScheduleVersion.Status.DRAFT:
            raise ConflictError(f"{locked} is {locked.get_status_display().lower()}; only a draft can be published.")
        now = timezone.now()
        previous = ScheduleVersion.objects.select_for_update().filter(
            academic_year_id=locked.academic_year_id, status=ScheduleVersion.Status.PUBLISHED
        )
        for old in previous:
            old.status = ScheduleVersion.Status.ARCHIVED
            old.save(update_fields=["status"])
        locked.status, locked.published_at = ScheduleVersion.Status.PUBLISHED, now
        locked.published_by = user
        locked.save(update_fields=["status", "published_at", "published_by"])
        announce_published(version=locked)
    return locked
