"""Wishes (issue 12, point 1): entered by residents and faculty within the window and their limits, by
coordinators for anyone; withdrawn with history; weighed by the program; never visible to another program;
passed to the engine; and, after a run, granted or refused with a reason on the person's page."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from scheduling.engine_io import person_key, problem_with_wishes, rotation_key
from scheduling.models import Person, Preference, ScheduleVersion, WishWindow
from scheduling.program_settings import SettingsError
from scheduling.services import (
    academic_year_create,
    schedule_run_execute,
    schedule_run_start,
    schedule_version_publish,
)
from scheduling.services.wishes import (
    preference_change,
    preference_create,
    preference_withdraw,
    wish_settings_update,
    wish_window_set,
)
from scheduling.wish_settings import wish_settings
from tenants.errors import ConflictError, DomainError
from tenants.models import Organization, Role
from tests.scheduling.factories import FacultyFactory, ResidentFactory, RotationTemplateFactory
from tests.scheduling.test_generation import tiny_program

pytestmark = pytest.mark.django_db

WEDDING = dt.date(2027, 3, 1)  # a Monday of the 2026-2027 year
BOARDS = dt.date(2027, 1, 4)
CONFERENCE = dt.date(2026, 12, 7)


@pytest.fixture
def year(program, coordinator):
    year = academic_year_create(program=program, start_date=dt.date(2026, 7, 1), make_current=True)
    today = program.today()
    wish_window_set(
        user=coordinator,
        academic_year=year,
        opens_on=today - dt.timedelta(days=10),
        closes_on=today + dt.timedelta(days=10),
        blocked_week_limit=2,
    )
    return year


@pytest.fixture
def me(program, resident_user):
    return ResidentFactory(program=program, user=resident_user, first_name="Rosa", last_name="Resident", pgy=2)


@pytest.fixture
def colleague(program):
    return ResidentFactory(program=program, first_name="Carl", last_name="Colleague", pgy=2)


def close_window(year, coordinator):
    today = year.program.today()
    wish_window_set(
        user=coordinator,
        academic_year=year,
        opens_on=today - dt.timedelta(days=30),
        closes_on=today - dt.timedelta(days=1),
        blocked_week_limit=2,
    )


def block(year, number):
    return year.blocks.get(number=number)


# Services: who may enter what, when, how many


def test_resident_enters_own_blocked_week_with_a_priority(program, year, me, resident_user):
    wish = preference_create(
        user=resident_user, program=program, person=me, kind="blocked_week", week_start=WEDDING, priority="high"
    )
    assert (wish.person, wish.academic_year, wish.status, wish.created_by) == (me, year, "active", resident_user)
    assert str(wish) == "Blocked week: week of 1 Mar 2027"


def test_resident_cannot_enter_a_wish_for_someone_else(program, year, me, colleague, resident_user):
    with pytest.raises(PermissionDenied, match="for yourself only; a coordinator can enter one for others"):
        preference_create(
            user=resident_user, program=program, person=colleague, kind="blocked_week", week_start=WEDDING
        )
    assert not Preference.objects.exists()


def test_resident_cannot_add_change_or_withdraw_after_the_window_closes(program, year, me, resident_user, coordinator):
    wish = preference_create(user=resident_user, program=program, person=me, kind="blocked_week", week_start=WEDDING)
    close_window(year, coordinator)
    closed = r"The wish window for 2026-2027 closed on .*; ask a coordinator to (add|change|withdraw) this wish"
    with pytest.raises(DomainError, match=closed):
        preference_create(user=resident_user, program=program, person=me, kind="blocked_week", week_start=BOARDS)
    with pytest.raises(DomainError, match=closed):
        preference_change(preference=wish, user=resident_user, priority="low")
    with pytest.raises(DomainError, match=closed):
        preference_withdraw(preference=wish, user=resident_user)
    wish.refresh_from_db()
    assert (wish.status, wish.priority, Preference.objects.count()) == ("active", "medium", 1)


def test_without_a_window_residents_are_told_wishes_are_not_open(program, coordinator, me, resident_user):
    academic_year_create(program=program, start_date=dt.date(2026, 7, 1), make_current=True)
    with pytest.raises(DomainError, match="not open yet .*ask a coordinator"):
        preference_create(user=resident_user, program=program, person=me, kind="blocked_week", week_start=WEDDING)


def test_resident_cannot_go_beyond_the_limit_of_a_kind(program, year, me, resident_user):
    for week in (WEDDING, BOARDS):
        preference_create(user=resident_user, program=program, person=me, kind="blocked_week", week_start=week)
    with pytest.raises(DomainError, match="already has 2 of the 2 blocked week wishes allowed for 2026-2027"):
        preference_create(user=resident_user, program=program, person=me, kind="blocked_week", week_start=CONFERENCE)
    # another kind has no limit; a withdrawn wish frees its place
    preference_create(user=resident_user, program=program, person=me, kind="preferred_week", week_start=CONFERENCE)
    preference_withdraw(preference=Preference.objects.get(week_start=BOARDS), user=resident_user)
    preference_create(
        user=resident_user, program=program, person=me, kind="blocked_week", week_start=dt.date(2027, 5, 3)
    )
    assert Preference.objects.active().filter(kind="blocked_week").count() == 2


def test_coordinator_enters_a_wish_for_anyone_even_when_the_window_is_closed(program, year, colleague, coordinator):
    close_window(year, coordinator)
    wish = preference_create(
        user=coordinator,
        program=program,
        person=colleague,
        kind="rotation_wish",
        rotation=RotationTemplateFactory(program=program, name="Cardiology", min_pgy=2, max_pgy=3),
        block=block(year, 5),
        reason="Wants cardiology before fellowship applications",
    )
    assert (wish.person, wish.what, wish.created_by) == (colleague, "Cardiology in block 5", coordinator)


@pytest.mark.parametrize(
    ("kind", "extra", "message"),
    [
        (
            "blocked_week",
            {"week_start": dt.date(2027, 3, 3)},
            "Weeks start on Monday: 3 Mar 2027 is a Wednesday; the week holding it starts on 1 Mar 2027",
        ),  # fmt: skip
        ("blocked_week", {"week_start": dt.date(2030, 3, 4)}, "4 Mar 2030 is in no academic year"),
        ("blocked_week", {}, "Choose the week of the blocked week"),
        ("rotation_wish", {}, "Choose the rotation of the rotation wish"),
        ("sabbatical", {}, "“sabbatical” is not a kind of wish"),
    ],
)
def test_a_wish_without_a_proper_week_or_rotation_is_refused_readably(
    program, year, me, resident_user, kind, extra, message
):
    with pytest.raises(DomainError, match=message):
        preference_create(user=resident_user, program=program, person=me, kind=kind, **extra)
    assert not Preference.objects.exists()


def test_rotation_wishes_are_for_residents_and_eligible_rotations(program, year, member):
    faculty_user = member(Role.FACULTY)
    faculty = FacultyFactory(program=program, user=faculty_user, first_name="Fay")
    cardiology = RotationTemplateFactory(program=program, name="Cardiology", min_pgy=2, max_pgy=3)
    with pytest.raises(DomainError, match="Rotation wishes are for residents"):
        preference_create(user=faculty_user, program=program, person=faculty, kind="rotation_wish", rotation=cardiology)
    intern_user = member(Role.RESIDENT)
    intern = ResidentFactory(program=program, user=intern_user, pgy=1, first_name="Ian", last_name="Intern")
    with pytest.raises(DomainError, match="Cardiology is for PGY-2 to PGY-3; Ian Intern is PGY-1"):
        preference_create(
            user=intern_user,
            program=program,
            person=intern,
            kind="rotation_wish",
            rotation=cardiology,
            block=block(year, 2),
        )
    # faculty block weeks like anyone
    preference_create(user=faculty_user, program=program, person=faculty, kind="blocked_week", week_start=BOARDS)


def test_a_second_wish_for_the_same_week_is_a_conflict(program, year, me, resident_user):
    preference_create(user=resident_user, program=program, person=me, kind="blocked_week", week_start=WEDDING)
    with pytest.raises(ConflictError, match="already has a wish for the week of 1 Mar 2027 .*blocked week"):
        preference_create(user=resident_user, program=program, person=me, kind="preferred_week", week_start=WEDDING)


def test_withdrawing_keeps_the_wish_and_its_history(program, year, me, resident_user):
    wish = preference_create(user=resident_user, program=program, person=me, kind="blocked_week", week_start=WEDDING)
    preference_change(preference=wish, user=resident_user, priority="high", week_start=BOARDS)
    preference_withdraw(preference=wish, user=resident_user)
    wish.refresh_from_db()
    assert wish.status == "withdrawn"
    history = list(wish.history.order_by("history_date").values_list("status", "week_start", "history_change_reason"))
    assert history == [
        ("active", WEDDING, "Wish entered"),
        ("active", BOARDS, "Wish changed"),
        ("withdrawn", BOARDS, "Wish withdrawn"),
    ]
    with pytest.raises(ConflictError, match="already withdrawn"):
        preference_withdraw(preference=wish, user=resident_user)


def test_the_program_sets_the_weights_of_the_priorities_and_bad_ones_are_refused(program, coordinator, resident_user):
    wish_settings_update(program=program, user=coordinator, settings={"weights": {"high": 40, "medium": 20}})
    program.refresh_from_db()
    assert program.settings["wishes"]["weights"] == {"high": 40, "medium": 20, "low": 2}
    with pytest.raises(SettingsError, match=r"wishes.weights.high: must be a whole number from 1 to 100 \(got 500\)"):
        wish_settings_update(program=program, user=coordinator, settings={"weights": {"high": 500}})
    with pytest.raises(SettingsError, match="high must weigh at least medium"):
        wish_settings_update(program=program, user=coordinator, settings={"weights": {"high": 1, "medium": 5}})
    with pytest.raises(PermissionDenied):
        wish_settings_update(program=program, user=resident_user, settings={})
    program.refresh_from_db()
    assert program.settings["wishes"]["weights"]["high"] == 40


def test_a_window_closing_before_it_opens_is_refused(program, year, coordinator):
    with pytest.raises(DomainError, match="closes .* before it opens"):
        wish_window_set(
            user=coordinator, academic_year=year, opens_on=dt.date(2027, 1, 10), closes_on=dt.date(2027, 1, 1)
        )
    assert WishWindow.objects.get(academic_year=year).blocked_week_limit == 2


# The engine receives them


def test_engine_io_passes_active_wishes_of_the_horizon_with_the_programs_weights(
    program, year, me, colleague, resident_user, coordinator
):
    wish_settings_update(program=program, user=coordinator, settings={"weights": {"high": 30, "medium": 12, "low": 3}})
    wards = RotationTemplateFactory(program=program, name="Wards")
    blocked = preference_create(
        user=resident_user,
        program=program,
        person=me,
        kind="blocked_week",
        week_start=dt.date(2026, 7, 6),
        priority="high",
    )
    avoid = preference_create(
        user=coordinator,
        program=program,
        person=colleague,
        kind="rotation_avoid",
        rotation=wards,
        block=block(year, 1),
        priority="low",
    )
    withdrawn = preference_create(
        user=resident_user, program=program, person=me, kind="preferred_week", week_start=dt.date(2026, 7, 13)
    )
    preference_withdraw(preference=withdrawn, user=resident_user)
    preference_create(  # block 3: outside a run of block 1
        user=resident_user, program=program, person=me, kind="blocked_week", week_start=dt.date(2026, 9, 7)
    )
    anywhere = preference_create(user=resident_user, program=program, person=me, kind="rotation_wish", rotation=wards)
    problem, ids = problem_with_wishes(academic_year=year, blocks=range(1, 2))
    assert ids == (blocked.pk, avoid.pk)  # a wish for any block waits for a run of the whole year
    first, second = problem.preferences
    assert (first.person, first.kind, first.week_start, first.weight) == (
        person_key(me.pk),
        "blocked_week",
        dt.date(2026, 7, 6),
        30,
    )
    assert (second.person, second.kind, second.rotation, second.block, second.weight) == (
        person_key(colleague.pk),
        "rotation_avoid",
        rotation_key(wards.pk),
        1,
        3,
    )
    problem, ids = problem_with_wishes(academic_year=year)
    assert anywhere.pk in ids
    assert problem.preferences[ids.index(anywhere.pk)].block is None


# Pages


def test_my_wishes_page_adds_a_wish_and_shows_only_ones_own(
    client, program, year, me, colleague, resident_user, coordinator
):
    preference_create(user=coordinator, program=program, person=colleague, kind="blocked_week", week_start=BOARDS)
    client.force_login(resident_user)
    response = client.post(
        reverse("my-wishes") + f"?year={year.pk}",
        {"kind": "blocked_week", "week_start": "2027-03-01", "priority": "high", "reason": "My wedding"},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your wish is saved: blocked week, week of 1 Mar 2027." in page
    assert "Week of Mon 1 Mar 2027" in page and "My wedding" in page
    assert "4 Jan 2027" not in page  # the colleague's wish
    assert "Blocked week: 1 of 2" in page


def test_my_wishes_page_says_why_a_wish_cannot_be_added(client, program, year, me, resident_user, coordinator):
    close_window(year, coordinator)
    client.force_login(resident_user)
    page = client.get(reverse("my-wishes")).content.decode()
    assert "closed on" in page and "Add a wish" not in page
    response = client.post(
        reverse("my-wishes"), {"kind": "blocked_week", "week_start": "2027-03-01", "priority": "low"}
    )
    assert "The wish window for 2026-2027 closed on" in response.content.decode()
    assert not Preference.objects.exists()


def test_a_resident_cannot_change_or_withdraw_anothers_wish_through_the_pages(
    client, program, year, me, colleague, resident_user, coordinator
):
    wish = preference_create(
        user=coordinator, program=program, person=colleague, kind="blocked_week", week_start=BOARDS
    )
    client.force_login(resident_user)
    assert client.get(reverse("wish-edit", args=[wish.pk])).status_code == 404
    assert client.post(reverse("wish-withdraw", args=[wish.pk])).status_code == 404
    assert client.get(reverse("wish-overview")).status_code == 403
    wish.refresh_from_db()
    assert wish.status == "active"


def test_coordinator_sees_every_wish_on_the_heat_map_and_enters_one_for_anyone(
    client, program, other_program, year, me, colleague, coordinator, resident_user
):
    preference_create(
        user=resident_user, program=program, person=me, kind="blocked_week", week_start=WEDDING, priority="high"
    )
    stranger = ResidentFactory(program=other_program, first_name="Olga", last_name="Otherprogram")
    client.force_login(coordinator)
    page = client.get(reverse("wish-overview")).content.decode()
    assert "Resident, R." in page and 'class="wish-high wish-blocked"' in page
    assert "Otherprogram" not in page
    response = client.post(
        reverse("wish-overview"),
        {"person": colleague.pk, "kind": "preferred_week", "week_start": "2027-01-04", "priority": "low"},
        follow=True,
    )
    assert "Wish saved for Carl Colleague: preferred week off, week of 4 Jan 2027." in response.content.decode()
    refused = client.post(
        reverse("wish-overview"),
        {"person": stranger.pk, "kind": "preferred_week", "week_start": "2027-01-04", "priority": "low"},
    )
    assert "Select a valid choice" in refused.content.decode()
    assert Preference.objects.filter(person=stranger).count() == 0


# API


def test_api_residents_see_and_enter_their_own_wishes_only(
    api_as, program, other_program, year, me, colleague, resident_user, coordinator
):
    theirs = preference_create(
        user=coordinator, program=program, person=colleague, kind="blocked_week", week_start=BOARDS
    )
    api = api_as(resident_user)
    created = api.post("/api/v1/wishes/", {"kind": "blocked_week", "week_start": "2027-03-01", "priority": "high"})
    assert created.status_code == 201, created.content
    assert (created.data["person"], created.data["weight"], created.data["outcome"]) == (me.pk, 10, None)
    assert [row["id"] for row in api.get("/api/v1/wishes/").data["results"]] == [created.data["id"]]
    assert api.get(f"/api/v1/wishes/{theirs.pk}/").status_code == 404
    for_someone = api.post(
        "/api/v1/wishes/", {"person": colleague.pk, "kind": "blocked_week", "week_start": "2026-12-07"}
    )
    assert for_someone.status_code == 403
    assert for_someone["Content-Type"].startswith("application/problem+json")
    assert "for yourself only" in for_someone.json()["detail"]
    # the coordinator sees both; the other program's coordinator sees nothing
    rows = api_as(coordinator).get("/api/v1/wishes/", {"kind": "blocked_week"}).data["results"]
    assert {row["id"] for row in rows} == {theirs.pk, created.data["id"]}


def test_api_another_programs_coordinator_sees_none_of_the_wishes(
    api_as, member, program, other_program, year, me, resident_user
):
    preference_create(user=resident_user, program=program, person=me, kind="blocked_week", week_start=BOARDS)
    theirs = member(Role.COORDINATOR, other_program)
    response = api_as(theirs, other_program).get("/api/v1/wishes/")
    assert response.status_code == 200 and response.data["results"] == []
    assert api_as(theirs, other_program).get(f"/api/v1/wishes/{Preference.objects.get().pk}/").status_code == 404


def test_api_window_closed_and_withdraw(api_as, program, year, me, resident_user, coordinator):
    wish = preference_create(user=resident_user, program=program, person=me, kind="blocked_week", week_start=BOARDS)
    api = api_as(resident_user)
    changed = api.patch(f"/api/v1/wishes/{wish.pk}/", {"priority": "low", "kind": "preferred_week"})
    assert changed.status_code == 400 and "kind of a wish stays" in str(changed.json())
    close_window(year, coordinator)
    refused = api.delete(f"/api/v1/wishes/{wish.pk}/")
    assert refused.status_code == 400 and "closed on" in refused.json()["detail"]
    assert api_as(coordinator).delete(f"/api/v1/wishes/{wish.pk}/").status_code == 204
    wish.refresh_from_db()
    assert wish.status == "withdrawn"
    assert api.get("/api/v1/wishes/", {"status": "active"}).data["results"] == []


# After a run


def test_after_a_run_each_person_sees_which_wishes_were_granted_and_why_not(client, program, coordinator, member):
    """Six residents all avoid Wards in block 1, which needs two of them: at least two avoids are refused, with
    the staffing need as the reason, on the person's page and on My wishes; the run page shows the shares."""
    year, wards = tiny_program(program, coordinator)
    users = []
    for resident in Person.objects.for_program(program).filter(kind="resident"):
        user = member(Role.RESIDENT)
        resident.user = user
        resident.save()
        users.append((user, resident))
    first_block = block(year, 1)
    for _user, resident in users:
        preference_create(
            user=coordinator, program=program, person=resident, kind="rotation_avoid", rotation=wards, block=first_block
        )
    run = schedule_run_start(
        academic_year=year, user=coordinator, first_block=1, last_block=1, time_limit=20, workers=1, queue=False
    )
    run = schedule_run_execute(run_id=run.pk)
    assert run.status == "succeeded", run.message
    outcomes = run.statistics["wishes"]["outcomes"]
    assert len(outcomes) == 6
    refused = {int(pk): o for pk, o in outcomes.items() if not o["granted"]}
    assert 2 <= len(refused) <= 4
    assert all("Wards in block 1: it needs 2 residents" in o["reason"] for o in refused.values())
    version = ScheduleVersion.objects.get(pk=run.statistics["version_id"])
    schedule_version_publish(version=version, user=coordinator)

    for user, resident in users:
        wish = Preference.objects.get(person=resident)
        client.force_login(user)
        for url in (reverse("my-schedule"), reverse("my-wishes")):
            page = client.get(url).content.decode()
            if wish.pk in refused:
                assert "Not granted" in page and "Wards in block 1: it needs 2 residents" in page, url
            else:
                assert '<span class="badge ok">Granted</span>' in page and "Not granted" not in page, url
    client.force_login(coordinator)
    page = client.get(reverse("run-detail", args=[run.pk])).content.decode()
    assert "Wishes granted" in page and "PGY-1" in page
    assert f"{6 - len(refused)} of 6 wishes granted" in page
    for _user, resident in users:
        share = "0%" if Preference.objects.get(person=resident).pk in refused else "100%"
        assert (
            f'<th scope="row">{resident.full_name}</th><td>1</td><td>{1 if share == "100%" else 0}</td><td>{share}</td>'
            in page
        )

    # A wish changed after the run no longer shows that run's verdict, on the page or in the API.
    user, resident = users[0]
    wish = Preference.objects.get(person=resident)
    preference_change(user=coordinator, preference=wish, priority="high")
    client.force_login(user)
    assert "Changed since the schedule was made" in client.get(reverse("my-wishes")).content.decode()
    api = client.get("/api/v1/wishes/").json()["results"]
    assert [(w["id"], w["outcome"]) for w in api] == [(wish.pk, None)]


