"""Every view and export says the same thing about what a person does on a half-day (issue 11, points 2 and 4).

One resident, Rae, has a published schedule whose stored rows still put her on the inpatient service on a day
of approved vacation and for a whole block of approved deployment (approved without a repair). Around them:
a day off, a post-call day, an FMIT (inpatient) day, a clinic day and a free day spent on a 24-hour call.
The grid, month, week, person page, My schedule, Today, dashboard, both PDFs, both Excel files, the CSV and
the ICS feed must all print the same code or label for each of those half-days.
"""

import csv
import datetime as dt
import html
import io
import re
from dataclasses import dataclass

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from absences.models import Absence, AbsenceKind
from integrations.feeds.tokens import feed_token_get_or_create
from scheduling.day_view import block_grid, session_grid
from scheduling.models import AcademicYear, Block, CallAssignment, Person, RotationTemplate, ScheduleVersion
from scheduling.models import SessionAssignment as Row
from tenants.models import Role
from tests.absences.factories import AbsenceFactory
from tests.scheduling.factories import (
    AcademicYearFactory,
    BlockAssignmentFactory,
    BlockFactory,
    CallAssignmentFactory,
    FacultyFactory,
    ResidentFactory,
    RotationTemplateFactory,
    SessionAssignmentFactory,
)
from tests.scheduling.reading_data import published

Activity = Row.Activity

# What each day is, and the (code, label) every view must print for both its half-days.
EXPECTED = {
    "leave": ("LV-VAC", "Vacation (leave)"),
    "off": ("OFF", "Off"),
    "post_call": ("PC", "Post-call"),
    "fmit": ("FMS", "FMIT (inpatient)"),
    "clinic": ("C", "Clinic"),
    "call": ("IH", "In-house call"),
}


@dataclass
class Truth:
    """Rae's published year: the days by what they are, her blocks, the version and her calls."""

    year: AcademicYear
    version: ScheduleVersion
    rae: Person
    fmit: RotationTemplate
    days: dict[str, dt.date]
    blocks: list[Block]
    deployment: Absence
    vacation: Absence
    vacation_block: Block
    deployed: Block


def local(program, day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=program.zone)


def build(program, user=None) -> Truth:
    """Rae's year starts a week before this month, so the month and week views of the six days from today and her
    next 14 days all lie in it; she is on the inpatient service all year, deployed for the block after the days."""
    today = program.today()
    start = today.replace(day=1) - dt.timedelta(days=7)
    year = AcademicYearFactory(
        program=program, name=f"Truth {start:%Y}", start_date=start, end_date=start + dt.timedelta(days=363)
    )
    AcademicYear.objects.filter(pk=year.pk).update(is_current=True)
    blocks = [BlockFactory(academic_year=year, number=n) for n in range(1, 14)]
    version = published(year)
    fmit = RotationTemplateFactory(
        program=program,
        name="Family Medicine Inpatient Service",
        abbreviation="FMS",
        colour="#7a2e8e",
        kind=RotationTemplate.Kind.FMIT,
        min_residents=2,
    )
    rae = ResidentFactory(program=program, first_name="Rae", last_name="Truth", pgy=2, user=user)
    for block in blocks:
        BlockAssignmentFactory(version=version, block=block, person=rae, rotation=fmit)
    names = ["leave", "off", "post_call", "fmit", "clinic", "call"]
    days = {name: today + dt.timedelta(days=i) for i, name in enumerate(names)}
    stored = {  # what the published rows say (the engine keeps the rotation on free half-days)
        "leave": (Activity.FMIT, fmit),  # approved vacation, never repaired
        "off": (Activity.OFF, fmit),
        "post_call": (Activity.POST_CALL, fmit),
        "fmit": (Activity.FMIT, fmit),
        "clinic": (Activity.CLINIC, None),
        "call": (Activity.OFF, fmit),
    }
    for name, (activity, rotation) in stored.items():
        for session in ("AM", "PM"):
            SessionAssignmentFactory(
                version=version, person=rae, date=days[name], session=session, activity=activity, rotation=rotation
            )
    deployed = next(b for b in blocks if b.start_date > days["call"] + dt.timedelta(days=1))
    for day in (deployed.start_date, deployed.start_date + dt.timedelta(days=1)):  # deployed, still on duty
        for session in ("AM", "PM"):
            SessionAssignmentFactory(
                version=version, person=rae, date=day, session=session, activity=Activity.FMIT, rotation=fmit
            )
    after = dt.timedelta(days=1)
    for day, hour, length in ((days["leave"], 17, 15), (days["off"], 17, 15), (days["call"], 7, 24)):
        start_at = local(program, day, hour)
        CallAssignmentFactory(
            version=version,
            person=rae,
            kind=CallAssignment.Kind.IN_HOUSE,
            start=start_at,
            end=start_at + length * after / 24,
        )
    vacation = AbsenceFactory(
        program=program,
        person=rae,
        kind=AbsenceKind.VACATION,
        start_date=days["leave"],
        end_date=days["leave"],
        status=Absence.Status.APPROVED,
    )
    deployment = AbsenceFactory(
        program=program,
        person=rae,
        kind=AbsenceKind.DEPLOYMENT,
        start_date=deployed.start_date,
        end_date=deployed.end_date,
        orders_reference="ORD-11",
        status=Absence.Status.APPROVED,
    )
    holding = next(b for b in blocks if b.start_date <= days["leave"] <= b.end_date)
    return Truth(year, version, rae, fmit, days, blocks, deployment, vacation, holding, deployed)


