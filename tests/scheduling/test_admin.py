"""Scheduling admin: each program's managers see, open, change and pick only their own program's rows."""

import datetime as dt

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scheduling.models import (
    AcademicYear,
    Block,
    BlockAssignment,
    CalendarDay,
    CallAssignment,
    Person,
    Preference,
    RotationRequirement,
    RotationTemplate,
    ScheduleRun,
    ScheduleVersion,
    SessionAssignment,
    SessionTime,
    WishWindow,
)
from tenants.models import Membership, Role
from tests.scheduling.factories import (
    AcademicYearFactory,
    BlockAssignmentFactory,
    BlockFactory,
    CallAssignmentFactory,
    ResidentFactory,
    RotationTemplateFactory,
    ScheduleRunFactory,
    ScheduleVersionFactory,
    SessionAssignmentFactory,
)

pytestmark = pytest.mark.django_db

SCHEDULING_MODELS = [
    AcademicYear,
    Block,
    SessionTime,
    CalendarDay,
    Person,
    RotationTemplate,
    RotationRequirement,
    ScheduleRun,
    ScheduleVersion,
    BlockAssignment,
    SessionAssignment,
    CallAssignment,
    Preference,
    WishWindow,
]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def make_rows(program, surname: str) -> dict:
    """One row of every scheduling model in the program; people and rotations are named after `surname`."""
    year = AcademicYearFactory(program=program)
    block = BlockFactory(academic_year=year, number=1)
    person = ResidentFactory(program=program, last_name=surname)
    rotation = RotationTemplateFactory(program=program, name=f"{surname} wards")
    run = ScheduleRunFactory(academic_year=year)
    version = ScheduleVersionFactory(academic_year=year, run=run)
    return {
        AcademicYear: year,
        Block: block,
        SessionTime: SessionTime.objects.create(
            program=program, session="AM", start_time=dt.time(7), end_time=dt.time(12)
        ),
        CalendarDay: CalendarDay.objects.create(
            program=program, date=dt.date(2026, 7, 3), day_type=CalendarDay.DayType.FEDERAL_HOLIDAY, name=surname
        ),
        Person: person,
        RotationTemplate: rotation,
        RotationRequirement: RotationRequirement.objects.create(program=program, pgy=1, rotation=rotation),
        ScheduleRun: run,
        ScheduleVersion: version,
        BlockAssignment: BlockAssignmentFactory(block=block, version=version, person=person, rotation=rotation),
        SessionAssignment: SessionAssignmentFactory(version=version, person=person, rotation=rotation),
        CallAssignment: CallAssignmentFactory(version=version, person=person),
        Preference: Preference.objects.create(
            program=program, person=person, academic_year=year, kind="blocked_week", week_start=year.start_date
        ),
        WishWindow: WishWindow.objects.create(
            program=program, academic_year=year, opens_on=year.start_date, closes_on=year.end_date
        ),
    }


@pytest.fixture
def ours(program) -> dict:
    return make_rows(program, "Ourson")


@pytest.fixture
def theirs(other_program) -> dict:
    return make_rows(other_program, "Theirfield")


@pytest.fixture
def as_coordinator(client, coordinator):
    client.force_login(coordinator)
    return client


def form_values(form) -> dict:
    """The values a browser posts back, unchanged, for one rendered form (simple widgets only)."""
    data = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form[name].value())
        if value is True:
            data[form.add_prefix(name)] = "on"
        elif value is not None and value is not False:
            data[form.add_prefix(name)] = value
    return data


def change_form_data(response) -> dict:
    """What a browser posts back, unchanged, from a rendered admin change page with its inlines."""
    data = form_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_values(formset.management_form))
        for form in formset.initial_forms:
            data.update(form_values(form))
    return data


@pytest.mark.parametrize("model", SCHEDULING_MODELS, ids=lambda model: model.__name__)
def test_coordinator_changelist_shows_no_other_program_rows(as_coordinator, program, ours, theirs, model):
    response = as_coordinator.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    shown = {row.pk for row in response.context["cl"].result_list}
    assert ours[model].pk in shown
    assert theirs[model].pk not in shown
    assert {row.program_id for row in response.context["cl"].result_list} == {program.pk}
    assert "Theirfield" not in response.content.decode()


