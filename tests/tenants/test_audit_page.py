"""The audit log page, its CSV download and its API: program admins and superusers search their program's events;
coordinators and residents are refused; program B's admin sees none of program A's events; nothing writes."""

import csv
import io

import pytest
from django.urls import reverse

from tenants.audit import PLATFORM, record
from tenants.audit_models import AuditEvent
from tenants.models import Role
from tests.tenants.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("audit-list")
CSV = reverse("audit-csv")
API = reverse("api:audit-event-list")


@pytest.fixture
def events(program, other_program, program_admin, member):
    """Two events of each program, a sign-in of A's resident, a failed sign-in at their account and a stranger's."""
    resident = member(Role.RESIDENT, email="res@example.org")
    theirs = member(Role.ADMIN, in_program=other_program, email="b-admin@example.org")
    membership = resident.memberships.get()
    record(
        "role.changed",
        actor=program_admin,
        program=program,
        target=membership,
        before={"role": "faculty"},
        after={"role": "resident"},
        detail="Alpha change",
    )
    record("export.downloaded", actor=program_admin, program=program, detail="Alpha export")
    record("role.changed", actor=theirs, program=other_program, detail="Bravo change")
    record("schedule.published", actor=theirs, program=other_program, detail="Bravo publish")
    record("auth.login", actor=resident, program=PLATFORM, detail="Alpha sign-in")
    failed = record("auth.login_failed", program=PLATFORM, target=resident, detail="Alpha failed")
    record("auth.login", actor=UserFactory(email="stranger@example.org"), program=PLATFORM, detail="Nobody else")
    return {"resident": resident, "b_admin": theirs, "failed": failed}


def _page_details(response) -> set[str]:
    text = response.content.decode()
    marks = [
        "Alpha change",
        "Alpha export",
        "Alpha sign-in",
        "Alpha failed",
        "Bravo change",
        "Bravo publish",
        "Nobody else",
    ]
    return {mark for mark in marks if mark in text}


def test_a_program_admin_reads_their_programs_events_and_their_members_sign_ins(client, program_admin, events):
    client.force_login(program_admin)

    response = client.get(PAGE)

    assert response.status_code == 200
    assert _page_details(response) == {"Alpha change", "Alpha export", "Alpha sign-in", "Alpha failed"}
    assert 'href="/audit/"' in response.content.decode()  # the nav link


def test_program_b_admin_sees_none_of_program_a_events(client, other_program, events):
    client.force_login(events["b_admin"])

    response = client.get(PAGE)

    assert _page_details(response) == {"Bravo change", "Bravo publish"}


def test_a_superuser_sees_the_programs_events_and_every_platform_event(client, superuser, program, events):
    client.force_login(superuser)
    session = client.session
    session["active_program_id"] = program.pk
    session.save()

    response = client.get(PAGE)

    assert _page_details(response) == {"Alpha change", "Alpha export", "Alpha sign-in", "Alpha failed", "Nobody else"}


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.FACULTY, Role.RESIDENT, Role.RN])
def test_other_roles_are_refused_the_page_the_csv_and_the_api_and_have_no_link(client, api_as, member, role, events):
    user = member(role)
    client.force_login(user)

    assert client.get(PAGE).status_code == 403
    assert client.get(CSV).status_code == 403
    assert api_as(user).get(API).status_code == 403
    assert 'href="/audit/"' not in client.get(reverse("home"), follow=True).content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "role.changed"}, {"Alpha change"}),
        ({"actor": "RES@example"}, {"Alpha sign-in"}),
        ({"q": "export"}, {"Alpha export"}),
        ({"target_type": "tenants.membership"}, {"Alpha change"}),
        ({"target_type": "tenants.user", "action": "auth.login_failed"}, {"Alpha failed"}),
        ({"until": "2000-01-01"}, set()),
        ({"since": "2000-01-01", "action": "export.downloaded"}, {"Alpha export"}),
    ],
)
def test_the_page_filters_by_actor_action_date_row_and_text(client, program_admin, events, query, expected):
    client.force_login(program_admin)

    assert _page_details(client.get(PAGE, query)) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since": "2026-02-30"}, "Enter a date as YYYY-MM-DD"),
        ({"until": "9999-12-31"}, "between"),
        ({"action": "made.up"}, "Select a valid choice"),
        ({"q": "x" * 201}, "at most 200 characters"),
        ({"q": "nul\x00"}, "Null characters are not allowed"),
    ],
)
def test_bad_filters_are_named_and_show_nothing(client, program_admin, events, query, message):
    client.force_login(program_admin)

    response = client.get(PAGE, query)
    download = client.get(CSV, query)

    assert response.status_code == 400 and message in response.content.decode()
    assert _page_details(response) == set()
    assert download.status_code == 400 and message in download.content.decode()


