"""Saved export templates: validation, run now (files and JSON), relative ranges, the scheduled email (once a
period, to its recipients, file attached, over real SMTP), tenancy and the absence's private note."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from absences.models import Absence
from integrations.exports import catalogue, services
from integrations.exports.models import ExportDelivery, ExportTemplate
from integrations.exports.tables import template_range
from notifications.models import EmailLog
from tenants.errors import ConflictError, DomainError
from tenants.models import Role
from tests.absences.factories import AbsenceFactory
from tests.notifications.conftest import _eager_tasks, smtp_server  # noqa: F401  (fixtures)
from tests.scheduling import export_data

SECRET = "Private: chemotherapy on Tuesdays"


@pytest.fixture
def cast(program, resident_user):
    return export_data.build(program, ann_user=resident_user)


def _make(program, user, **values) -> ExportTemplate:
    base = {"name": "Weekly", "dataset": catalogue.SCHEDULE, "file_format": catalogue.CSV}
    return services.export_template_create(program=program, user=user, values={**base, **values})


def _around(program, day: dt.date, days: int = 2) -> dict:
    """A custom range starting on `day` as seen from the program's today."""
    return {"range_preset": catalogue.CUSTOM, "start_offset_days": (day - program.today()).days, "length_days": days}


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode())))


# --- Validation ---


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": " "}, "name", "Give the template a name."),
        ({"dataset": "payroll"}, "dataset", "Unknown export “payroll”"),
        ({"dataset": "people", "file_format": "pdf"}, "file_format", "A people export can be xlsx, csv, not “pdf”."),
        ({"columns": ["date", "salary"]}, "columns", "A schedule export has no column “salary”"),
        ({"dataset": "absences", "columns": ["note"]}, "columns", "A absences export has no column “note”"),
        ({"columns": ["date", "date"]}, "columns", "Each column may appear once."),
        ({"filters": {"pgy": [9]}}, "filters", "Filter “pgy” is a list of PGY levels from 1 to 8."),
        ({"filters": {"colour": ["red"]}}, "filters", "Unknown filter “colour”"),
        ({"range_preset": "someday"}, "range_preset", "Unknown range “someday”"),
        ({"range_preset": "custom", "length_days": 900}, "length_days", "The range is 1 to 400 days long."),
        ({"grouping": "mood"}, "grouping", "Unknown grouping “mood”"),
    ],
)
def test_export_template_create_refuses_bad_fields_and_saves_nothing(program, coordinator, values, field, message):
    with pytest.raises(services.TemplateInvalid) as refused:
        _make(program, coordinator, **values)
    assert refused.value.field == field
    assert message in str(refused.value)
    assert not ExportTemplate.objects.exists()


def test_export_template_filters_name_only_the_programs_people(program, other_program, coordinator):
    from tests.scheduling.factories import ResidentFactory

    stranger = ResidentFactory(program=other_program)
    with pytest.raises(services.TemplateInvalid, match=f"No person with id {stranger.pk} in Family Medicine"):
        _make(program, coordinator, filters={"people": [stranger.pk]})


def test_export_template_names_are_unique_per_program(program, other_program, coordinator, member):
    _make(program, coordinator)
    with pytest.raises(ConflictError, match="already has an export template named “weekly”"):
        _make(program, coordinator, name="weekly")
    elsewhere = member(Role.COORDINATOR, in_program=other_program)
    assert _make(other_program, elsewhere).name == "Weekly"


def test_residents_make_no_templates_and_private_ones_stay_with_their_creator(program, coordinator, member):
    with pytest.raises(DomainError, match="admins and coordinators"):
        _make(program, member(Role.RESIDENT))
    private = _make(program, coordinator, shared=False)
    colleague = member(Role.COORDINATOR)
    assert list(services.export_template_list(program=program, user=colleague)) == []
    with pytest.raises(DomainError, match="private"):
        services.export_template_update(template=private, user=colleague, values={"name": "Mine"})


def test_a_delivery_goes_only_to_members_who_may_read_it(program, coordinator, member, cast):
    people = _make(program, coordinator, dataset=catalogue.PEOPLE)
    resident = member(Role.RESIDENT)
    with pytest.raises(services.TemplateInvalid, match="its admins and coordinators") as refused:
        services.export_delivery_set(template=people, user=coordinator, values={"recipients": [resident.pk]})
    assert refused.value.field == "recipients"
    schedule = _make(program, coordinator, name="Schedule")
    delivery = services.export_delivery_set(template=schedule, user=coordinator, values={"recipients": [resident.pk]})
    assert list(delivery.recipients.all()) == [resident]
    with pytest.raises(services.TemplateInvalid, match="The hour is 0 to 23"):
        services.export_delivery_set(
            template=schedule, user=coordinator, values={"recipients": [resident.pk], "hour": 24}
        )