@pytest.mark.parametrize("model", SCHEDULING_MODELS, ids=lambda model: model.__name__)
def test_coordinator_opens_own_row_but_gets_404_for_other_program_row(as_coordinator, ours, theirs, model):
    assert as_coordinator.get(admin_url(model, "change", ours[model].pk)).status_code == 200
    assert as_coordinator.get(admin_url(model, "change", theirs[model].pk)).status_code == 404
    assert as_coordinator.get(admin_url(model, "delete", theirs[model].pk)).status_code == 404


@pytest.mark.parametrize("model", SCHEDULING_MODELS, ids=lambda model: model.__name__)
def test_coordinator_cannot_post_change_or_delete_to_other_program_row(as_coordinator, ours, theirs, model):
    row = theirs[model]
    before = model_to_dict(row)
    payload = {**model_to_dict(ours[model]), "program": ours[model].program_id}
    payload = {key: value for key, value in payload.items() if value is not None and key != "id"}

    changed = as_coordinator.post(admin_url(model, "change", row.pk), payload)
    deleted = as_coordinator.post(admin_url(model, "delete", row.pk), {"post": "yes"})

    assert (changed.status_code, deleted.status_code) == (404, 404)
    row.refresh_from_db()
    assert model_to_dict(row) == before


@pytest.mark.parametrize("model", [m for m in SCHEDULING_MODELS if m is not ScheduleRun], ids=lambda m: m.__name__)
def test_coordinator_reads_own_row_history_but_is_refused_other_program_row_history(
    as_coordinator, ours, theirs, model
):
    assert as_coordinator.get(admin_url(model, "history", ours[model].pk)).status_code == 200
    assert as_coordinator.get(admin_url(model, "history", theirs[model].pk)).status_code == 403


ASSIGNMENT_MODELS = [BlockAssignment, SessionAssignment, CallAssignment]


@pytest.mark.parametrize("model", ASSIGNMENT_MODELS, ids=lambda model: model.__name__)
@pytest.mark.parametrize("who", ["coordinator", "superuser"])
def test_assignments_are_read_only_in_the_admin_so_the_rule_checks_cannot_be_skipped(
    client, request, program, ours, model, who
):
    """A consecutive call night or a block cell added in the admin would skip the cell editor's rule checks."""
    client.force_login(request.getfixturevalue(who))
    row = ours[model]
    before = model_to_dict(row)
    payload = {key: value for key, value in model_to_dict(row).items() if value is not None and key != "id"}

    added = client.post(admin_url(model, "add"), payload)
    changed = client.post(admin_url(model, "change", row.pk), {**payload, "override_reason": "admin edit"})
    deleted = client.post(admin_url(model, "delete", row.pk), {"post": "yes"})
    shown = client.get(admin_url(model, "change", row.pk))

    assert (added.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
    assert shown.status_code == 200 and not shown.context["has_change_permission"]
    row.refresh_from_db()
    assert model_to_dict(row) == before
    assert model.objects.count() == 1  # nothing added


@pytest.mark.parametrize(
    ("model_name", "field_name", "target"),
    [
        ("blockassignment", "person", Person),
        ("blockassignment", "rotation", RotationTemplate),
        ("blockassignment", "block", Block),
        ("blockassignment", "version", ScheduleVersion),
        ("block", "academic_year", AcademicYear),
        ("scheduleversion", "run", ScheduleRun),
    ],
)
def test_autocomplete_offers_only_own_program_rows(as_coordinator, ours, theirs, model_name, field_name, target):
    response = as_coordinator.get(
        reverse("admin:autocomplete"),
        {"app_label": "scheduling", "model_name": model_name, "field_name": field_name, "term": ""},
    )

    assert response.status_code == 200
    ids = {int(result["id"]) for result in response.json()["results"]}
    assert ours[target].pk in ids
    assert theirs[target].pk not in ids


def test_autocomplete_search_does_not_find_other_program_people(as_coordinator, ours, theirs):
    response = as_coordinator.get(
        reverse("admin:autocomplete"),
        {"app_label": "scheduling", "model_name": "blockassignment", "field_name": "person", "term": "Theirfield"},
    )

    assert response.json()["results"] == []


def test_add_form_defaults_to_the_coordinators_only_program(as_coordinator, program, other_program):
    response = as_coordinator.get(admin_url(Person, "add"))

    form = response.context["adminform"].form
    assert form.initial["program"] == program.pk
    assert list(form.fields["program"].queryset) == [program]


def test_coordinator_of_two_programs_chooses_the_program(client, member, program, other_program):
    user = member(Role.COORDINATOR)
    Membership.objects.create(user=user, organization=other_program, role=Role.ADMIN)
    client.force_login(user)

    form = client.get(admin_url(Person, "add")).context["adminform"].form

    assert "program" not in form.initial
    assert set(form.fields["program"].queryset) == {program, other_program}


def test_coordinator_saves_own_person_but_its_program_stays_fixed(client, member, program, other_program, ours):
    user = member(Role.COORDINATOR)
    Membership.objects.create(user=user, organization=other_program, role=Role.COORDINATOR)
    client.force_login(user)
    person = ours[Person]
    url = admin_url(Person, "change", person.pk)
    data = change_form_data(client.get(url))

    response = client.post(url, {**data, "first_name": "Renamed", "program": other_program.pk})

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.first_name, person.program) == ("Renamed", program)


