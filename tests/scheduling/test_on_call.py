"""The on-call directory: phone and pager numbers on people, shown to the program's members on Today, the
on-call pages and person pages; never in the calendar feeds or the exports unless a manager asks for them."""

import csv
import datetime as dt
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from integrations.feeds.tokens import feed_token_get_or_create
from scheduling.demo import demo_seed
from scheduling.models import CallAssignment, Person, SessionAssignment
from scheduling.services import person_contacts_change
from tenants.errors import DomainError
from tenants.models import Role
from tests.scheduling import export_data
from tests.scheduling.factories import (
    CallAssignmentFactory,
    FacultyFactory,
    ResidentFactory,
    RotationTemplateFactory,
    SessionAssignmentFactory,
)
from tests.scheduling.reading_data import published, year_holding

pytestmark = pytest.mark.django_db

ON_CALL = reverse("on-call")
ON_CALL_CSV = reverse("on-call-csv")
MONDAY = dt.date(2026, 7, 6)
SATURDAY = dt.date(2026, 7, 11)
STAFF_ROLES = [Role.CLINICAL_STAFF, Role.RN, Role.LPN, Role.MSA]
ALL_ROLES = list(Role)
ADA_PHONE, ADA_PAGER = "(802) 555-0101", "(802) 555-0151"
GRACE_PHONE, GRACE_PAGER = "(802) 555-0102", "(802) 555-0152"
Activity = SessionAssignment.Activity


def local(program, day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=program.zone)


@pytest.fixture
def week(program):
    """The published week of 6 July 2026: Ada (PGY-1) on in-house call Monday night and a 24-h call Saturday,
    Grace (faculty) the FMIT attending all week and in clinic Monday AM with Ada; both have phone and pager."""
    version = published(year_holding(program, MONDAY))
    ada = ResidentFactory(
        program=program, pgy=1, first_name="Ada", last_name="Lovelace", phone=ADA_PHONE, pager=ADA_PAGER
    )
    grace = FacultyFactory(
        program=program, first_name="Grace", last_name="Hopper", phone=GRACE_PHONE, pager=GRACE_PAGER
    )
    clinic = RotationTemplateFactory(program=program, name="Family Medicine Clinic", abbreviation="FMC")
    SessionAssignmentFactory(version=version, person=ada, date=MONDAY, session="AM", rotation=clinic)
    SessionAssignmentFactory(version=version, person=grace, date=MONDAY, session="AM", activity=Activity.CLINIC)
    for offset in range(1, 7):
        for session in ("AM", "PM"):
            day = MONDAY + dt.timedelta(days=offset)
            SessionAssignmentFactory(version=version, person=grace, date=day, session=session, activity=Activity.FMIT)
    CallAssignmentFactory(
        version=version, person=ada, start=local(program, MONDAY, 17), end=local(program, MONDAY + dt.timedelta(1), 8)
    )
    CallAssignmentFactory(
        version=version,
        person=ada,
        kind=CallAssignment.Kind.WEEKEND,
        start=local(program, SATURDAY, 7),
        end=local(program, SATURDAY + dt.timedelta(1), 8),
    )
    return version


def body_of(response) -> str:
    return response.getvalue().decode()


def row_head(day_text: str) -> str:
    return f'<th scope="row" class="nowrap">{day_text}'


def row_of(body: str, day_text: str) -> str:
    start = body.index(row_head(day_text))
    return body[start : body.index("</tr>", start)]


# --- The on-call page ---


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_of_the_program_sees_who_is_on_call_with_phone_and_pager(client, member, week, role):
    client.force_login(member(role))

    response = client.get(ON_CALL, {"date": "2026-07-06"})

    body = body_of(response)
    assert response.status_code == 200
    assert "Who is on call, Monday 6 July 2026" in body
    monday = row_of(body, "Mon 6 Jul")
    assert "Ada Lovelace" in monday and "In-house call · 17:00 – Tue 08:00" in monday
    assert ADA_PHONE in monday and ADA_PAGER in monday and f'href="tel:{ADA_PHONE.replace(" ", "")}"' in monday


