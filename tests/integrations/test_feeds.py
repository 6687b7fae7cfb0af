"""ICS feeds on secret tokens: content, stable UIDs across publications, caching, reset and the API."""

import datetime as dt
import importlib

import icalendar
import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from guardian.models import UserObjectPermission

from absences.models import Absence
from integrations.feeds.models import FeedToken
from integrations.feeds.tokens import feed_link_context, feed_token_get_or_create, feed_token_reset
from scheduling.models import BlockAssignment, CallAssignment, ScheduleVersion, SessionAssignment
from scheduling.services import schedule_version_publish
from tenants.models import Membership, Role, User
from tenants.ownership import owner_may
from tests.absences.factories import AbsenceFactory
from tests.scheduling import export_data
from tests.scheduling.factories import AcademicYearFactory, BlockAssignmentFactory, BlockFactory
from tests.tenants.factories import MembershipFactory, ProgramFactory


@pytest.fixture
def cast(program, resident_user):
    return export_data.build(program, ann_user=resident_user)


@pytest.fixture
def ann_url(cast, program):
    token = feed_token_get_or_create(program=program, person=cast.ann)
    return reverse("feed-person", kwargs={"token": token.token})


def _calendar(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def _events(cal) -> dict[str, icalendar.Event]:
    return {str(event["SUMMARY"]): event for event in cal.walk("VEVENT")}


def test_person_feed_has_timezone_blocks_merged_sessions_and_calls(client, cast, ann_url, program):
    response = client.get(ann_url)
    cal = _calendar(response)
    assert [tz.tz_name for tz in cal.timezones] == ["America/New_York"]
    assert str(cal["X-WR-CALNAME"]) == f"Ann Able · {program.name}"
    events = _events(cal)
    assert set(events) == {
        "Block 1: Inpatient medicine",
        "Block 2: Family clinic",
        "Inpatient",
        "Clinic (AM)",
        "In-house call",
    }
    inpatient = events["Inpatient"]  # AM and PM of the same activity: one event, 07:00-17:00 local
    assert inpatient.start == export_data.local(program, cast.day, 7)
    assert inpatient.end == export_data.local(program, cast.day, 17)
    assert inpatient["DTSTART"].params["TZID"] == "America/New_York"
    call = events["In-house call"]
    assert (call.start, call.end) == (
        export_data.local(program, cast.day, 17),
        export_data.local(program, cast.day + dt.timedelta(days=1), 8),
    )
    block = events["Block 1: Inpatient medicine"]
    first = cast.year.blocks.get(number=1)
    assert (block.start, block.end) == (first.start_date, first.end_date + dt.timedelta(days=1))
    assert all(event.get("DTSTAMP") for event in events.values())
    assert "Ben" not in response.content.decode()
    assert response["Cache-Control"] == "private, max-age=900"
    assert response["ETag"] and response["Last-Modified"]


def test_program_feed_lists_everyones_calls_and_holidays(client, cast, program, coordinator):
    token = feed_token_get_or_create(program=program, user=coordinator)
    events = _events(_calendar(client.get(reverse("feed-program", kwargs={"token": token.token}))))
    assert set(events) == {"In-house call: Ann Able", "Founders Day"}
    assert events["Founders Day"].start == cast.holiday


def test_republished_schedule_keeps_uids_moves_changed_events_and_drops_removed_ones(client, cast, ann_url, program):
    before = _events(_calendar(client.get(ann_url)))
    draft = export_data.version_of(cast.year, 2, status=ScheduleVersion.Status.DRAFT)
    export_data.fill(draft, cast, call_hour=19)
    SessionAssignment.objects.filter(version=draft, person=cast.ann, date=cast.day + dt.timedelta(days=1)).delete()
    schedule_version_publish(version=draft, user=None)

    after = _events(_calendar(client.get(ann_url)))
    assert "Clinic (AM)" not in after
    assert set(after) == set(before) - {"Clinic (AM)"}
    assert {name: str(e["UID"]) for name, e in after.items()} == {
        name: str(e["UID"]) for name, e in before.items() if name != "Clinic (AM)"
    }
    assert after["In-house call"].start == export_data.local(program, cast.day, 19)


def test_feed_shows_only_the_published_version_of_this_and_next_year(client, cast, ann_url, program):
    draft = export_data.version_of(cast.year, 2, status=ScheduleVersion.Status.DRAFT)
    CallAssignment.objects.create(
        program=program,
        version=draft,
        person=cast.ann,
        kind=CallAssignment.Kind.HOME,
        start=export_data.local(program, cast.day, 20),
        end=export_data.local(program, cast.day + dt.timedelta(days=1), 7),
    )
    start = cast.year.end_date + dt.timedelta(days=1)
    end = dt.date(start.year + 1, 6, 30)
    following = AcademicYearFactory(program=program, name=f"{start.year}-{end.year}", start_date=start, end_date=end)
    block = BlockFactory(academic_year=following, number=1)
    BlockAssignmentFactory(
        version=export_data.version_of(following, 1), block=block, person=cast.ann, rotation=cast.clinic
    )
    summaries = [str(e["SUMMARY"]) for e in _calendar(client.get(ann_url)).walk("VEVENT")]
    assert "Home call" not in summaries
    assert summaries.count("Block 1: Family clinic") == 1 and summaries.count("Block 1: Inpatient medicine") == 1


def test_unknown_or_mismatched_token_is_a_bare_404(client, cast, ann_url, program):
    for url in (
        reverse("feed-person", kwargs={"token": "no-such-token"}),
        reverse("feed-program", kwargs={"token": ann_url.rsplit("/", 1)[1].removesuffix(".ics")}),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert response.content == b"Not found"
        assert response["Content-Type"].startswith("text/plain")


def test_conditional_requests_get_304(client, cast, ann_url):
    first = client.get(ann_url)
    again = client.get(ann_url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert client.get(ann_url, headers={"if-modified-since": first["Last-Modified"]}).status_code == 304
    assert client.get(ann_url, headers={"if-none-match": '"stale"'}).status_code == 200


def test_owner_resets_the_feed_from_the_page_and_the_old_address_stops(client, cast, ann_url, resident_user):
    client.force_login(resident_user)
    response = client.post(reverse("feed-reset") + f"?person={cast.ann.pk}", {"next": "/me/"})
    assert response.status_code == 302 and response.url == "/me/"
    assert client.get(ann_url).status_code == 404
    new = feed_token_get_or_create(program=cast.ann.program, person=cast.ann)
    assert client.get(reverse("feed-person", kwargs={"token": new.token})).status_code == 200
    assert new.regenerated_at is not None


def test_reset_is_refused_for_someone_elses_feed(client, cast, member, program, other_program):
    client.force_login(member(Role.RESIDENT))
    assert client.post(reverse("feed-reset") + f"?person={cast.ann.pk}").status_code == 403
    assert client.post(reverse("feed-reset") + "?program=1").status_code == 403
    client.force_login(member(Role.COORDINATOR, in_program=other_program))
    assert client.post(reverse("feed-reset") + f"?person={cast.ann.pk}").status_code == 404


def test_feed_link_context_is_for_the_owner_and_managers(cast, resident_user, coordinator, member, program):
    link = feed_link_context(user=resident_user, person=cast.ann)
    assert link["feed_path"].startswith("/feeds/person/") and link["can_reset"]
    assert feed_link_context(user=coordinator, person=cast.ann)["feed_path"] == link["feed_path"]
    assert feed_link_context(user=member(Role.RESIDENT), person=cast.ann) == {}
    assert feed_link_context(user=member(Role.FACULTY), person=cast.ann) == {}


def test_feed_link_partial_shows_copyable_and_webcal_addresses(cast, resident_user):
    request = RequestFactory().get("/me/", HTTP_HOST="testserver")
    request.user = resident_user
    feed = feed_link_context(user=resident_user, person=cast.ann)
    html = render_to_string("integrations/_feed_link.html", {"feed": feed}, request=request)
    assert f'value="http://testserver{feed["feed_path"]}"' in html
    assert f'href="webcal://testserver{feed["feed_path"]}"' in html
    assert f'action="{feed["reset_url"]}"' in html and 'data-confirm="Make a new feed address?' in html
    assert render_to_string("integrations/_feed_link.html", {"feed": {}}, request=request).strip() == ""


def test_feed_token_reset_service_refuses_a_person_of_another_program(cast, coordinator, other_program):
    from tenants.errors import DomainError

    with pytest.raises(DomainError):
        feed_token_reset(user=coordinator, program=other_program, person=cast.ann)


# Who answers for a feed: it stops when they leave


def _get(client, token) -> int:
    name = "feed-person" if token.person_id else "feed-program"
    return client.get(reverse(name, kwargs={"token": token.token})).status_code


def test_person_feed_stops_when_the_owners_membership_is_deleted(client, cast, ann_url, resident_user, program):
    assert client.get(ann_url).status_code == 200
    Membership.objects.filter(user=resident_user, organization=program).delete()
    assert client.get(ann_url).status_code == 404


def test_person_feed_stops_when_the_owner_is_deactivated(client, cast, ann_url, resident_user):
    assert client.get(ann_url).status_code == 200
    resident_user.is_active = False
    resident_user.save(update_fields=["is_active"])
    assert client.get(ann_url).status_code == 404


def test_person_feed_stops_when_the_person_is_inactive(client, cast, ann_url):
    cast.ann.is_active = False
    cast.ann.save(update_fields=["is_active"])
    assert client.get(ann_url).status_code == 404


def test_person_feed_lives_on_an_institution_membership(client, cast, ann_url, resident_user, program):
    MembershipFactory(user=resident_user, organization=program.parent, role=Role.RESIDENT)
    Membership.objects.filter(user=resident_user, organization=program).delete()
    assert client.get(ann_url).status_code == 200
    Membership.objects.filter(user=resident_user).delete()
    assert client.get(ann_url).status_code == 404


def test_person_feed_stops_when_the_owner_joins_only_another_program(client, cast, ann_url, resident_user, program):
    MembershipFactory(user=resident_user, organization=ProgramFactory(), role=Role.RESIDENT)
    Membership.objects.filter(user=resident_user, organization=program).delete()
    assert client.get(ann_url).status_code == 404


def test_feed_of_a_person_without_login_belongs_to_the_manager_who_made_it(client, cast, coordinator, program):
    token = feed_token_get_or_create(program=program, person=cast.ben, user=coordinator)
    assert _get(client, token) == 200
    Membership.objects.filter(user=coordinator).update(role=Role.RESIDENT)
    assert _get(client, token) == 404


def test_feed_of_a_person_without_login_made_by_nobody_answers_404(client, cast, program):
    assert _get(client, feed_token_get_or_create(program=program, person=cast.ben)) == 404


def test_program_feed_stops_when_its_maker_leaves_and_passes_to_the_next_manager(
    client, cast, coordinator, program_admin, program
):
    token = feed_token_get_or_create(program=program, user=coordinator)
    assert _get(client, token) == 200
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])
    assert _get(client, token) == 404

    handed = feed_token_get_or_create(program=program, user=program_admin)
    assert handed.pk == token.pk and handed.token != token.token and handed.created_by == program_admin
    assert _get(client, token) == 404 and _get(client, handed) == 200
    assert handed.history.latest().history_user == program_admin


def test_program_feed_stops_when_its_maker_loses_the_manager_role(client, cast, coordinator, program):
    token = feed_token_get_or_create(program=program, user=coordinator)
    Membership.objects.filter(user=coordinator).update(role=Role.FACULTY)
    assert _get(client, token) == 404
    demoted = User.objects.get(pk=coordinator.pk)  # a new request: roles are cached on the user object
    assert feed_token_get_or_create(program=program, user=demoted).token == token.token  # no longer theirs to take


def test_the_move_from_scheduling_keeps_existing_feeds_and_their_owners_rights(client, cast, ann_url, resident_user):
    """feeds/0001 relabels the content types in place: rights given under scheduling's label follow the row."""
    move = importlib.import_module("integrations.feeds.migrations.0001_initial")
    token = FeedToken.objects.get(person=cast.ann)
    rights = UserObjectPermission.objects.filter(object_pk=str(token.pk), user=resident_user)
    move._relabel("feeds", "scheduling")(apps, None)  # as on a database migrated before the move
    assert {right.content_type.app_label for right in rights.all()} == {"scheduling"}

    move._relabel("scheduling", "feeds")(apps, None)

    assert {right.content_type.app_label for right in rights.all()} == {"feeds"} and rights.count() == 3
    assert not ContentType.objects.filter(app_label="scheduling", model__in=move.MOVED).exists()
    assert owner_may(User.objects.get(pk=resident_user.pk), "change", token)
    assert client.get(ann_url).status_code == 200


def test_reset_is_in_the_feeds_history_with_who_and_without_the_secret(cast, coordinator, resident_user, program):
    token = feed_token_get_or_create(program=program, person=cast.ann, user=resident_user)
    old = token.token
    feed_token_reset(user=coordinator, program=program, person=cast.ann)

    latest = token.history.latest()
    assert latest.history_user == coordinator and latest.history_type == "~"
    assert latest.history_change_reason == "Feed address reset"
    assert latest.regenerated_at is not None
    assert [row.history_type for row in token.history.order_by("history_id")] == ["+", "~"]
    assert not hasattr(latest, "token") and "token" not in {f.name for f in type(latest)._meta.fields}
    assert old != FeedToken.objects.get(pk=token.pk).token


def test_reset_through_the_api_names_the_user_in_the_history(api_as, cast, resident_user):
    api_as(resident_user).post("/api/v1/feed-tokens/reset/", {"person": cast.ann.pk}, format="json")
    token = FeedToken.objects.get(person=cast.ann)
    assert token.history.latest().history_user == resident_user


# API


def test_api_lists_own_feed_and_program_feed_for_managers(api_as, cast, resident_user, coordinator):
    body = api_as(resident_user).get("/api/v1/feed-tokens/").json()
    assert [(row["kind"], row["person"]) for row in body] == [("person", cast.ann.pk)]
    assert body[0]["feed_url"].startswith("http://testserver/feeds/person/")
    assert body[0]["webcal_url"].startswith("webcal://testserver/feeds/person/")
    rows = api_as(coordinator).get("/api/v1/feed-tokens/").json()
    assert [row["kind"] for row in rows] == ["program"]


def test_api_reset_works_for_the_owner(api_as, client, cast, ann_url, resident_user):
    response = api_as(resident_user).post("/api/v1/feed-tokens/reset/", {"person": cast.ann.pk}, format="json")
    assert response.status_code == 200
    new_url = response.json()["feed_url"]
    assert client.get(ann_url).status_code == 404
    assert client.get(new_url.removeprefix("http://testserver")).status_code == 200


def test_api_reset_is_refused_for_another_residents_feed(api_as, cast, member, other_program):
    other = member(Role.RESIDENT)
    response = api_as(other).post("/api/v1/feed-tokens/reset/", {"person": cast.ann.pk}, format="json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert api_as(other).post("/api/v1/feed-tokens/reset/", {"program": True}, format="json").status_code == 403
    outsider = member(Role.COORDINATOR, in_program=other_program)
    response = api_as(outsider, other_program).post("/api/v1/feed-tokens/reset/", {"person": cast.ann.pk})
    assert response.status_code == 404


def test_api_reset_needs_exactly_one_feed(api_as, coordinator, cast):
    response = api_as(coordinator).post("/api/v1/feed-tokens/reset/", {}, format="json")
    assert response.status_code == 400
    assert "Name one feed" in str(response.json()["errors"])
    assert api_as(coordinator).post("/api/v1/feed-tokens/reset/", {"program": True}, format="json").status_code == 200


def test_api_schema_documents_the_feed_endpoints(api_client):
    schema = api_client.get("/api/schema/").content.decode()
    assert "/api/v1/feed-tokens/reset/" in schema and "Reset a calendar feed" in schema


# Admin


def test_admin_lists_feed_tokens_without_secrets_and_resets_them(client, coordinator, cast, ann_url, program):
    token = feed_token_get_or_create(program=program, person=cast.ann)
    client.force_login(coordinator)
    changelist = reverse("admin:feeds_feedtoken_changelist")
    page = client.get(changelist)
    assert page.status_code == 200 and "Ann Able" in page.content.decode()
    assert token.token not in page.content.decode()
    response = client.post(changelist, {"action": "reset_tokens", "_selected_action": [token.pk]})
    assert response.status_code == 302
    assert client.get(ann_url).status_code == 404


def test_a_built_feed_is_served_from_the_cache_until_something_it_shows_changes(
    client, cast, ann_url, program, django_assert_max_num_queries
):
    first = client.get(ann_url)
    with django_assert_max_num_queries(8):  # the token, who holds it, the versions: no schedule read
        again = client.get(ann_url)
    assert again.content == first.content and again["ETag"] == first["ETag"]

    # An approved absence (leave wins), a renamed person, an edited published block: each shows at once.
    AbsenceFactory(
        program=program, person=cast.ann, start_date=cast.day, end_date=cast.day, status=Absence.Status.APPROVED
    )
    after_leave = client.get(ann_url)
    assert after_leave["ETag"] != first["ETag"] and "Inpatient" not in _events(_calendar(after_leave))
    cast.ann.first_name = "Annie"
    cast.ann.save()
    assert str(_calendar(client.get(ann_url))["X-WR-CALNAME"]).startswith("Annie Able")
    block = BlockAssignment.objects.get(version=cast.version, person=cast.ann, block__number=2)
    block.rotation = cast.inpatient
    block.save()
    assert "Block 2: Inpatient medicine" in _events(_calendar(client.get(ann_url)))


def test_the_cache_never_mixes_two_peoples_feeds(client, cast, ann_url, program, coordinator):
    ben_token = feed_token_get_or_create(program=program, person=cast.ben, user=coordinator)
    client.get(ann_url)
    ben = client.get(reverse("feed-person", kwargs={"token": ben_token.token})).content.decode()
    assert "Ben Baker" in ben and "Ann Able" not in ben