def test_person_user_choices_are_members_of_the_coordinators_programs(as_coordinator, member, other_program):
    colleague = member(Role.RESIDENT)
    stranger = member(Role.RESIDENT, in_program=other_program)

    form = as_coordinator.get(admin_url(Person, "add")).context["adminform"].form

    choices = set(form.fields["user"].queryset)
    assert colleague in choices
    assert stranger not in choices


def test_person_page_shows_latest_assignments_read_only(as_coordinator, ours):
    response = as_coordinator.get(admin_url(Person, "change", ours[Person].pk))

    inlines = response.context["inline_admin_formsets"]
    assert [inline.formset.model for inline in inlines] == [BlockAssignment, SessionAssignment, CallAssignment]
    assert all(not inline.has_change_permission and not inline.has_add_permission for inline in inlines)
    assert [len(inline.formset.initial_forms) for inline in inlines] == [1, 1, 1]
    assert f"person__id__exact={ours[Person].pk}" in response.content.decode()


def test_person_inline_shows_at_most_ten_rows(as_coordinator, ours):
    person, version = ours[Person], ours[ScheduleVersion]
    for day in range(12):
        SessionAssignmentFactory(version=version, person=person, date=dt.date(2026, 8, 1) + dt.timedelta(days=day))

    response = as_coordinator.get(admin_url(Person, "change", person.pk))

    session_inline = response.context["inline_admin_formsets"][1]
    assert len(session_inline.formset.initial_forms) == 10
    assert session_inline.formset.initial_forms[0].instance.date == dt.date(2026, 8, 12)


def test_academic_year_block_inline_adds_blocks_in_the_year_program(as_coordinator, program, ours):
    year = ours[AcademicYear]
    url = admin_url(AcademicYear, "change", year.pk)
    data = change_form_data(as_coordinator.get(url))
    start = ours[Block].end_date + dt.timedelta(days=1)
    data.update(
        {
            "blocks-TOTAL_FORMS": "2",
            "blocks-1-number": "2",
            "blocks-1-start_date": start.isoformat(),
            "blocks-1-end_date": (start + dt.timedelta(days=27)).isoformat(),
        }
    )

    response = as_coordinator.post(url, data)

    assert response.status_code == 302
    assert year.blocks.get(number=2).program == program


def test_rotation_changelist_shows_colour_swatch(as_coordinator, ours):
    response = as_coordinator.get(admin_url(RotationTemplate, "changelist"))

    assert "background:#1f77b4" in response.content.decode()


def test_request_cancel_flips_only_queued_and_running_runs(as_coordinator, ours):
    year = ours[AcademicYear]
    runs = {status: ScheduleRunFactory(academic_year=year, status=status) for status in ScheduleRun.Status.values}

    response = as_coordinator.post(
        admin_url(ScheduleRun, "changelist"),
        {"action": "request_cancel", "_selected_action": [run.pk for run in runs.values()]},
    )

    assert response.status_code == 302
    flipped = {status for status, run in runs.items() if ScheduleRun.objects.get(pk=run.pk).cancel_requested}
    assert flipped == {ScheduleRun.Status.QUEUED, ScheduleRun.Status.RUNNING}


def test_request_cancel_ignores_other_program_runs(as_coordinator, ours, theirs):
    their_run = theirs[ScheduleRun]

    as_coordinator.post(
        admin_url(ScheduleRun, "changelist"),
        {"action": "request_cancel", "_selected_action": [their_run.pk, ours[ScheduleRun].pk]},
    )

    their_run.refresh_from_db()
    assert their_run.cancel_requested is False
    assert ScheduleRun.objects.get(pk=ours[ScheduleRun].pk).cancel_requested is True