def test_the_week_runs_monday_to_sunday_with_the_weekend_call_and_the_fmit_attending(client, member, week):
    client.force_login(member(Role.RN))

    body = body_of(client.get(ON_CALL, {"date": "2026-07-08", "span": "week"}))

    assert "Who is on call, Mon 6 Jul – Sun 12 Jul 2026" in body
    days = ["Mon 6 Jul", "Tue 7 Jul", "Wed 8 Jul", "Thu 9 Jul", "Fri 10 Jul", "Sat 11 Jul", "Sun 12 Jul"]
    assert [body.index(row_head(day)) for day in days] == sorted(body.index(row_head(day)) for day in days)
    saturday = row_of(body, "Sat 11 Jul")
    assert "Ada Lovelace" in saturday and "Weekend call · 07:00 – Sun 08:00" in saturday and ADA_PHONE in saturday
    assert "Grace Hopper" in saturday and "FMIT attending (inpatient service)" in saturday
    assert GRACE_PAGER in saturday
    assert "Nobody on call in the schedule." in row_of(body, "Sun 12 Jul")
    assert "?date=2026-06-29&amp;span=week" in body and "?date=2026-07-13&amp;span=week" in body


def test_the_page_is_printable(client, member, week):
    client.force_login(member(Role.MSA))

    body = body_of(client.get(ON_CALL, {"date": "2026-07-06"}))

    assert "data-print>Print</button>" in body and 'class="pager no-print"' in body
    assert 'name="viewport"' in body


def test_names_link_to_person_pages_only_for_roles_that_may_open_them(client, member, week):
    client.force_login(member(Role.LPN))
    assert "/people/" not in body_of(client.get(ON_CALL, {"date": "2026-07-06"}))

    client.force_login(member(Role.RESIDENT))
    assert reverse("person-schedule", args=[Person.objects.get(last_name="Lovelace").pk]) in body_of(
        client.get(ON_CALL, {"date": "2026-07-06"})
    )


def test_days_no_published_schedule_holds_say_so(client, member, program, week):
    client.force_login(member(Role.RN))

    body = body_of(client.get(ON_CALL, {"date": "2027-06-30", "span": "week"}))

    assert "Mon 28 Jun" in body and "Wed 30 Jun" in body
    assert "No published schedule holds this day." in row_of(body, "Thu 1 Jul")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date": "2026-07-32"}, "The date “2026-07-32” is not a date. Give it as YYYY-MM-DD"),
        ({"date": "today"}, "The date “today” is not a date."),
        ({"date": "20260706"}, "The date “20260706” is not a date."),
        ({"date": "2026-07-06", "span": "month"}, "The span “month” is not known. Give span=day or span=week."),
    ],
)
def test_bad_dates_and_spans_are_refused_with_a_clear_400(client, member, week, query, message):
    client.force_login(member(Role.CLINICAL_STAFF))

    page = client.get(ON_CALL, query)
    download = client.get(ON_CALL_CSV, query)

    assert page.status_code == 400 and message in body_of(page)
    assert download.status_code == 400 and message in body_of(download)


def test_another_programs_users_see_their_own_program_and_get_404_for_this_ones_people(
    client, member, other_program, week
):
    client.force_login(member(Role.RESIDENT, in_program=other_program))
    ada = Person.objects.get(last_name="Lovelace")

    on_call = client.get(ON_CALL, {"date": "2026-07-06", "span": "week"})
    person = client.get(reverse("person-schedule", args=[ada.pk]))

    assert on_call.status_code == 200
    assert "Ada Lovelace" not in body_of(on_call) and ADA_PHONE not in body_of(on_call)
    assert person.status_code == 404 and ADA_PHONE not in body_of(person)


