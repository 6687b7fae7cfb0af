"""Supervision checked everywhere: a version's clinic and supervised-rotation sessions reach the checker's
`supervision_ratio` (a PGY-1 counts 2 units, others 1, a faculty member supervises 4), so the compliance page,
the publish gate and cell edits report an under-supervised session like any other breach."""

import datetime as dt

import pytest
from django.urls import reverse

from scheduling.compliance import Changes, supervision_report, version_duties, version_report
from scheduling.models import RotationTemplate, ScheduleVersion, SessionAssignment
from scheduling.services import (
    RuleBreachError,
    academic_year_create,
    schedule_version_breaches,
    session_assignment_change,
)
from scheduling.services.runs import _acgme_verdict  # the verdict a run stores on its draft
from tests.scheduling.factories import (
    FacultyFactory,
    ResidentFactory,
    RotationTemplateFactory,
    ScheduleVersionFactory,
    SessionAssignmentFactory,
)

pytestmark = pytest.mark.django_db

JULY_1 = dt.date(2026, 7, 1)
LABEL = "Too few faculty supervising the residents of a session (program rule)"
Activity = SessionAssignment.Activity


def clinic_session(program, *, pgy1: int, faculty: int, status=ScheduleVersion.Status.DRAFT, others: int = 0):
    """A year whose version has `pgy1` PGY-1 and `others` PGY-2 residents and `faculty` faculty in continuity
    clinic on the morning of 1 July."""
    year = academic_year_create(program=program, start_date=JULY_1, make_current=True)
    extra = {"published_at": dt.datetime(2026, 6, 1, tzinfo=dt.UTC)} if status != "draft" else {}
    version = ScheduleVersionFactory(academic_year=year, program=program, number=1, status=status, **extra)
    residents = [ResidentFactory(program=program, pgy=1, last_name=f"Intern{n}") for n in range(pgy1)]
    residents += [ResidentFactory(program=program, pgy=2, last_name=f"Senior{n}") for n in range(others)]
    teachers = [FacultyFactory(program=program, last_name=f"Teacher{n}") for n in range(faculty)]
    for person in residents + teachers:
        SessionAssignmentFactory(version=version, person=person, date=JULY_1, session="AM", activity=Activity.CLINIC)
    return version, residents, teachers


def findings_of(report):
    return [(v.rule, v.site, v.session, v.value, v.limit) for v in report.violations]


def test_the_version_document_holds_each_clinic_session_with_its_residents_and_faculty(program):
    version, residents, teachers = clinic_session(program, pgy1=4, faculty=2)

    duties = version_duties(version=version)

    assert duties["sessions"] == [
        {
            "date": "2026-07-01",
            "session": "AM",
            "site": "clinic",
            "residents": [f"p{r.pk}" for r in residents],
            "faculty": [f"p{f.pk}" for f in teachers],
        }
    ]
    assert version_report(version=version).compliant  # 8 units, 2 faculty: at the limit


def test_five_pgy1_residents_with_two_faculty_break_the_ratio(program):
    version, residents, teachers = clinic_session(program, pgy1=5, faculty=2)

    report = version_report(version=version)

    assert not report.compliant
    assert findings_of(report) == [("supervision_ratio", "clinic", "AM", 10, 8)]
    [finding] = report.violations
    assert finding.residents == tuple(f"p{r.pk}" for r in residents)
    assert finding.faculty == tuple(f"p{f.pk}" for f in teachers)


def test_the_compliance_page_shows_an_undersupervised_clinic_session_with_its_label(client, coordinator, program):
    version, residents, teachers = clinic_session(program, pgy1=5, faculty=2, status="published")
    client.force_login(coordinator)

    response = client.get(reverse("compliance"))

    body = response.content.decode()
    assert response.status_code == 200
    groups = {g.rule: g for g in response.context["groups"]}
    [(party, violation)] = groups["supervision_ratio"].items
    assert (party.site, party.residents, party.faculty) == ("Continuity clinic", residents, teachers)
    assert (violation.value, violation.limit) == (10, 8)
    assert LABEL in body and "1 violation" in body
    assert "Continuity clinic" in body and residents[0].full_name in body and teachers[1].full_name in body
    assert f"{reverse('schedule-week')}?start=2026-07-01&amp;version={version.pk}" in body


def test_the_publish_gate_lists_the_supervision_breach(program):
    version, _, _ = clinic_session(program, pgy1=5, faculty=2)

    [breach] = schedule_version_breaches(version=version)

    assert (breach.rule, breach.person_id, breach.value, breach.limit) == ("supervision_ratio", None, 10, 8)
    assert breach.person.startswith("Continuity clinic: ") and breach.title == LABEL
    assert breach.as_dict()["person"] == {"id": None, "name": breach.person}


def test_taking_the_only_faculty_out_of_a_clinic_session_is_refused_without_a_reason(program, coordinator):
    version, _, [teacher] = clinic_session(program, pgy1=2, faculty=1)

    with pytest.raises(RuleBreachError) as refused:
        session_assignment_change(
            version=version, person=teacher, date=JULY_1, session="AM", activity=Activity.OFF, user=coordinator
        )

    [finding] = refused.value.findings
    assert (finding.rule, finding.clause, finding.severity) == ("supervision_ratio", "program rule", "violation")
    assert finding.message == (
        "Continuity clinic, Wed 01 Jul AM: 4 supervision units against a limit of 0 supervision units "
        "(2 resident(s), 0 faculty)."
    )
    assert LABEL in str(refused.value)
    row = SessionAssignment.objects.get(version=version, person=teacher, date=JULY_1, session="AM")
    assert row.activity == Activity.CLINIC

    session_assignment_change(
        version=version,
        person=teacher,
        date=JULY_1,
        session="AM",
        activity=Activity.OFF,
        user=coordinator,
        reason="Residents precept with the urgent care attending",
    )
    row.refresh_from_db()
    assert (row.activity, row.acknowledged_by) == (Activity.OFF, coordinator)