def test_the_page_shows_50_events_a_page_and_odd_page_numbers_fall_back(client, program, program_admin):
    for n in range(51):
        record("export.downloaded", actor=program_admin, program=program, detail=f"file-{n:02}")
    client.force_login(program_admin)

    first, second = client.get(PAGE), client.get(PAGE, {"page": "2"})
    odd = client.get(PAGE, {"page": "²"})

    assert "file-50" in first.content.decode() and "file-00" not in first.content.decode()
    assert "file-00" in second.content.decode() and "Page 2 of 2" in second.content.decode()
    assert odd.status_code == 200 and "Page 1 of 2" in odd.content.decode()


def test_the_csv_holds_the_filtered_rows_and_is_itself_audited(client, program, program_admin, events):
    record("export.downloaded", actor=program_admin, program=program, detail='=HYPERLINK("http://x")')
    client.force_login(program_admin)

    response = client.get(CSV, {"action": "export.downloaded"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(row["detail"] for row in rows) == ['\'=HYPERLINK("http://x")', "Alpha export"]
    assert {row["actor_email"] for row in rows} == {"admin@example.org"}
    downloaded = AuditEvent.objects.get(action="audit.exported")
    assert (downloaded.actor, downloaded.program) == (program_admin, program)
    assert downloaded.after["query"] == {"action": "export.downloaded"}


def test_the_api_lists_the_same_events_filtered_and_writes_nothing(api_as, program, program_admin, events):
    client = api_as(program_admin)

    listed = client.get(API).json()
    filtered = client.get(API, {"action": "role.changed"}).json()

    assert {row["detail"] for row in listed["results"]} == {
        "Alpha change",
        "Alpha export",
        "Alpha sign-in",
        "Alpha failed",
    }
    assert [row["detail"] for row in filtered["results"]] == ["Alpha change"]
    change = filtered["results"][0]
    assert (change["before"], change["after"], change["action_label"]) == (
        {"role": "faculty"},
        {"role": "resident"},
        "Role changed",
    )
    assert client.post(API, {"action": "auth.login"}, format="json").status_code in (403, 405)
    detail = f"{API}{change['id']}/"
    for method in ("get", "put", "patch", "delete"):
        assert getattr(client, method)(detail).status_code == 404
    assert AuditEvent.objects.count() == 7


def test_the_api_refuses_program_b_admin_naming_program_a(api_as, program, other_program, events):
    b_admin = events["b_admin"]

    assert api_as(b_admin, other_program).get(API).json()["count"] == 2
    assert api_as(b_admin, program).get(API).status_code == 403


def test_an_admin_through_the_institution_reads_the_program_log(client, program):
    director = UserFactory(email="director@example.org")
    MembershipFactory(user=director, organization=program.parent, role=Role.ADMIN)
    record("export.downloaded", actor=director, program=program, detail="Institution export")
    client.force_login(director)

    assert "Institution export" in client.get(PAGE).content.decode()


def test_times_are_shown_in_the_programs_zone(client, program, program_admin):
    event = record("export.downloaded", actor=program_admin, program=program)
    client.force_login(program_admin)

    local = event.occurred_at.astimezone(program.zone)
    assert f"{local:%H:%M}" in client.get(PAGE).content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"since": "0001-01-01"},
        {"until": "9999-12-31"},
        {"since": "²"},
        {"q": "\x00"},
        {"target_id": "9" * 500},
        {"actor": "x" * 5000},
        {"action": "auth.login\x00"},
    ],
)
def test_odd_filter_values_are_a_400_problem_on_the_api_never_a_500(api_as, program_admin, events, query):
    response = api_as(program_admin).get(API, query)

    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("query", [{"ordering": "nonsense"}, {"limit": "²"}, {"offset": "9" * 30}, {"page": "9" * 30}])
def test_odd_paging_and_ordering_never_break_the_api_or_the_page(client, api_as, program_admin, events, query):
    client.force_login(program_admin)

    assert api_as(program_admin).get(API, query).status_code < 500
    assert client.get(PAGE, query).status_code == 200