# --- Ranges ---


def test_relative_ranges_resolve_against_the_day_it_runs(program, coordinator, cast):
    template = _make(program, coordinator)
    blocks = list(cast.year.blocks.order_by("number"))
    today = blocks[2].start_date + dt.timedelta(days=3)
    assert template_range(template, today) == (today, today + dt.timedelta(days=27))
    template.range_preset = catalogue.THIS_BLOCK
    assert template_range(template, today) == (blocks[2].start_date, blocks[2].end_date)
    template.range_preset = catalogue.NEXT_BLOCK
    assert template_range(template, today) == (blocks[3].start_date, blocks[3].end_date)
    template.range_preset = catalogue.THIS_YEAR
    assert template_range(template, today) == (cast.year.start_date, cast.year.end_date)
    template.range_preset, template.start_offset_days, template.length_days = catalogue.CUSTOM, -7, 14
    assert template_range(template, today) == (today - dt.timedelta(days=7), today + dt.timedelta(days=6))
    template.range_preset = catalogue.NEXT_BLOCK
    with pytest.raises(DomainError, match="No block of Family Medicine follows today"):
        template_range(template, blocks[-1].start_date)


# --- Run now ---


def test_run_now_downloads_the_schedule_read_as_the_grid_reads_it(client, coordinator, program, cast):
    AbsenceFactory(
        program=program,
        person=cast.ben,
        start_date=cast.day,
        end_date=cast.day,
        status=Absence.Status.APPROVED,
        note=SECRET,
    )
    template = _make(
        program, coordinator, columns=["date", "session", "person", "code", "rotation"], **_around(program, cast.day)
    )
    client.force_login(coordinator)
    response = client.get(reverse("export-template-run", args=[template.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="fm-weekly-')
    rows = _csv(response.content)
    day, next_day = str(cast.day), str(cast.day + dt.timedelta(days=1))
    assert rows[0] == ["date", "session", "person", "code", "rotation"]
    assert rows[1:] == [
        [day, "AM", "Ann Able", "IM", "Inpatient medicine"],
        [day, "PM", "Ann Able", "IM", "Inpatient medicine"],
        [day, "Call", "Ann Able", "IH", ""],
        [next_day, "AM", "Ann Able", rows[4][3], rows[4][4]],
        [day, "AM", "Ben Baker", "LV-VAC", "Family clinic"],  # approved leave over his clinic
        [day, "PM", "Ben Baker", "LV-VAC", ""],
    ]
    assert SECRET.encode() not in response.content


def test_run_now_groups_by_day_in_xlsx(client, coordinator, program, cast):
    template = _make(
        program,
        coordinator,
        file_format="xlsx",
        grouping="day",
        columns=["person", "code"],
        **_around(program, cast.day, 1),
    )
    client.force_login(coordinator)
    book = load_workbook(io.BytesIO(client.get(reverse("export-template-run", args=[template.pk])).content))
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    assert rows == [
        ["Person", "Code"],
        [f"{cast.day:%a %d %b %Y}", None],
        ["Ann Able", "IM"],
        ["Ben Baker", "C"],  # a clinic half-day, as the grid prints it
        ["Ann Able", "IM"],
        ["Ann Able", "IH"],
    ]


def test_people_and_absences_exports_never_carry_the_private_note(client, coordinator, program, cast):
    AbsenceFactory(
        program=program,
        person=cast.ann,
        start_date=cast.day,
        end_date=cast.day + dt.timedelta(days=2),
        note=SECRET,
        location="=HYPERLINK(1)",
    )
    absences = _make(program, coordinator, name="Leave", dataset=catalogue.ABSENCES, **_around(program, cast.day, 7))
    people = _make(program, coordinator, name="People", dataset=catalogue.PEOPLE, filters={"pgy": [2]})
    client.force_login(coordinator)
    leave = _csv(client.get(reverse("export-template-run", args=[absences.pk])).content)
    assert leave[0] == [c.key for c in catalogue.COLUMNS[catalogue.ABSENCES]]
    assert leave[1][:8] == [
        "Ann Able",
        "1",
        "Vacation",
        str(cast.day),
        str(cast.day + dt.timedelta(days=2)),
        "",
        "3",
        "Requested",
    ]
    assert leave[1][8] == "'=HYPERLINK(1)"  # text, never a formula
    assert all(SECRET not in cell for row in leave for cell in row)
    staff = _csv(client.get(reverse("export-template-run", args=[people.pk])).content)
    assert [row[0] for row in staff[1:]] == ["Ben Baker"]


def test_run_now_as_ics_makes_calendar_events(client, coordinator, program, cast):
    template = _make(
        program, coordinator, file_format="ics", filters={"people": [cast.ann.pk]}, **_around(program, cast.day, 1)
    )
    client.force_login(coordinator)
    response = client.get(reverse("export-template-run", args=[template.pk]))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert body.count("BEGIN:VEVENT") == 3
    assert "SUMMARY:Ann Able: In-house call" in body.replace("\r\n ", "")


# --- Pages and API ---


def test_pages_list_create_with_a_clear_error_edit_and_delete(client, coordinator, program, cast):
    client.force_login(coordinator)
    assert client.get(reverse("export-template-list")).status_code == 200
    form = {"name": "People", "dataset": "people", "file_format": "pdf", "columns": "", "range_preset": "next_4_weeks"}
    form |= {"start_offset_days": 0, "length_days": 28, "grouping": "person", "shared": "on", "weekday": 0}
    form |= {"day_of_month": 1, "hour": 7}
    response = client.post(reverse("export-template-create"), form)
    assert response.status_code == 200
    assert "A people export can be xlsx, csv, not “pdf”." in response.content.decode()
    assert not ExportTemplate.objects.exists()
    form |= {"file_format": "xlsx", "frequency": "monthly", "recipients": [coordinator.pk]}
    assert client.post(reverse("export-template-create"), form).status_code == 302
    template = ExportTemplate.objects.get()
    assert template.delivery.frequency == "monthly" and list(template.delivery.recipients.all()) == [coordinator]
    assert client.get(reverse("export-template-edit", args=[template.pk])).status_code == 200
    form |= {"name": "Everyone", "frequency": ""}
    assert client.post(reverse("export-template-edit", args=[template.pk]), form).status_code == 302
    template.refresh_from_db()
    assert template.name == "Everyone" and not ExportDelivery.objects.exists()
    assert client.post(reverse("export-template-delete", args=[template.pk])).status_code == 302
    assert not ExportTemplate.objects.exists()


def test_residents_get_no_template_pages(client, resident_user, program, coordinator):
    template = _make(program, coordinator)
    client.force_login(resident_user)
    assert client.get(reverse("export-template-list")).status_code == 403
    assert client.get(reverse("export-template-run", args=[template.pk])).status_code == 403


def test_another_program_neither_sees_nor_runs_the_templates(
    client, api_as, member, other_program, program, coordinator
):
    template = _make(program, coordinator)
    stranger = member(Role.COORDINATOR, in_program=other_program)
    client.force_login(stranger)
    for name in ("export-template-edit", "export-template-run"):
        assert client.get(reverse(name, args=[template.pk])).status_code == 404
    assert client.post(reverse("export-template-delete", args=[template.pk])).status_code == 404
    api = api_as(stranger, other_program)
    assert api.get("/api/v1/export-templates/").json()["results"] == []
    assert api.get(f"/api/v1/export-templates/{template.pk}/run/?format=json").status_code == 404
    assert api.delete(f"/api/v1/export-templates/{template.pk}/").status_code == 404
    assert ExportTemplate.objects.filter(pk=template.pk).exists()


def test_api_crud_and_run_as_json(api_as, coordinator, resident_user, program, cast):
    AbsenceFactory(program=program, person=cast.ann, start_date=cast.day, end_date=cast.day, note=SECRET)
    api = api_as(coordinator)
    body = {"name": "Leave", "dataset": "absences", "file_format": "csv", "columns": ["person", "kind", "status"]}
    created = api.post("/api/v1/export-templates/", {**body, **_around(program, cast.day, 3)}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["created_by"] == coordinator.email
    refused = api.post("/api/v1/export-templates/", {**body, "columns": ["note"]}, format="json")
    assert refused.status_code == 400 and "no column “note”" in refused.json()["detail"]
    assert api.post("/api/v1/export-templates/", body, format="json").status_code == 409
    run = api.get(f"/api/v1/export-templates/{pk}/run/?format=json")
    assert run.status_code == 200
    assert run.json()["groups"] == [
        {"label": "Ann Able", "rows": [{"person": "Ann Able", "kind": "Vacation", "status": "Requested"}]}
    ]
    assert SECRET not in run.content.decode()
    assert (
        api.patch(f"/api/v1/export-templates/{pk}/", {"name": "Time off"}, format="json").json()["name"] == "Time off"
    )
    assert api_as(resident_user).get("/api/v1/export-templates/").status_code == 403
    assert api.delete(f"/api/v1/export-templates/{pk}/").status_code == 204


# --- Scheduled delivery ---


def test_a_scheduled_export_is_sent_once_per_period(
    smtp_server,  # noqa: F811
    program,
    coordinator,
    member,
    cast,
    django_capture_on_commit_callbacks,
):
    resident = member(Role.RESIDENT, email="ann@example.org")
    template = _make(program, coordinator, name="Week ahead", file_format="xlsx")
    first_monday = program.today() - dt.timedelta(days=program.today().weekday() + 14)
    delivery = services.export_delivery_set(
        template=template,
        user=coordinator,
        values={"weekday": 0, "hour": 7, "recipients": [coordinator.pk, resident.pk]},
    )
    delivery.last_sent_period = first_monday  # as if set up two weeks ago and sent that week
    delivery.save()
    monday = first_monday + dt.timedelta(days=7)

    def send(day: dt.date, hour: int, minute: int) -> int:
        with django_capture_on_commit_callbacks(execute=True):  # each run commits; the delivery task sends
            return services.export_deliveries_send_due(
                now=dt.datetime.combine(day, dt.time(hour, minute), tzinfo=program.zone)
            )

    assert send(monday, 6, 30) == 0  # before the hour: still last week's
    assert send(monday, 7, 5) == 2  # a new week, to both recipients
    assert send(monday, 7, 5) == 0  # the beat task running twice
    assert send(monday, 8, 5) == 0  # and the next hour
    assert send(monday + dt.timedelta(days=3), 7, 5) == 0
    ExportDelivery.objects.update(last_sent_period=first_monday)  # as if a racing run had not yet saved its period
    assert send(monday, 7, 5) == 0  # the emails' idempotency keys still hold: nobody gets a week twice
    assert send(monday + dt.timedelta(days=7), 7, 5) == 2  # the next week
    assert len(smtp_server.messages) == 4
    assert sorted(rcpt for _, rcpts in smtp_server.envelopes for rcpt in rcpts) == sorted(
        [coordinator.email, resident.email] * 2
    )
    message = smtp_server.messages[-1]
    assert message["Subject"] == "Week ahead: Family Medicine"
    files = [part for part in message.walk() if part.get_filename()]
    assert (
        len(files) == 1
        and files[0].get_filename().startswith("fm-week-ahead-")
        and files[0].get_filename().endswith(".xlsx")
    )
    book = load_workbook(io.BytesIO(files[0].get_payload(decode=True)))
    assert [c.value for c in next(book.active.iter_rows())][:3] == ["Date", "Session", "Person"]
    keys = sorted(EmailLog.objects.values_list("idempotency_key", flat=True))
    assert keys[0].startswith(f"export-template:{template.pk}:")
    assert EmailLog.objects.filter(status=EmailLog.Status.SENT).count() == 4


def test_a_recipient_who_left_the_program_gets_no_more_exports(smtp_server, program, coordinator, member):  # noqa: F811
    resident = member(Role.RESIDENT)
    template = _make(program, coordinator, dataset=catalogue.PEOPLE)
    services.export_delivery_set(
        template=template,
        user=coordinator,
        values={"frequency": "monthly", "day_of_month": 1, "recipients": [coordinator.pk]},
    )
    ExportDelivery.objects.update(last_sent_period=dt.date(2000, 1, 1))
    coordinator.memberships.all().delete()
    assert services.export_deliveries_send_due() == 0
    assert smtp_server.messages == [] and resident.email


def test_absences_as_pdf_list_them_without_the_private_note(client, coordinator, program, cast):
    from pypdf import PdfReader

    AbsenceFactory(program=program, person=cast.ann, start_date=cast.day, end_date=cast.day, note=SECRET)
    template = _make(program, coordinator, dataset=catalogue.ABSENCES, file_format="pdf", **_around(program, cast.day))
    client.force_login(coordinator)
    response = client.get(reverse("export-template-run", args=[template.pk]))
    assert response.content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Ann Able" in text and "Vacation" in text and "chemotherapy" not in text