def test_changing_a_wish_and_the_window_on_the_pages(client, program, year, me, resident_user, coordinator):
    wish = preference_create(user=resident_user, program=program, person=me, kind="blocked_week", week_start=WEDDING)
    client.force_login(resident_user)
    response = client.post(
        reverse("wish-edit", args=[wish.pk]),
        {"kind": "preferred_week", "week_start": "2027-03-08", "priority": "low", "reason": "Moved"},
        follow=True,
    )
    assert "The wish is changed." in response.content.decode()
    wish.refresh_from_db()
    assert (wish.kind, wish.week_start, wish.priority) == ("blocked_week", dt.date(2027, 3, 8), "low")  # kind stays
    client.force_login(coordinator)
    response = client.post(
        reverse("wish-window") + f"?year={year.pk}",
        {"opens_on": "2026-11-01", "closes_on": "2026-10-01"},
        follow=True,
    )
    assert "closes (1 Oct 2026) before it opens (1 Nov 2026)" in response.content.decode()
    response = client.post(
        reverse("wish-window") + f"?year={year.pk}",
        {"opens_on": "2026-11-01", "closes_on": "2026-11-30", "rotation_wish_limit": "1"},
        follow=True,
    )
    assert "The wish window for 2026-2027 is saved." in response.content.decode()
    window = WishWindow.objects.get(academic_year=year)
    assert (window.closes_on, window.rotation_wish_limit, window.blocked_week_limit) == (dt.date(2026, 11, 30), 1, None)


