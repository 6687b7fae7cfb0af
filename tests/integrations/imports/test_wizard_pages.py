"""The import wizard's pages: a coordinator walks it through; residents are refused; another program's import is
404; a file too large or of the wrong type is refused with a message and nothing is kept."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from integrations.imports.models import ImportSession
from scheduling.models import BlockAssignment, ScheduleVersion
from tenants.models import Role
from tests.integrations.imports.workbook import program_workbook, upload
from tests.scheduling.factories import ResidentFactory

pytestmark = pytest.mark.django_db
HOME = reverse("import-home")


def logged_in(client, user):
    client.force_login(user)
    return client


def post_upload(client, content, name="program.xlsx", year=None):
    data = {"file": upload(content, name=name)}
    if year is not None:
        data["academic_year"] = year.pk
    return client.post(HOME, data)


def fields(response, prefix):
    """The wizard form's current choices, as the browser would send them back."""
    form = response.context["form"]
    return {name: form[name].value() or "" for name in form.fields if name.startswith(prefix)}


def test_coordinator_walks_the_wizard_to_a_draft(client, program, coordinator, year):
    logged_in(client, coordinator)
    response = post_upload(client, program_workbook(rotation="IM", leave_date="2026-08-28"), year=year)
    session = ImportSession.objects.get(program=program)
    assert response.status_code == 302 and response.url == reverse("import-sheets", args=[session.pk])

    sheets = client.get(response.url)
    assert "Block schedule" in sheets.text
    response = client.post(response.url, {"academic_year": year.pk, **fields(sheets, "kind-")})
    columns = client.get(response.url)
    assert "Dates From" in columns.text  # the merged group heading read in front of its columns
    response = client.post(response.url, fields(columns, "map-"))
    people = client.get(response.url)
    assert "Zoë Angstrm" in people.text and "Nobody of this program" in people.text
    answers = {name: people.context["form"].fields[name].choices[1][0] for name in fields(people, "answer-")}
    response = client.post(response.url, answers)
    assert response.url == reverse("import-check", args=[session.pk])

    client.post(response.url)  # the dry run
    check = client.get(response.url)
    assert "No problem found" in check.text and "Import everything" in check.text
    assert not ScheduleVersion.objects.filter(program=program).exists()

    response = client.post(reverse("import-commit", args=[session.pk]))
    version = ScheduleVersion.objects.get(program=program)
    assert response.url == reverse("version-compare", args=[version.pk])
    assert BlockAssignment.objects.filter(version=version).count() == 4
    assert client.get(response.url).status_code == 200


def test_report_downloads_as_xlsx_with_each_problem_at_its_cell(client, program, coordinator, year):
    logged_in(client, coordinator)
    post_upload(client, program_workbook(), year=year)
    session = ImportSession.objects.get(program=program)
    client.post(reverse("import-check", args=[session.pk]))

    response = client.get(reverse("import-report", args=[session.pk]))

    rows = list(load_workbook(io.BytesIO(response.content))["Problems"].iter_rows(values_only=True))
    assert rows[0] == ("Sheet", "Row", "Column", "Heading", "Value", "Problem")
    assert {(r[0], r[1], r[2], r[3], r[4]) for r in rows[1:]} == {
        ("Block schedule", 5, "A", "Resident", "Zoë Angstrm"),
        ("Block schedule", 6, "C", "Rotation", "XRAY"),
        ("Leave", 4, "D", "Dates Until", "31/08/2026"),
    }
    page = client.get(reverse("import-check", args=[session.pk]))
    assert "3 problems" in page.text and "Import everything" not in page.text


def test_commit_without_a_clean_check_is_refused(client, program, coordinator, year):
    logged_in(client, coordinator)
    post_upload(client, program_workbook(), year=year)
    session = ImportSession.objects.get(program=program)
    response = client.post(reverse("import-commit", args=[session.pk]), follow=True)
    assert "Run the check first" in response.text
    assert not ScheduleVersion.objects.filter(program=program).exists()


def test_file_over_the_cap_is_refused_with_a_message(client, program, coordinator, settings):
    settings.IMPORT_MAX_BYTES = 1000
    logged_in(client, coordinator)
    response = post_upload(client, program_workbook())
    assert response.status_code == 400 and "larger than 0.001 MB" in response.text
    assert not ImportSession.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("program.xlsx", b"person,block\nAna,1\n", "named like an Excel workbook (.xlsx) but holds CSV text"),
        ("program.csv", program_workbook(), "named like CSV text but holds an Excel workbook (.xlsx)"),
        ("scan.pdf", b"%PDF-1.4 ...", "is not a spreadsheet"),
        ("program.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "not an Excel workbook"),
    ],
)
def test_file_of_the_wrong_type_is_refused_with_a_message(client, program, coordinator, name, content, message):
    logged_in(client, coordinator)
    response = post_upload(client, content, name=name)
    assert response.status_code == 400 and message in response.text
    assert not ImportSession.objects.exists()


def test_csv_is_read_as_one_sheet(client, program, coordinator):
    logged_in(client, coordinator)
    text = "First name;Last name;PGY\nJosé;García ;2\n".encode("cp1252")
    post_upload(client, text, name="roster.csv")
    session = ImportSession.objects.get(program=program)
    assert session.kinds == {"CSV": "people"} and session.sheets[0]["rows"] == 1


def test_templates_download(client, coordinator):
    logged_in(client, coordinator)
    response = client.get(reverse("import-template"), {"kind": "blocks"})
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book["Block schedule"][1]] == ["Person", "Block", "Rotation", "Half"]
    everything = load_workbook(io.BytesIO(client.get(reverse("import-template")).content))
    assert len(everything.sheetnames) == 9  # eight kinds and the notes
    assert client.get(reverse("import-template"), {"kind": "x"}).status_code == 404


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.CLINICAL_STAFF])
def test_other_roles_are_refused(client, program, member, role):
    logged_in(client, member(role))
    assert client.get(HOME).status_code == 403
    assert post_upload(client, program_workbook()).status_code == 403
    assert client.get(reverse("import-template")).status_code == 403
    assert not ImportSession.objects.exists()


def test_another_programs_import_is_not_found(client, program, other_program, coordinator, member, year):
    logged_in(client, coordinator)
    post_upload(client, program_workbook(), year=year)
    session = ImportSession.objects.get(program=program)
    outsider = member(Role.COORDINATOR, in_program=other_program)
    logged_in(client, outsider)
    for name in ("import-sheets", "import-columns", "import-people", "import-check", "import-report"):
        assert client.get(reverse(name, args=[session.pk])).status_code == 404, name
    assert client.post(reverse("import-check", args=[session.pk])).status_code == 404
    assert client.post(reverse("import-commit", args=[session.pk])).status_code == 404
    session.refresh_from_db()
    assert session.report == {} and session.status == ImportSession.Status.UPLOADED


def test_a_forged_answer_naming_another_programs_person_is_refused(client, program, other_program, coordinator, year):
    stranger = ResidentFactory(program=other_program, first_name="Zoë", last_name="Angstrom")
    logged_in(client, coordinator)
    post_upload(client, program_workbook(), year=year)
    session = ImportSession.objects.get(program=program)
    url = reverse("import-people", args=[session.pk])
    people = client.get(url)
    answers = dict.fromkeys(fields(people, "answer-"), f"p:{stranger.pk}")

    response = client.post(url, answers)

    assert response.status_code == 200 and "Select a valid choice" in response.text
    session.refresh_from_db()
    assert session.answers == {}