def test_anonymous_visitors_are_sent_to_log_in(client, week):
    for url in (ON_CALL, ON_CALL_CSV):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_the_week_takes_a_bounded_number_of_queries(client, member, program, week, django_assert_max_num_queries):
    for i in range(30):
        ResidentFactory(program=program, pgy=i % 3 + 1, phone=f"555-01{i:02d}")
    client.force_login(member(Role.RN))

    with django_assert_max_num_queries(20):
        assert client.get(ON_CALL, {"date": "2026-07-06", "span": "week"}).status_code == 200


# --- Today and person pages ---


@pytest.mark.parametrize("role", ALL_ROLES)
def test_today_shows_tonights_call_and_faculty_cover_with_contacts(client, member, week, role):
    client.force_login(member(role))

    body = body_of(client.get(reverse("today"), {"date": "2026-07-07"}))

    tonight = body[body.index("On call tonight") : body.index("</section>", body.index("On call tonight"))]
    assert "Grace Hopper" in tonight and GRACE_PHONE in tonight and GRACE_PAGER in tonight
    assert f'{ON_CALL}?date=2026-07-07"' in tonight and f"{ON_CALL}?date=2026-07-07&amp;span=week" in tonight


def test_person_pages_show_contact_numbers_to_the_programs_members(client, member, week):
    grace = Person.objects.get(last_name="Hopper")
    client.force_login(member(Role.RESIDENT))

    body = body_of(client.get(reverse("person-schedule", args=[grace.pk])))

    assert GRACE_PHONE in body and GRACE_PAGER in body
    assert reverse("my-contacts") not in body  # only on one's own page


# --- One's own numbers ---


def test_a_resident_sets_their_own_numbers_from_their_page(client, member, program):
    user = member(Role.RESIDENT)
    ada = ResidentFactory(program=program, user=user)
    client.force_login(user)
    assert reverse("my-contacts") in body_of(client.get(reverse("my-schedule")))

    response = client.post(reverse("my-contacts"), {"phone": " +1 (802) 555-0199 ", "pager": "555-0142 x7"})

    assert response.status_code == 302 and response.url == reverse("my-schedule")
    ada.refresh_from_db()
    assert (ada.phone, ada.pager) == ("+1 (802) 555-0199", "555-0142 x7")
    assert ada.history.first().phone == "+1 (802) 555-0199"


def test_a_number_that_is_not_one_is_refused_and_nothing_changes(client, member, program):
    user = member(Role.FACULTY)
    grace = FacultyFactory(program=program, user=user, phone=GRACE_PHONE)
    client.force_login(user)

    response = client.post(reverse("my-contacts"), {"phone": "ask the front desk", "pager": ""})

    assert response.status_code == 200
    assert "is not a phone or pager number" in body_of(response)
    grace.refresh_from_db()
    assert grace.phone == GRACE_PHONE


def test_a_login_without_a_person_has_no_numbers_to_edit(client, member):
    client.force_login(member(Role.RESIDENT))

    assert client.get(reverse("my-contacts")).status_code == 404


def test_person_contacts_change_refuses_someone_elses_numbers(member, program):
    ada = ResidentFactory(program=program, user=member(Role.RESIDENT))

    with pytest.raises(DomainError, match="only your own contact numbers"):
        person_contacts_change(person=ada, phone="555-0100", pager="", user=member(Role.RESIDENT))


def test_managers_may_change_anyones_numbers(coordinator, program):
    ada = ResidentFactory(program=program)

    person_contacts_change(person=ada, phone="555-0100", pager="", user=coordinator)

    ada.refresh_from_db()
    assert ada.phone == "555-0100"


@pytest.mark.parametrize("value", ["555-0100", "(802) 555-0100", "+44 20 7946 0958", "4-1234", "555.0100 ext. 12"])
def test_contact_numbers_are_read_loosely(program, value):
    ResidentFactory.build(program=program, phone=value, pager=value).clean_fields()


@pytest.mark.parametrize("value", ["call the desk", "12", "555-0100 or 555-0101", "=HYPERLINK(1)"])
def test_what_is_not_a_number_is_refused(program, value):
    with pytest.raises(ValidationError, match="is not a phone or pager number"):
        ResidentFactory.build(program=program, phone=value).clean_fields()