def test_faculty_are_offered_week_wishes_only(client, program, year, member):
    user = member(Role.FACULTY)
    FacultyFactory(program=program, user=user)
    client.force_login(user)
    page = client.get(reverse("my-wishes")).content.decode()
    assert 'value="blocked_week"' in page and 'value="rotation_wish"' not in page
    assert "Blocked week: 0" in page and "Rotation wish:" not in page  # no limits of wishes they cannot make


def test_the_heat_map_reads_wishes_in_a_fixed_number_of_queries(
    client, program, year, coordinator, django_assert_max_num_queries
):
    wards = RotationTemplateFactory(program=program, name="Wards")
    for i in range(12):
        person = ResidentFactory(program=program, pgy=1 + i % 3)
        preference_create(
            user=coordinator, program=program, person=person, kind="blocked_week", week_start=WEDDING, priority="high"
        )
        preference_create(
            user=coordinator,
            program=program,
            person=person,
            kind="rotation_avoid",
            rotation=wards,
            block=block(year, 3),
        )
    client.force_login(coordinator)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("wish-overview"))
    page = response.content.decode()
    assert page.count('class="wish-high wish-blocked"') == 12
    assert page.count(f"−{wards.abbreviation}</span>") == 12  # block 3's column of the rotations table


def test_api_filters_wishes_and_documents_them(api_as, client, program, year, me, colleague, coordinator):
    wards = RotationTemplateFactory(program=program, name="Wards")
    preference_create(user=coordinator, program=program, person=me, kind="blocked_week", week_start=CONFERENCE)
    late = preference_create(user=coordinator, program=program, person=me, kind="preferred_week", week_start=WEDDING)
    avoid = preference_create(
        user=coordinator, program=program, person=colleague, kind="rotation_avoid", rotation=wards, block=block(year, 4)
    )
    api = api_as(coordinator)
    ids = lambda **query: [row["id"] for row in api.get("/api/v1/wishes/", query).data["results"]]  # noqa: E731
    assert ids(week_from="2027-01-01") == [late.pk]
    assert ids(person=colleague.pk) == [avoid.pk]
    assert ids(block=4, kind="rotation_avoid") == [avoid.pk]
    bad = api.get("/api/v1/wishes/", {"week_from": "someday"})
    assert bad.status_code == 400 and "week_from" in bad.json()["errors"]
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/wishes/{id}/" in schema and "Withdraw a wish" in schema


