"""An absence's private note stays with the absent person and the program's managers: no download, calendar
feed, other member's page or API answer carries it, and no log line names it (requesting, deciding, refusals)."""

import datetime as dt
import io
import logging
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from absences.models import Absence
from integrations.feeds.tokens import feed_token_get_or_create
from scheduling.demo import demo_seed
from scheduling.models import Person
from tenants.models import Organization, User
from tests.scheduling.demo_day import publish_days_around_today

pytestmark = pytest.mark.django_db

SECRET = "Chemotherapy cycle 3 — do not share"


def readable(response) -> str:
    """The text a person opening the download would see (inside workbooks and PDFs too)."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return " ".join(book.read(name).decode() for name in book.namelist() if name.endswith(".xml"))
    if body.startswith(b"%PDF"):
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return body.decode()


@pytest.fixture
def demo() -> dict:
    demo_seed()
    program = Organization.objects.get(slug="family-medicine")
    publish_days_around_today(program)
    absence = Absence.objects.get(program=program, person__user__email__startswith="resident@")
    absence.note = SECRET
    absence.save()
    return {
        "program": program,
        "absence": absence,
        "resident": User.objects.get(email__startswith="resident@"),
        "faculty": User.objects.get(email__startswith="faculty@"),
        "coordinator": User.objects.get(email__startswith="coordinator@"),
    }


def test_no_export_or_feed_carries_the_note(client, demo, caplog):
    program, absence = demo["program"], demo["absence"]
    today = program.today()
    person_feed = feed_token_get_or_create(program=program, person=absence.person, user=demo["resident"])
    program_feed = feed_token_get_or_create(program=program, user=demo["coordinator"])
    client.force_login(demo["coordinator"])
    assert SECRET in client.get(reverse("absence-detail", args=[absence.pk])).content.decode()  # managers see it
    span = {"start": f"{today - dt.timedelta(days=7)}", "end": f"{today + dt.timedelta(days=30)}"}

    with caplog.at_level(logging.DEBUG):
        downloads = {
            "grid.xlsx": client.get(reverse("export-grid-xlsx")),
            "range.xlsx": client.get(reverse("export-range-xlsx"), span),
            "grid.pdf": client.get(reverse("export-grid-pdf")),
            "person.pdf": client.get(reverse("export-person-pdf", args=[absence.person_id])),
            "assignments.csv": client.get(reverse("export-assignments-csv")),
            "on-call.csv": client.get(reverse("on-call-csv"), {"date": f"{today}", "span": "week", "contacts": "1"}),
            "person.ics": client.get(reverse("feed-person", args=[person_feed.token])),
            "program.ics": client.get(reverse("feed-program", args=[program_feed.token])),
        }

    for name, response in downloads.items():
        assert response.status_code == 200, name
        assert SECRET not in readable(response), name
    assert "Leave" in readable(downloads["person.ics"]) or "leave" in readable(downloads["person.ics"]).lower()
    assert not [r for r in caplog.records if SECRET in r.getMessage()]


def test_other_members_pages_and_api_do_not_show_it(client, api_as, demo):
    absence, faculty = demo["absence"], demo["faculty"]
    client.force_login(faculty)
    for url in (reverse("absence-list"), reverse("absence-calendar"), reverse("absence-detail", args=[absence.pk])):
        response = client.get(url)
        assert SECRET not in response.content.decode(), url

    api = api_as(faculty, in_program=demo["program"])
    listed = api.get(reverse("api:absence-list"), {"page_size": 500})
    one = api.get(reverse("api:absence-detail", args=[absence.pk]))
    assert listed.status_code == 200 and SECRET not in listed.content.decode()
    assert SECRET not in one.content.decode()
    # The field is left out for others, not missing for everyone: the coordinator's answer has it.
    manager = api_as(demo["coordinator"], in_program=demo["program"])
    assert manager.get(reverse("api:absence-detail", args=[absence.pk])).json()["note"] == SECRET


def test_requesting_and_refusals_log_no_note(client, api_as, demo, caplog):
    resident = demo["resident"]
    person = Person.objects.get(user=resident)
    api = api_as(resident, in_program=demo["program"])
    start = demo["program"].today() + dt.timedelta(days=40)
    body = {"person": person.pk, "kind": "sick", "start_date": f"{start}", "end_date": f"{start}", "note": SECRET}

    with caplog.at_level(logging.DEBUG):
        made = api.post(reverse("api:absence-list"), body, format="json")
        refused = api.post(
            reverse("api:absence-list"), {**body, "end_date": f"{start - dt.timedelta(days=3)}"}, format="json"
        )
        client.force_login(demo["coordinator"])
        decided = client.post(reverse("absence-decide", args=[made.json()["id"]]), {"decision": "approve"})

    assert made.status_code == 201 and refused.status_code == 400 and decided.status_code == 302
    assert Absence.objects.get(pk=made.json()["id"]).status == Absence.Status.APPROVED
    lines = [record.getMessage() for record in caplog.records]
    assert lines and not [line for line in lines if SECRET in line]