def test_schedule_run_is_read_only_once_created(as_coordinator, ours):
    run = ours[ScheduleRun]
    url = admin_url(ScheduleRun, "change", run.pk)
    data = change_form_data(as_coordinator.get(url))

    response = as_coordinator.post(url, {**data, "status": "succeeded", "solutions_found": "9", "last_block": "12"})

    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.solutions_found, run.last_block) == (ScheduleRun.Status.QUEUED, 0, 13)


@pytest.mark.parametrize(
    ("model", "factory"),
    [
        (BlockAssignment, BlockAssignmentFactory),
        (SessionAssignment, SessionAssignmentFactory),
        (CallAssignment, CallAssignmentFactory),
        (Block, BlockFactory),
        (ScheduleVersion, ScheduleVersionFactory),
        (Person, ResidentFactory),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_changelist_query_count_does_not_grow_with_rows(client, superuser, program, model, factory):
    client.force_login(superuser)
    factory(program=program) if model is Person else factory()

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(admin_url(model, "changelist")).status_code == 200
        return len(context.captured_queries)

    few = queries()
    for _ in range(4):
        factory(program=program) if model is Person else factory()
    assert queries() == few


def test_academic_year_added_in_admin_gets_its_blocks(client, coordinator, program):
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:scheduling_academicyear_add"),
        {
            "program": program.pk,
            "name": "",
            "start_date": "2026-07-01",
            "block_count": 13,
            "block_length_days": 28,
            "block_start_weekday": "",
            "orientation_days": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    year = AcademicYear.objects.get(program=program)
    assert (year.name, year.end_date.isoformat()) == ("2026-2027", "2027-06-30")
    assert list(year.blocks.values_list("number", flat=True)) == list(range(1, 14))


def test_overlapping_academic_year_is_refused_in_admin_and_nothing_is_written(client, coordinator, program):
    client.force_login(coordinator)
    url = reverse("admin:scheduling_academicyear_add")
    data = {
        "program": program.pk,
        "name": "",
        "start_date": "2026-07-01",
        "block_count": 13,
        "block_length_days": 28,
        "block_start_weekday": "",
        "orientation_days": 0,
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "name": "Second", "start_date": "2027-01-01"})
    assert response.status_code == 200
    assert "would duplicate or overlap it" in str(response.context["adminform"].form.non_field_errors())
    assert AcademicYear.objects.filter(program=program).count() == 1
    assert Block.objects.filter(program=program).count() == 13


def run_add_data(year, **changes) -> dict:
    return {"academic_year": year.pk, "first_block": 1, "last_block": "", "time_limit": 30, "seed": 3, "workers": 1} | (
        changes
    )


def test_adding_a_run_in_the_admin_starts_it_through_the_service(as_coordinator, coordinator, ours):
    year = ours[AcademicYear]
    ours[ScheduleRun].delete()

    response = as_coordinator.post(admin_url(ScheduleRun, "add"), run_add_data(year))

    assert response.status_code == 302, response.context["adminform"].form.errors
    run = ScheduleRun.objects.get()
    assert (run.status, run.academic_year, run.first_block, run.last_block) == ("queued", year, 1, 1)
    assert (run.created_by, run.program) == (coordinator, year.program)
    assert run.parameters == {"time_limit": 30, "seed": 3, "workers": 1}
    assert response.url == admin_url(ScheduleRun, "changelist")


def test_run_add_form_asks_year_blocks_time_limit_and_seed(as_coordinator, ours):
    form = as_coordinator.get(admin_url(ScheduleRun, "add")).context["adminform"].form

    assert list(form.fields) == ["academic_year", "first_block", "last_block", "time_limit", "seed", "workers"]
    assert (form.fields["time_limit"].initial, form.fields["seed"].initial) == (60, 0)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"last_block": 99}, "Block 99 does not exist"),
        ({"first_block": 1, "last_block": 0}, "Blocks 1-0: the first block comes after the last."),
        ({"time_limit": 0}, "Ensure this value is greater than or equal to 1."),
    ],
)
def test_run_add_form_refuses_bad_options_readably(as_coordinator, ours, changes, message):
    ours[ScheduleRun].delete()

    response = as_coordinator.post(admin_url(ScheduleRun, "add"), run_add_data(ours[AcademicYear], **changes))

    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors)
    assert not ScheduleRun.objects.exists()