def test_the_edit_page_lists_the_supervision_finding(client, program, coordinator):
    version, _, [teacher] = clinic_session(program, pgy1=2, faculty=1)
    client.force_login(coordinator)
    url = reverse("edit-session", args=[version.pk, teacher.pk, JULY_1.isoformat(), "AM"])

    refused = client.post(url, {"activity": Activity.OFF})

    body = refused.content.decode()
    assert refused.status_code == 200
    assert LABEL in body and "4 supervision units against a limit of 0 supervision units" in body
    assert SessionAssignment.objects.get(version=version, person=teacher, session="AM").activity == Activity.CLINIC


def test_adding_a_pgy1_to_a_full_clinic_session_is_refused(program, coordinator):
    version, _, _ = clinic_session(program, pgy1=4, faculty=2)
    newcomer = ResidentFactory(program=program, pgy=1)

    with pytest.raises(RuleBreachError) as refused:
        session_assignment_change(
            version=version, person=newcomer, date=JULY_1, session="AM", activity=Activity.CLINIC, user=coordinator
        )

    assert [(f.rule, f.severity) for f in refused.value.findings] == [("supervision_ratio", "violation")]
    assert "10 supervision units against a limit of 8" in refused.value.findings[0].message


def test_an_edit_that_eases_an_undersupervised_session_is_not_a_finding(program, coordinator):
    version, residents, _ = clinic_session(program, pgy1=6, faculty=2)  # 12 units against 8

    session_assignment_change(
        version=version, person=residents[0], date=JULY_1, session="AM", activity=Activity.OFF, user=coordinator
    )

    assert findings_of(version_report(version=version)) == [("supervision_ratio", "clinic", "AM", 10, 8)]


def test_a_session_report_reads_the_hypothetical_edit(program):
    version, _, [teacher] = clinic_session(program, pgy1=1, faculty=1, others=2)
    keys = [(JULY_1, "AM")]

    before = supervision_report(version=version, keys=keys)
    after = supervision_report(
        version=version, keys=keys, changes=Changes(sessions={(teacher.pk, JULY_1, "AM"): (Activity.OFF, None)})
    )

    assert before.compliant and findings_of(after) == [("supervision_ratio", "clinic", "AM", 4, 0)]


def test_a_rotation_whose_supervision_the_version_schedules_is_checked_per_session(program):
    version, _, _ = clinic_session(program, pgy1=0, faculty=0)
    procedures = RotationTemplateFactory(program=program, name="Procedures", abbreviation="PROC")
    unchecked = RotationTemplateFactory(
        program=program, name="Research", abbreviation="RES", requires_supervision=False
    )
    resident, senior = ResidentFactory(program=program, pgy=1), ResidentFactory(program=program, pgy=2)
    teacher = FacultyFactory(program=program)
    for session in ("AM", "PM"):
        for person in (resident, senior):
            SessionAssignmentFactory(
                version=version,
                person=person,
                date=JULY_1,
                session=session,
                activity=Activity.PROCEDURE,
                rotation=procedures,
            )
    SessionAssignmentFactory(
        version=version, person=teacher, date=JULY_1, session="AM", activity=Activity.SUPERVISING, rotation=procedures
    )
    other = ResidentFactory(program=program, pgy=1)
    SessionAssignmentFactory(
        version=version, person=other, date=JULY_1, session="AM", activity=Activity.ELECTIVE, rotation=unchecked
    )

    report = version_report(version=version)

    assert findings_of(report) == [("supervision_ratio", f"rot{procedures.pk}", "PM", 3, 0)]  # AM: 3 of 4
    assert report.violations[0].residents == (f"p{resident.pk}", f"p{senior.pk}")


def test_rotations_without_scheduled_supervisors_are_left_to_the_service(program):
    version, _, _ = clinic_session(program, pgy1=0, faculty=0)
    clinic = RotationTemplateFactory(
        program=program, name="Clinic", abbreviation="CL", kind=RotationTemplate.Kind.OUTPATIENT_CLINIC
    )
    for n in range(6):
        resident = ResidentFactory(program=program, pgy=1, last_name=f"Clinic{n}")
        SessionAssignmentFactory(
            version=version, person=resident, date=JULY_1, activity=Activity.CLINIC, rotation=clinic
        )

    assert "sessions" not in version_duties(version=version)  # as the engine writes a clinic rotation's days
    assert version_report(version=version).compliant


def test_the_run_verdict_counts_an_undersupervised_session(program):
    version, _, _ = clinic_session(program, pgy1=5, faculty=2)

    verdict = _acgme_verdict(version)

    assert (verdict["compliant"], verdict["violations"]) == (False, 1)
    assert verdict["first_violations"][0] | {"start": None} == {
        "rule": "supervision_ratio",
        "person": "",
        "start": None,
        "value": 10,
        "limit": 8,
        "site": "clinic",
        "session": "AM",
    }