@pytest.fixture
def truth(program, resident_user) -> Truth:
    return build(program, user=resident_user)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def _body(response) -> str:
    assert response.status_code == 200, response.getvalue()[:500]
    return response.getvalue().decode()


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


# --- What each view says, as {day: (AM, PM)} of codes or labels ---


def _days_table(body: str, person: Person, first: dt.date) -> dict[dt.date, tuple[str, str, str, str]]:
    """Month or week table: per day, (AM code, PM code, AM label, PM label) from the spans and their titles."""
    row = body[body.index(reverse("person-schedule", args=[person.pk]) + '"') :]
    row = row[: row.index("</tr>")]
    found = {}
    for offset, cell in enumerate(re.findall(r'<td class="day[^"]*">(.*?)</td>', row, re.S)):
        # a manager's half-days are links to their edit forms
        spans = re.findall(r'<(span|a) class="half-day(?: cell-link)?"[^>]*?title="([^"]*)">([^<]*)</\1>', cell)
        spans = [(title, text) for _tag, title, text in spans]
        if len(spans) != 2:
            continue  # a day with nothing scheduled
        (am_title, am), (pm_title, pm) = spans
        labels = [html.unescape(t).split(": ", 1)[-1].split(" — ")[0] for t in (am_title, pm_title)]
        found[first + dt.timedelta(days=offset)] = (html.unescape(am), html.unescape(pm), *labels)
    return found


def _person_page_days(body: str) -> dict[dt.date, tuple[str, str]]:
    """The "Next 14 days" table of a person page: per day shown, the AM and PM labels."""
    section = body[body.index("Next 14 days") :]
    section = section[: section.index("</table>")]
    found = {}
    for day, am, pm in re.findall(
        r'<th scope="row"><span class="nowrap">(.*?)</span>.*?</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', section, re.S
    ):
        key = _text(day).split(" · ")[0]
        found[key] = tuple(_text(cell).split(" · ")[0] for cell in (am, pm))
    return found


def _today_label(body: str, person: Person, session_title: str) -> str | None:
    """The roster group a person is listed under in one session of Today (for "Off / Leave", what keeps them)."""
    section = body[body.index(session_title) :]
    section = section[: section.index("</section>")]
    for label, entries in re.findall(r"<h3>(.*?) <span class=\"count\">.*?</h3>\s*<ul>(.*?)</ul>", section, re.S):
        for entry in re.findall(r"<li>(.*?)</li>", entries, re.S):
            if person.full_name in entry:
                label = _text(label)
                return _text(entry).split(" · ")[-1] if label == "Off / Leave" else label
    return None


def _pdf_text(response) -> str:
    assert response.status_code == 200, response.getvalue()[:300]
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.getvalue())).pages)