# --- Never in feeds or exports by default ---


@pytest.fixture
def cast(program, resident_user):
    cast = export_data.build(program, ann_user=resident_user)
    for person, number in ((cast.ann, ADA_PHONE), (cast.ben, GRACE_PHONE)):
        person.phone, person.pager = number, number.replace("555-01", "555-02")
        person.save()
    return cast


NUMBERS = (ADA_PHONE, GRACE_PHONE, "555-01", "555-02")


def _text_of(response) -> str:
    assert response.status_code == 200, response.getvalue()[:300]
    kind = response["Content-Type"]
    if kind.startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(response.getvalue()))
        return "\n".join(str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row)
    if kind.startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.getvalue())).pages)
    return response.getvalue().decode()


def test_calendar_feeds_never_carry_contact_numbers(client, cast, program, coordinator):
    person_token = feed_token_get_or_create(program=program, person=cast.ann)
    program_token = feed_token_get_or_create(program=program, person=None, user=coordinator)

    for url in (
        reverse("feed-person", kwargs={"token": person_token.token}),
        reverse("feed-program", kwargs={"token": program_token.token}),
    ):
        text = _text_of(client.get(url))
        assert "Ann" in text or "call" in text.lower()
        assert not any(number in text for number in NUMBERS), url


def test_exports_leave_contact_numbers_out_unless_a_manager_asks(client, cast, coordinator):
    client.force_login(coordinator)
    day = cast.day.isoformat()
    urls = [
        reverse("export-assignments-csv"),
        reverse("export-grid-xlsx"),
        f"{reverse('export-range-xlsx')}?start={day}&end={day}",
        reverse("export-grid-pdf"),
        reverse("export-person-pdf", args=[cast.ann.pk]),
        f"{ON_CALL_CSV}?date={day}&span=week",
    ]
    for url in urls:
        text = _text_of(client.get(url))
        assert "Able" in text, url
        assert not any(number in text for number in NUMBERS), url

    chosen = client.get(ON_CALL_CSV, {"date": day, "contacts": "1"})

    rows = list(csv.DictReader(io.StringIO(_text_of(chosen))))
    assert [(r["person"], r["duty"], r["phone"], r["pager"]) for r in rows] == [
        ("Ann Able", "In-house call", ADA_PHONE, "(802) 555-0201")
    ]


@pytest.mark.parametrize("role", [*STAFF_ROLES, Role.RESIDENT, Role.FACULTY])
def test_only_managers_may_export_contact_numbers(client, member, cast, role):
    client.force_login(member(role))

    plain = client.get(ON_CALL_CSV, {"date": cast.day.isoformat()})
    chosen = client.get(ON_CALL_CSV, {"date": cast.day.isoformat(), "contacts": "1"})

    assert plain.status_code == 200 and "Ann Able" in body_of(plain) and ADA_PHONE not in body_of(plain)
    assert chosen.status_code == 403
    assert "Only coordinators and admins may export contact numbers." in body_of(chosen)


def test_the_api_keeps_contact_numbers_out_of_the_shared_roster(api_as, cast, coordinator):
    response = api_as(coordinator).get("/api/v1/people/")

    assert response.status_code == 200 and ADA_PHONE not in response.getvalue().decode()


# --- The demo ---


def test_the_demo_gives_everyone_a_fictional_555_phone_and_pager_once():
    demo_seed()
    numbers = {p.pk: (p.phone, p.pager) for p in Person.objects.all()}
    Person.objects.filter(last_name="Kim").update(phone="555-0000")

    demo_seed()  # keeps what is there

    assert Person.objects.get(last_name="Kim").phone == "555-0000"
    for pk, (phone, pager) in numbers.items():
        assert re.fullmatch(r"\(\d{3}\) 555-01\d\d", phone) and re.fullmatch(r"\(\d{3}\) 555-01\d\d", pager), pk
    assert len({n for pair in numbers.values() for n in pair}) == 2 * len(numbers)