def test_withdrawing_in_place_answers_the_list_item_withdrawn_or_with_the_refusal(
    client, program, year, me, resident_user, coordinator
):
    kept = preference_create(user=resident_user, program=program, person=me, kind="blocked_week", week_start=BOARDS)
    gone = preference_create(user=resident_user, program=program, person=me, kind="blocked_week", week_start=WEDDING)
    client.force_login(resident_user)
    item = client.post(reverse("wish-withdraw", args=[gone.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert f'id="wish-{gone.pk}"' in item and "Withdrawn" in item and "<html" not in item
    close_window(year, coordinator)
    item = client.post(reverse("wish-withdraw", args=[kept.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'role="alert"' in item and "closed on" in item and "Withdraw</button>" in item
    assert Preference.objects.get(pk=kept.pk).status == "active"


def test_a_coordinator_sets_the_priority_weights_on_the_wishes_page(client, program, year, resident_user, coordinator):
    def stored():
        return wish_settings(Organization.objects.get(pk=program.pk))

    client.force_login(coordinator)
    url = reverse("wish-weights") + f"?year={year.pk}"

    response = client.post(url, {"high": "20", "medium": "8", "low": "1"}, follow=True)

    body = response.content.decode()
    assert "The priority weights are saved" in body and "Weights: high 20, medium 8, low 1" in body
    assert stored().weight("high") == 20

    refused = client.post(url, {"high": "3", "medium": "8", "low": "1"}, follow=True).content.decode()
    assert "high must weigh at least medium" in refused
    assert (stored().high, stored().medium) == (20, 8)  # nothing stored
    out_of_range = client.post(url, {"high": "500", "medium": "8", "low": "1"}, follow=True).content.decode()
    assert "High: Ensure this value is less than or equal to 100." in out_of_range

    client.force_login(resident_user)
    assert client.post(url, {"high": "1", "medium": "1", "low": "1"}).status_code == 403
    assert stored().high == 20
