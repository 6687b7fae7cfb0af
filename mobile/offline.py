"""What the installed app keeps for offline use: the user's own next 28 days, in one compact document.

The half-days come from the one reading of a half-day (`day_view.session_grid`) in the published schedule of
each academic year the days fall in; calls are the user's own; the program's on-call list of today is what the
on-call page already shows every member (names, duty, times, phone and pager), and only when the user's role
reads that page; absences and swaps are the user's own, without the private absence note. Nothing of another
person's schedule, absences or swaps is in it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db.models import Prefetch

from absences.models import Absence
from scheduling import schedule_cache
from scheduling.api_oncall import cover_json, day_json
from scheduling.day_view import HalfDay, session_grid
from scheduling.models import Person
from scheduling.on_call import Cover, OnCallDay, on_call_days, published_versions
from swaps.models import Swap, SwapLeg
from swaps.selectors import swaps_of_person
from tenants.models import Organization
from tenants.permissions import Action, Resource, can

OFFLINE_DAYS = 28
FORMAT = 1  # bump when the document's shape changes: cached copies then stop matching the ETag
MAX_SWAPS = 50


def offline_etag(*, program: Organization, user) -> str:
    """A validator of the user's document: it changes with the program's schedule generation (any commit to
    scheduling, absences or swaps), the day, the user and the role (which decides the on-call list)."""
    on_call = can(user, Action.VIEW, Resource.CALL_LIST, program)
    stamp = f"{FORMAT}:{schedule_cache.generation(program.pk)}:{program.today()}:{user.pk}:{program.pk}:{on_call}"
    return '"' + hashlib.sha256(stamp.encode()).hexdigest()[:32] + '"'


def _half(half: HalfDay | None) -> dict[str, str] | None:
    if half is None:
        return None
    return {"code": half.code, "label": half.label, "detail": half.detail, "colour": half.colour}


def _my_days(*, program: Organization, person: Person, start: dt.date, end: dt.date) -> tuple[list[dict], list]:
    """Each day start..end with the person's AM and PM, and their calls starting in the range (published)."""
    days: dict[dt.date, dict[str, Any]] = {}
    calls = []
    for version in published_versions(program=program, start=start, end=end):
        year = version.academic_year
        grid = session_grid(
            version=version, start=max(start, year.start_date), end=min(end, year.end_date), person_ids=[person.pk]
        )
        for day in grid.days:
            am, pm = grid.day(person.pk, day)
            special = grid.special_days.get(day)
            days[day] = {
                "date": day,
                "published": True,
                "special": (special.name or special.get_day_type_display()) if special is not None else None,
                "am": _half(am),
                "pm": _half(pm),
            }
        calls.extend(grid.calls)
    out = []
    for offset in range((end - start).days + 1):
        day = start + dt.timedelta(days=offset)
        out.append(days.get(day) or {"date": day, "published": False, "special": None, "am": None, "pm": None})
    return out, calls


def _cover(cover: Cover) -> dict[str, Any]:
    return cover_json(cover) | {"times": cover.times}


def _on_call(day: OnCallDay) -> dict[str, Any]:
    """The on-call API's day (`scheduling.api_oncall.day_json`), each cover with its times in words."""
    return day_json(day) | {
        "residents": [_cover(cover) for cover in day.residents],
        "faculty": [_cover(cover) for cover in day.faculty],
    }


def _absences(*, program: Organization, person: Person, start: dt.date) -> list[Absence]:
    return list(Absence.objects.for_program(program).filter(person=person, end_date__gte=start).order_by("start_date"))


def _swaps(*, program: Organization, person: Person, start: dt.date) -> list[Swap]:
    legs = SwapLeg.objects.select_related("giver", "taker").order_by("position")
    return list(
        swaps_of_person(program=program, person=person)
        .filter(legs__date__gte=start)
        .prefetch_related(Prefetch("legs", queryset=legs))
        .order_by("-created_at")[:MAX_SWAPS]
    )


def offline_bundle(*, program: Organization, user, now: dt.datetime) -> dict[str, Any]:
    """The user's document: their person, the next OFFLINE_DAYS days (AM, PM, calls), today's on-call list of
    the program when their role reads it, their absences and swaps from today on (rows: mobile.api reads them with
    the absences and swaps APIs' serializers, which pick the fields)."""
    today = now.astimezone(program.zone).date()
    end = today + dt.timedelta(days=OFFLINE_DAYS - 1)
    person = Person.objects.filter(program=program, user=user).first()
    bundle: dict[str, Any] = {
        "format": FORMAT,
        "generated_at": now,
        "user": user.pk,
        "program": {"id": program.pk, "name": program.name, "time_zone": program.time_zone},
        "today": today,
        "until": end,
        "person": None,
        "days": [],
        "calls": [],
        "on_call_today": None,
        "absences": [],
        "swaps": [],
    }
    if can(user, Action.VIEW, Resource.CALL_LIST, program):
        bundle["on_call_today"] = _on_call(on_call_days(program=program, start=today, end=today)[0])
    if person is None:
        return bundle
    bundle["person"] = {"id": person.pk, "name": person.full_name, "kind": person.kind, "pgy": person.pgy}
    zone = program.zone
    bundle["days"], calls = _my_days(program=program, person=person, start=today, end=end)
    bundle["calls"] = [
        {
            "kind": call.kind,
            "label": f"{call.get_kind_display()} call",
            "start": call.start.astimezone(zone),
            "end": call.end.astimezone(zone),
        }
        for call in calls
    ]
    bundle["absences"] = _absences(program=program, person=person, start=today)
    bundle["swaps"] = _swaps(program=program, person=person, start=today)
    return bundle