def _rows(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _workbook(response):
    assert response.status_code == 200, response.getvalue()[:300]
    return load_workbook(io.BytesIO(response.getvalue()))


def _day_key(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


# --- The test every view and export answers ---


def test_every_view_and_export_agrees_on_what_rae_does(client, coordinator, resident_user, truth, program):
    rae, days = truth.rae, truth.days
    expected = {day: EXPECTED[name] for name, day in days.items()}
    client.force_login(coordinator)

    # Month and week views (codes, and the labels in their titles), for every month and week the days touch.
    for day, (code, label) in expected.items():
        month = day.replace(day=1)
        body = _body(client.get(reverse("schedule-month"), {"month": f"{month:%Y-%m}", "person": rae.pk}))
        assert _days_table(body, rae, month)[day] == (code, code, label, label), ("month", day)
        monday = day - dt.timedelta(days=day.weekday())
        body = _body(client.get(reverse("schedule-week"), {"start": monday.isoformat(), "person": rae.pk}))
        assert _days_table(body, rae, monday)[day] == (code, code, label, label), ("week", day)

    # Person page (coordinator) and My schedule (Rae): labels of the next 14 days.
    pages = [_body(client.get(reverse("person-schedule", args=[rae.pk])))]
    client.force_login(resident_user)
    pages.append(_body(client.get(reverse("my-schedule"))))
    for body in pages:
        shown = _person_page_days(body)
        for day, (_, label) in expected.items():
            assert shown[_day_key(day)] == (label, label), ("person page", day)
        assert "FMS+LV" in body and "LV-DEP" in body  # block 1 partly, block 2 all on leave
        calls = body[body.index("Calls in the next 60 days") :]
        assert _day_key(days["leave"]) not in calls[: calls.index("</section>")]  # no call taken on leave

    # Dashboard: Rae's next duties start with her FMIT day, labelled as a resident's.
    dashboard = _body(client.get(reverse("home")))
    assert f"{days['fmit']:%a} {days['fmit'].day} {days['fmit']:%b} AM: FMIT (inpatient) (FMS)" in dashboard
    assert "FMIT attending" not in dashboard

    # Today, each day: the roster group (or the reason for being away) in the AM and the PM.
    for day, (_, label) in expected.items():
        body = _body(client.get(reverse("today"), {"date": day.isoformat()}))
        shown = (_today_label(body, rae, "Morning (AM)"), _today_label(body, rae, "Afternoon (PM)"))
        assert shown == (label, label), ("today", day, shown)
        tonight = body[body.index("On call tonight") :]
        tonight = tonight[: tonight.index("</section>")]
        assert (rae.full_name in tonight) == (day in (days["off"], days["call"])), ("on call", day)

    # Person PDF: each day's line holds its AM and PM labels.
    client.force_login(coordinator)
    query = {"start": days["leave"].isoformat(), "end": days["call"].isoformat()}
    text = _pdf_text(client.get(reverse("export-person-pdf", args=[rae.pk]), query))
    lines = text.splitlines()
    for day, (_, label) in expected.items():
        line = next(line for line in lines if line.startswith(f"{day:%a} {day.day} {day:%b %Y}"))
        assert line.count(label) == 2 or (label == "Off" and "Off" in line), ("person pdf", day, line)
    assert "FMS+LV" in text and "LV-DEP" in text
    assert "FMIT attending" not in text

    # Grid PDF: the same block codes, and the legend says what they are.
    text = _pdf_text(client.get(reverse("export-grid-pdf"), {"person": rae.pk}))
    assert "FMS+LV" in text and "LV-DEP" in text and "Deployment (leave)" in text

    # The block grid page and grid.xlsx: block 1 partly on leave, block 2 deployed.
    grid = _body(client.get(reverse("schedule-grid"), {"person": rae.pk}))
    assert ">FMS+LV<" in grid and ">LV-DEP<" in grid and "Deployment (leave)" in grid
    book = _workbook(client.get(reverse("export-grid-xlsx"), {"person": rae.pk}))
    row = next(r for r in _rows(book["Blocks"]) if r[0] == rae.full_name)
    assert (row[1 + truth.vacation_block.number], row[1 + truth.deployed.number]) == ("FMS+LV", "LV-DEP")
    assert ["LV-DEP", "Deployment (leave)"] in [r[:2] for r in _rows(book["Legend"])]

    # range.xlsx (linked from the month view): codes per half-day, and no call taken on leave.
    month = _body(client.get(reverse("schedule-month"), {"month": f"{days['leave']:%Y-%m}"}))
    assert reverse("export-range-xlsx") + "?" in month
    book = _workbook(client.get(reverse("export-range-xlsx"), query))
    rows = _rows(book["Half-days"])
    row = next(r for r in rows if r[0] == rae.full_name)
    for index, day in enumerate(sorted(expected)):
        assert row[2 + 2 * index : 4 + 2 * index] == [expected[day][0]] * 2, ("range.xlsx", day)
    call_days = [r[0] for r in _rows(book["Calls"])[1:]]
    assert [d.date() if isinstance(d, dt.datetime) else d for d in call_days] == [days["off"], days["call"]]
    legend = [r[:2] for r in _rows(book["Legend"])]
    for code, _label in EXPECTED.values():
        if code != "FMS":
            assert code in [r[0] for r in legend], code
    assert ["FMS", truth.fmit.name] in legend

    # assignments.csv: the session rows carry the same activity, code and label; no call on leave.
    rows = list(csv.DictReader(io.StringIO(_body(client.get(reverse("export-assignments-csv"), {"person": rae.pk})))))
    for day, (code, label) in expected.items():
        mine = [r for r in rows if r["kind"] == "session" and r["date"] == day.isoformat()]
        assert [(r["code"], r["label"]) for r in mine] == [(code, label)] * 2, ("csv", day)
    assert [r for r in rows if r["kind"] == "session" and r["date"] == days["leave"].isoformat()][0]["activity"] == (
        "leave"
    )
    assert [r["date"] for r in rows if r["kind"] == "call"] == [days["off"].isoformat(), days["call"].isoformat()]
    blocks = {r["block"]: r["code"] for r in rows if r["kind"] == "block"}
    assert (blocks[str(truth.vacation_block.number)], blocks[str(truth.deployed.number)]) == ("FMS+LV", "LV-DEP")

    # The ICS feed: one event per day (AM and PM alike), titled with the label; no "Off" event; no call on leave.
    token = feed_token_get_or_create(program=program, person=rae)
    feed = client.get(reverse("feed-person", kwargs={"token": token.token}))
    events = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    for day, (_, label) in expected.items():
        starts = [
            str(e["SUMMARY"])
            for e in events
            if isinstance(e.start, dt.datetime) and e.start.date() == day and not str(e["SUMMARY"]).endswith(" call")
        ]
        assert starts == ([] if label in ("Off", "In-house call") else [label]), ("ics", day, starts)
    call_starts = sorted(e.start.date() for e in events if str(e["SUMMARY"]) == "In-house call")  # one a call
    assert call_starts == [days["off"], days["call"]]
    assert f"Block {truth.deployed.number}: Deployment (leave)" in [str(e["SUMMARY"]) for e in events]
    assert not any("FMIT attending" in str(e["SUMMARY"]) for e in events)


# --- Short after absence: the dashboard, the grid and Today ---


@pytest.fixture
def crew(truth, program) -> Person:
    """Sam shares block 2 of the inpatient service (minimum 2) with Rae, who is deployed for all of it."""
    sam = ResidentFactory(program=program, first_name="Sam", last_name="Second", pgy=1)
    BlockAssignmentFactory(version=truth.version, block=truth.deployed, person=sam, rotation=truth.fmit)
    return sam


def test_dashboard_and_grid_flag_an_absence_approved_without_repair(coordinator_client, truth, crew):
    impact = reverse("absence-impact", args=[truth.deployment.pk])

    for page in (reverse("home"), reverse("schedule-grid")):
        body = _body(coordinator_client.get(page))
        flag = body[body.index("Short after absence") :]
        flag = flag[: flag.index("</div>")]
        assert "Rae Truth" in flag and "Deployment" in flag and f'href="{impact}"' in flag
        assert f"Block {truth.deployed.number}: Family Medicine Inpatient Service has 1 of the 2 residents" in flag
        assert "4 half-days of duty" in flag  # the two deployed days still on the service
    grid = _body(coordinator_client.get(reverse("schedule-grid"), {"person": truth.rae.pk}))
    assert grid.count('class="cell short"') == 2  # the blocks of the vacation and the deployment in Rae's row


def test_the_flag_goes_once_the_repair_is_published(coordinator_client, truth, crew):
    deployed = (truth.deployed.start_date, truth.deployed.end_date)
    Row.objects.filter(version=truth.version, person=truth.rae, date__range=deployed).update(activity=Activity.LEAVE)
    vacation_day = truth.days["leave"]
    Row.objects.filter(version=truth.version, person=truth.rae, date=vacation_day).update(activity=Activity.LEAVE)
    CallAssignment.objects.filter(version=truth.version, person=truth.rae, start__date=vacation_day).delete()

    for page in (reverse("home"), reverse("schedule-grid")):
        assert "Short after absence" not in _body(coordinator_client.get(page))


def test_residents_see_the_leave_but_not_the_repair_flag(client, resident_user, truth, crew):
    client.force_login(resident_user)
    grid = _body(client.get(reverse("schedule-grid")))
    assert "Short after absence" not in grid and ">LV-DEP<" in grid
    assert reverse("absence-impact", args=[truth.deployment.pk]) not in _body(client.get(reverse("home")))


def test_today_leaves_people_on_leave_out_and_shows_the_shortfall(client, member, coordinator, truth, crew):
    day = truth.deployed.start_date  # deployed; the published rows still have Rae on the service, and a call
    CallAssignmentFactory(
        version=truth.version,
        person=truth.rae,
        kind=CallAssignment.Kind.IN_HOUSE,
        start=local(truth.version.program, day, 17),
        end=local(truth.version.program, day + dt.timedelta(days=1), 8),
    )
    for user, manager in ((member(Role.RN), False), (coordinator, True)):
        client.force_login(user)
        body = _body(client.get(reverse("today"), {"date": day.isoformat()}))

        assert _today_label(body, truth.rae, "Morning (AM)") == "Deployment (leave)"
        tonight = body[body.index("On call tonight") :]
        assert "Rae Truth" not in tonight[: tonight.index("</section>")]
        short = body[body.index("Short after absence") :]
        short = short[: short.index("</section>")]
        assert "Family Medicine Inpatient Service</strong>: 1 resident at work of the 2 it needs" in short
        assert "Rae Truth (Deployment (leave))" in short
        assert "still has them on AM: FMIT (inpatient) (Family Medicine Inpatient Service); PM: FMIT" in short
        assert "In-house call 17:00" in short
        assert (reverse("absence-impact", args=[truth.deployment.pk]) in short) == manager


def test_another_programs_coordinator_sees_none_of_it(client, member, other_program, truth, crew):
    client.force_login(member(Role.COORDINATOR, in_program=other_program))
    day = truth.deployed.start_date.isoformat()
    for page, query in ((reverse("home"), {}), (reverse("schedule-grid"), {}), (reverse("today"), {"date": day})):
        response = client.get(page, query)
        text = response.getvalue().decode()
        assert "Rae Truth" not in text and "Short after absence" not in text
    assert client.get(reverse("person-schedule", args=[truth.rae.pk])).status_code == 404
    assert client.get(reverse("absence-impact", args=[truth.deployment.pk])).status_code == 404
    assert client.get(reverse("export-person-pdf", args=[truth.rae.pk])).status_code == 404


@pytest.mark.parametrize("absent", [1, 8])
def test_the_flag_takes_the_same_queries_however_many_are_away(
    coordinator_client, program, truth, absent, django_assert_max_num_queries
):
    for i in range(absent):
        person = ResidentFactory(program=program, pgy=1)
        later = truth.blocks[truth.deployed.number]  # the block after the deployment
        BlockAssignmentFactory(version=truth.version, block=later, person=person, rotation=truth.fmit)
        day = later.start_date + dt.timedelta(days=i)
        SessionAssignmentFactory(
            version=truth.version, person=person, date=day, activity=Activity.FMIT, rotation=truth.fmit
        )
        AbsenceFactory(program=program, person=person, start_date=day, end_date=day, status=Absence.Status.APPROVED)
    coordinator_client.get(reverse("home"))  # fills the compliance cache

    with django_assert_max_num_queries(29):  # + the header's count of swaps waiting for approval
        assert _body(coordinator_client.get(reverse("home"))).count("Repair the schedule") == absent + 2
    with django_assert_max_num_queries(28):  # + the header's count of swaps waiting for approval
        assert _body(coordinator_client.get(reverse("schedule-grid"))).count("Repair the schedule") == absent + 2


# --- The selector itself: the rules every view inherits ---


def test_a_half_day_absence_takes_its_session_and_keeps_the_nights_call(program, truth):
    day = truth.days["clinic"]
    AbsenceFactory(
        program=program, person=truth.rae, start_date=day, end_date=day, half_day="am", status=Absence.Status.APPROVED
    )
    start_at = local(program, day, 17)
    CallAssignmentFactory(
        version=truth.version, person=truth.rae, start=start_at, end=start_at + dt.timedelta(hours=15)
    )

    grid = session_grid(version=truth.version, start=day, end=day, person_ids=[truth.rae.pk])

    am, pm = grid.day(truth.rae.pk, day)
    assert (am.code, am.label, am.duty_left) == ("LV-VAC", "Vacation (leave)", True)
    assert (pm.code, pm.label) == ("C", "Clinic")
    assert [c.start for c in grid.calls] == [start_at] and grid.dropped_calls == []


def test_leave_rows_without_an_absence_calls_and_fmit_read_as_the_checker_sees_them(program, truth):
    day = truth.days["off"]
    Row.objects.filter(version=truth.version, person=truth.rae, date=day, session="AM").update(activity=Activity.LEAVE)
    faculty = FacultyFactory(program=program, first_name="Fay")
    for session in ("AM", "PM"):
        SessionAssignmentFactory(
            version=truth.version, person=faculty, date=day, session=session, activity=Activity.FMIT
        )

    grid = session_grid(version=truth.version, start=truth.days["leave"], end=truth.days["call"])

    rae = truth.rae.pk
    assert (grid.halves[(rae, day, "AM")].code, grid.halves[(rae, day, "AM")].label) == ("LV", "Leave")
    assert grid.halves[(faculty.pk, day, "AM")].label == "FMIT attending"
    assert grid.halves[(rae, truth.days["fmit"], "AM")].label == "FMIT (inpatient)"
    # A 24-hour call from 07:00 takes a free day; a call from 17:00 leaves the day off and the next morning post-call.
    assert [h.code for h in grid.day(rae, truth.days["call"])] == ["IH", "IH"]
    assert [h.code for h in grid.day(rae, day)] == ["LV", "OFF"]
    assert [h.code for h in grid.day(rae, truth.days["post_call"])] == ["PC", "PC"]
    # The vacation day's call is not taken: it is listed as dropped, not as a call.
    assert [c.start.date() for c in grid.dropped_calls] == [truth.days["leave"]]


@pytest.mark.parametrize(("days", "code"), [(14, "FMS+LV"), (15, "LV-SCK")])
def test_a_block_shows_its_leave_when_leave_takes_most_of_it(program, truth, days, code):
    block = truth.blocks[-1]
    AbsenceFactory(
        program=program,
        person=truth.rae,
        kind=AbsenceKind.SICK,
        start_date=block.start_date,
        end_date=block.start_date + dt.timedelta(days=days - 1),
        status=Absence.Status.APPROVED,
    )

    grid = block_grid(version=truth.version, person=truth.rae)

    part = grid.groups[0][1][0].parts[-1][0]
    assert part.code == code
    assert part.leave_days == days


def test_a_rotation_cannot_take_a_leave_code(program):
    for abbreviation in ("LV", "lv-dep", "LV-X"):
        rotation = RotationTemplate(program=program, name=f"Rotation {abbreviation}", abbreviation=abbreviation)
        with pytest.raises(ValidationError) as refused:
            rotation.full_clean()
        assert "mark leave" in str(refused.value.message_dict["abbreviation"])
