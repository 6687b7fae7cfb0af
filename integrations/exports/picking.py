"""What a download was asked for (year, version, grid filters, range), read from a request or, for a background
job, from the plain ids the request resolved to, and the name the file is downloaded as."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.text import slugify

from scheduling.day_view import BlockGrid, block_grid
from scheduling.models import AcademicYear, Person, RotationTemplate, ScheduleVersion
from scheduling.selectors import schedule_version_pick
from scheduling.views.access import is_manager, year_from_request
from tenants.errors import DomainError
from tenants.models import Organization
from tenants.params import parse_id, parse_whole
from tenants.permissions import Action, Resource, can


@dataclass
class Picked:
    """The year, version and grid filters a download was asked for."""

    year: AcademicYear
    version: ScheduleVersion
    pgy: int | None = None
    rotation: RotationTemplate | None = None
    person: Person | None = None

    def grid(self) -> BlockGrid:
        return block_grid(version=self.version, pgy=self.pgy, rotation=self.rotation, person=self.person)

    def params(self) -> dict[str, Any]:
        """The picked rows as plain ids, for a background job (`picked_from_params` reads them back)."""
        return {
            "year": self.year.pk,
            "version": self.version.pk,
            "pgy": self.pgy,
            "rotation": self.rotation.pk if self.rotation else None,
            "person": self.person.pk if self.person else None,
        }

    def filename(self, what: str, extension: str) -> str:
        """`<program>-<year>-v<n>[-draft]-<what>.<extension>`, the name every download of the version carries."""
        version = self.version
        status = "" if version.status == ScheduleVersion.Status.PUBLISHED else f"-{version.status}"
        return f"{version.program.slug}-{slugify(self.year.name)}-v{version.number}{status}-{what}.{extension}"


DRAFTS_REFUSED = "Only the program's admins and coordinators can export a version that is not published."


def pick(request: HttpRequest, year: AcademicYear | None = None) -> Picked:
    """Read ?year, ?version and the filters; 404 when the year or version does not exist or may not be seen."""
    program = request.program
    year = year or year_from_request(request)
    if year is None:
        raise Http404("This program has no academic year yet.")
    version = schedule_version_pick(
        academic_year=year, which=request.GET.get("version"), drafts_visible=is_manager(request)
    )
    if version is None:
        raise Http404(f"{year} has no published schedule.")
    picked = Picked(year=year, version=version)
    pgy, rotation, person = (request.GET.get(k, "") for k in ("pgy", "rotation", "person"))
    picked.pgy = parse_whole(pgy, low=1, high=8)
    rotation_id, person_id = parse_id(rotation), parse_id(person)
    if rotation_id is not None:
        picked.rotation = get_object_or_404(RotationTemplate.objects.for_program(program), pk=rotation_id)
    if person_id is not None:
        picked.person = get_object_or_404(Person.objects.for_program(program), pk=person_id)
    return picked


def picked_from_params(*, program: Organization, user, params: dict[str, Any]) -> Picked:
    """The rows a job's request picked, in the job's program; refused (DomainError) when they are gone or the
    user may no longer read them (a draft: managers only)."""
    version = (
        ScheduleVersion.objects.for_program(program)
        .select_related("program", "academic_year")
        .filter(pk=params.get("version"))
        .first()
    )
    if version is None or version.academic_year_id != params.get("year"):
        raise DomainError("The schedule version this export was asked for no longer exists.")
    if version.status != ScheduleVersion.Status.PUBLISHED and not can(user, Action.CHANGE, Resource.SCHEDULE, program):
        raise DomainError(DRAFTS_REFUSED)
    picked = Picked(year=version.academic_year, version=version, pgy=params.get("pgy"))
    if params.get("rotation") is not None:
        picked.rotation = RotationTemplate.objects.for_program(program).filter(pk=params["rotation"]).first()
        if picked.rotation is None:
            raise DomainError("The rotation this export was filtered by no longer exists.")
    if params.get("person") is not None:
        picked.person = Person.objects.for_program(program).filter(pk=params["person"]).first()
        if picked.person is None:
            raise DomainError("The person this export was filtered by no longer exists.")
    return picked


def range_params(start: dt.date, end: dt.date) -> dict[str, str]:
    return {"start": start.isoformat(), "end": end.isoformat()}
