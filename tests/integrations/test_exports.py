"""Downloads: Excel (block grid, half-day range), PDF (grid, person) and CSV, with their permissions."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from scheduling.models import Person
from tenants.models import Role
from tests.scheduling import export_data
from tests.scheduling.factories import ResidentFactory


@pytest.fixture
def cast(program, resident_user):
    return export_data.build(program, ann_user=resident_user)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def _workbook(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def _pdf_text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response.content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def _rows(sheet):
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_block_grid_xlsx_holds_people_rotations_colours_and_a_legend(coordinator_client, cast, program):
    response = coordinator_client.get(reverse("export-grid-xlsx"))
    book = _workbook(response)
    assert f'filename="{program.slug}-{cast.year.name}-v1-blocks.xlsx"' in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")
    sheet = book["Blocks"]
    rows = _rows(sheet)
    assert rows[0][:3] == ["Person", "PGY", rows[0][2]] and rows[0][2].startswith("Block 1\n")
    labels = [row[0] for row in rows]
    assert labels.index("PGY-1") < labels.index("Ann Able") < labels.index("PGY-2") < labels.index("Ben Baker")
    ann = rows[labels.index("Ann Able")]
    assert ann[2:4] == ["IM", "FMC"]
    ann_cell = sheet.cell(row=labels.index("Ann Able") + 1, column=3)
    assert ann_cell.fill.fgColor.rgb.endswith("1F3A93")
    assert ann_cell.font.color.rgb.endswith("FFFFFF")  # light text on the dark inpatient colour
    assert sheet.cell(row=labels.index("Ann Able") + 1, column=4).font.color.rgb.endswith("000000")
    assert sheet.freeze_panes == "C2"
    legend = _rows(book["Legend"])
    assert legend[0] == ["Abbreviation", "Name", "Colour", "Kind"]
    assert ["FMC", "Family clinic", "#ffdd57", "Outpatient clinic"] in legend
    assert ["IM", "Inpatient medicine", "#1f3a93", "Inpatient"] in legend


def test_block_grid_xlsx_follows_the_pgy_filter(coordinator_client, cast):
    rows = _rows(_workbook(coordinator_client.get(reverse("export-grid-xlsx"), {"pgy": 2}))["Blocks"])
    names = [row[0] for row in rows]
    assert "Ben Baker" in names and "Ann Able" not in names


def test_range_xlsx_has_am_pm_columns_per_day_marks_holidays_and_lists_calls(coordinator_client, cast):
    start, end = cast.day, cast.day + dt.timedelta(days=6)
    book = _workbook(coordinator_client.get(reverse("export-range-xlsx"), {"start": start, "end": end}))
    sheet = book["Half-days"]
    rows = _rows(sheet)
    assert rows[1][2:] == ["AM", "PM"] * 7
    assert rows[0][2] == f"{start:%a %d %b %Y}"
    holiday_column = 3 + 2 * (cast.holiday - start).days
    assert sheet.cell(row=3, column=holiday_column).value == "Founders Day"
    assert "Founders Day" in sheet.cell(row=1, column=holiday_column).comment.text
    ann = next(row for row in rows if row[0] == "Ann Able")
    assert ann[2:6] == ["IM", "IM", "C", None]  # the codes of the month view
    assert sheet.cell(row=rows.index(ann) + 1, column=3).fill.fgColor.rgb.endswith("1F3A93")
    weekend = next(i for i in range(7) if (start + dt.timedelta(days=i)).weekday() == 6)
    assert sheet.cell(row=rows.index(ann) + 1, column=3 + 2 * weekend).fill.fgColor.rgb.endswith("E6E9ED")
    calls = _rows(book["Calls"])
    assert calls[0] == ["Date", "Start", "End", "Kind", "Person", "PGY"]
    assert calls[1][1:5] == [f"{start} 17:00", f"{start + dt.timedelta(days=1)} 08:00", "In-house", "Ann Able"]
    assert "IM" in [row[0] for row in _rows(book["Legend"])]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-13-01", "end": "2026-12-31"}, "Give a start and an end date as YYYY-MM-DD."),
        ({"start": "2026-07-01"}, "Give a start and an end date as YYYY-MM-DD."),
        ({"start": "2026-07-10", "end": "2026-07-01"}, "The end date is before the start date."),
        ({"start": "2026-07-01", "end": "2028-07-02"}, "A date range can cover at most two years."),
    ],
)
def test_range_xlsx_refuses_bad_ranges_with_the_reason(coordinator_client, cast, query, message):
    response = coordinator_client.get(reverse("export-range-xlsx"), query)
    assert response.status_code == 400
    assert response.content.decode() == message
    assert "Content-Disposition" not in response


def test_grid_pdf_is_a_letter_landscape_pdf_with_names(coordinator_client, cast, program):
    response = coordinator_client.get(reverse("export-grid-pdf"))
    text = _pdf_text(response)
    assert "Ann Able" in text and "Ben Baker" in text and "Inpatient medicine" in text
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (792, 612)
    assert response["Content-Disposition"].endswith('-blocks.pdf"')


def test_person_pdf_lists_rotations_sessions_and_calls(client, resident_user, cast):
    client.force_login(resident_user)
    end = cast.day + dt.timedelta(days=3)
    response = client.get(reverse("export-person-pdf", args=[cast.ann.pk]), {"start": cast.day, "end": end})
    text = _pdf_text(response)
    assert "Ann Able" in text and "Rotations by block" in text and "Inpatient medicine" in text
    assert "In-house 17:00" in text and "Founders Day" in text
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)
    assert "ann-able" in response["Content-Disposition"]


def test_person_pdf_is_open_to_the_person_without_schedule_rights(client, member, program):
    user = member(Role.MSA)
    cast = export_data.build(program, ann_user=user)
    client.force_login(user)
    assert client.get(reverse("export-person-pdf", args=[cast.ann.pk])).status_code == 200
    assert client.get(reverse("export-person-pdf", args=[cast.ben.pk])).status_code == 403
    assert client.get(reverse("export-grid-xlsx")).status_code == 403


def test_assignments_csv_has_one_row_per_assignment(coordinator_client, cast):
    response = coordinator_client.get(reverse("export-assignments-csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.streaming  # row by row, however large
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    kinds = [row["kind"] for row in rows]
    assert kinds.count("block") == 3 and kinds.count("session") == 4 and kinds.count("call") == 1
    call = next(row for row in rows if row["kind"] == "call")
    assert call["person"] == "Ann Able" and call["pgy"] == "1" and call["call_kind"] == "in_house"
    assert call["call_start"].startswith(f"{cast.day}T17:00") and call["source"] == "manual"
    ben = next(row for row in rows if row["kind"] == "session" and row["person"] == "Ben Baker")
    assert (ben["date"], ben["session"], ben["activity"], ben["rotation"]) == (str(cast.day), "AM", "clinic", "FMC")


def test_drafts_are_for_managers_only(client, coordinator, resident_user, cast):
    draft = export_data.version_of(cast.year, 2, status="draft")
    client.force_login(resident_user)
    assert client.get(reverse("export-grid-xlsx"), {"version": "draft"}).status_code == 404
    client.force_login(coordinator)
    response = client.get(reverse("export-grid-xlsx"), {"version": draft.pk})
    assert response.status_code == 200 and "-v2-draft-blocks.xlsx" in response["Content-Disposition"]


def test_other_program_users_cannot_download_this_program(client, member, other_program, cast):
    outsider = member(Role.COORDINATOR, in_program=other_program)
    theirs = export_data.build(other_program)
    Person.objects.filter(pk__in=[theirs.ann.pk, theirs.ben.pk]).update(last_name="Other")
    client.force_login(outsider)
    assert client.get(reverse("export-person-pdf", args=[cast.ann.pk])).status_code == 404
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("export-assignments-csv")).getvalue().decode())))
    assert {row["person"] for row in rows} == {"Ann Other", "Ben Other"}
    assert client.get(reverse("export-grid-xlsx"), {"person": cast.ann.pk}).status_code == 404
    assert client.get(reverse("export-grid-xlsx"), {"rotation": cast.inpatient.pk}).status_code == 404


def test_exports_need_a_login(client, cast):
    response = client.get(reverse("export-grid-xlsx"))
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_grid_export_queries_do_not_grow_with_people(coordinator_client, cast, program, django_assert_max_num_queries):
    ResidentFactory.create_batch(20, program=program, pgy=3)
    with django_assert_max_num_queries(17):  # + leave and faculty half-days, approved absences
        assert coordinator_client.get(reverse("export-grid-xlsx")).status_code == 200
    with django_assert_max_num_queries(23):  # + the grid's and the days' approved absences, session times, counts
        assert coordinator_client.get(reverse("export-assignments-csv")).getvalue().startswith(b"kind,")