def test_run_add_form_refuses_a_second_active_run(as_coordinator, ours):
    response = as_coordinator.post(admin_url(ScheduleRun, "add"), run_add_data(ours[AcademicYear]))

    assert response.status_code == 200
    assert "already has a schedule run in progress" in str(response.context["adminform"].form.errors)
    assert ScheduleRun.objects.filter(program=ours[AcademicYear].program).count() == 1


def test_run_change_page_shows_progress_message_and_draft_read_only(as_coordinator, ours):
    run, version = ours[ScheduleRun], ours[ScheduleVersion]
    ScheduleRun.objects.filter(pk=run.pk).update(
        status="infeasible",
        gap=0.125,
        message="Block 4: inpatient needs 6 residents; 5 are eligible and available",
        statistics={"version_id": version.pk, "version_number": version.number},
    )

    response = as_coordinator.get(admin_url(ScheduleRun, "change", run.pk))

    page = response.content.decode()
    assert "Block 4: inpatient needs 6 residents; 5 are eligible and available" in page
    assert "12.50%" in page
    assert admin_url(ScheduleVersion, "change", version.pk) in page
    assert not any(field in response.context["adminform"].form.fields for field in ("status", "first_block"))


def test_resident_cannot_add_a_run_in_the_admin(client, resident_user, ours):
    resident_user.is_staff = True
    resident_user.save()
    client.force_login(resident_user)

    response = client.post(admin_url(ScheduleRun, "add"), run_add_data(ours[AcademicYear]))

    assert response.status_code == 403 or "/admin/login/" in response.url  # the admin is for managers
    assert ScheduleRun.objects.count() == 1


def test_rotation_work_days_are_weekday_checkboxes_in_the_admin(as_coordinator, ours):
    rotation = ours[RotationTemplate]
    url = admin_url(RotationTemplate, "change", rotation.pk)
    data = change_form_data(as_coordinator.get(url))

    response = as_coordinator.post(url, {**data, "work_days": ["6", "0", "1"], "is_night": "on"})

    assert response.status_code == 302, response.context["adminform"].form.errors
    rotation.refresh_from_db()
    assert (rotation.work_days, rotation.is_night) == ([0, 1, 6], True)


def test_rotation_in_use_is_archived_not_deleted_and_the_page_says_so_without_gathering_assignments(
    as_coordinator, ours, django_assert_max_num_queries
):
    rotation = ours[RotationTemplate]
    SessionAssignmentFactory.create_batch(
        30, version=ours[ScheduleVersion], person=ours[Person], rotation=rotation, date=factory_dates(30)
    )

    with django_assert_max_num_queries(25):
        page = as_coordinator.get(admin_url(RotationTemplate, "delete", rotation.pk))
    posted = as_coordinator.post(admin_url(RotationTemplate, "delete", rotation.pk), {"post": "yes"})
    archived = as_coordinator.post(
        admin_url(RotationTemplate, "changelist"), {"action": "archive", "_selected_action": [rotation.pk]}
    )

    assert "is used by schedules: archive it instead" in page.content.decode()
    assert posted.status_code == 403 or "archive it instead" in posted.content.decode()
    assert archived.status_code == 302
    rotation.refresh_from_db()
    assert rotation.is_active is False


def test_unused_rotation_is_deleted(as_coordinator, program):
    unused = RotationTemplateFactory(program=program, name="Old elective")

    response = as_coordinator.post(admin_url(RotationTemplate, "delete", unused.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not RotationTemplate.objects.filter(pk=unused.pk).exists()


def factory_dates(count: int):
    """A factory sequence of distinct dates, so each half-day row is its own session."""
    import factory

    return factory.Iterator([dt.date(2026, 8, 1) + dt.timedelta(days=i) for i in range(count)])


def test_deleting_a_draft_in_the_admin_discards_it_through_the_service(as_coordinator, coordinator, ours):
    draft = ours[ScheduleVersion]

    page = as_coordinator.get(admin_url(ScheduleVersion, "delete", draft.pk))
    response = as_coordinator.post(admin_url(ScheduleVersion, "delete", draft.pk), {"post": "yes"})

    assert "and all its assignments" in page.content.decode()
    assert response.status_code == 302
    assert not ScheduleVersion.objects.filter(pk=draft.pk).exists()
    assert not BlockAssignment.objects.filter(version_id=draft.pk).exists()
    deleted = BlockAssignment.history.filter(version_id=draft.pk, history_type="-").get()
    assert deleted.history_user == coordinator
