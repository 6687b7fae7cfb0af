"""The swaps API: the life cycle (request, accept, approve, roll back), its refusals as problem+json with the field
or the rule named, and tenancy (nobody sees or acts on another program's swaps)."""

import datetime as dt

import pytest

from scheduling.models import CallAssignment, SessionAssignment
from swaps.models import Swap
from tests.swaps.factories import add_call, call_nights, continuity_day, rows_of, swap_world

pytestmark = pytest.mark.django_db

URL = "/api/v1/swaps/"
PROBLEM = "application/problem+json"
Activity = SessionAssignment.Activity


def clinic_leg(day: dt.date, **people) -> dict:
    """A continuity clinic afternoon, as a leg of the API."""
    return {"shift": "session", "date": day.isoformat(), "session": "PM", **{k: v.pk for k, v in people.items()}}


def call_leg(night: dt.date, **people) -> dict:
    return {"shift": "call", "date": night.isoformat(), **{k: v.pk for k, v in people.items()}}


def is_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    return response.json()


def nothing_swapped(world) -> bool:
    return not SessionAssignment.objects.filter(version=world.version, source="swap").exists()


@pytest.fixture
def ann_clinic(world) -> dt.date:
    """The first Wednesday afternoon Ann (on wards) spends in her continuity clinic."""
    return continuity_day(world, world.ann)


def giveaway(world, api_as, day: dt.date, *, reason: str = "Daughter's school play") -> dict:
    """Ann gives her continuity clinic afternoon of `day` to Cleo through the API; the swap as answered."""
    body = {"kind": "giveaway", "legs": [clinic_leg(day, taker=world.cleo)], "reason": reason}
    response = api_as(world.user("ann")).post(URL, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def posting(world, api_as, night: dt.date, who: str = "ann") -> dict:
    """`who` posts their call night to the marketplace through the API."""
    body = {"kind": "posting", "legs": [call_leg(night)], "reason": "Conference travel"}
    response = api_as(world.user(who), in_program=world.program).post(URL, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_the_whole_life_cycle_through_the_api(world, api_as, ann_clinic):
    before = rows_of(world.version, [world.ann, world.cleo])

    created = giveaway(world, api_as, ann_clinic)
    accepted = api_as(world.user("cleo")).post(f"{URL}{created['id']}/accept/", {}, format="json")
    approved = api_as(world.coordinator).post(f"{URL}{created['id']}/approve/", {"note": "Fine"}, format="json")

    assert (created["status"], created["kind"], created["reason"]) == ("pending", "giveaway", "Daughter's school play")
    leg = created["legs"][0]
    assert (leg["giver"], leg["taker"], leg["shift"], leg["session"]) == (world.ann.pk, world.cleo.pk, "session", "PM")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted", accepted.content
    body = approved.json()
    assert approved.status_code == 200 and body["status"] == "executed", body
    assert body["executed_at"] and body["decided_at"] and body["proof"]["ok"] is True
    cleo = SessionAssignment.objects.get(version=world.version, person=world.cleo, date=ann_clinic, session="PM")
    assert (cleo.activity, cleo.source, cleo.swap_id) == (Activity.CLINIC, "swap", created["id"])
    assert rows_of(world.version, [world.ann, world.cleo]) != before

    rolled = api_as(world.coordinator).post(
        f"{URL}{created['id']}/rollback/", {"reason": "Ann's plans changed"}, format="json"
    )

    assert rolled.status_code == 200 and rolled.json()["status"] == "rolled_back", rolled.content
    assert rolled.json()["rollback_reason"] == "Ann's plans changed"
    assert rows_of(world.version, [world.ann, world.cleo]) == before
    detail = api_as(world.user("ann")).get(f"{URL}{created['id']}/").json()
    stamps = ("submitted_at", "accepted_at", "decided_at", "executed_at", "rolled_back_at")
    assert all(detail[stamp] for stamp in stamps), detail


def heavy_weeks(world, *, hours: float) -> dt.date:
    """Ann (on wards, in-house call on Mondays) also takes home calls on Sunday, Tuesday and Thursday nights of
    the block, each with `hours` worked; Ben has a home call on the block's second Friday, worked 12 hours, which
    he would give away. With 8 hours a night Ann stays just within 80 hours a week over four weeks; Ben's night
    would put her over. Returns the Friday."""
    days = [world.block.start_date + dt.timedelta(days=n) for n in range(28)]
    for night in (day for day in days if day.weekday() in (6, 1, 3)):
        add_call(world.version, world.ann, night, CallAssignment.Kind.HOME)
    friday = [day for day in days if day.weekday() == 4][1]
    add_call(world.version, world.ben, friday, CallAssignment.Kind.HOME)
    CallAssignment.objects.filter(version=world.version, kind=CallAssignment.Kind.HOME, person=world.ben).update(
        worked_hours=12
    )
    more_home_work(world, hours)
    return friday


def more_home_work(world, hours: float) -> None:
    CallAssignment.objects.filter(version=world.version, kind=CallAssignment.Kind.HOME, person=world.ann).update(
        worked_hours=hours
    )


def test_a_swap_that_would_push_the_taker_over_80_hours_is_refused_and_changes_nothing(world, api_as):
    friday = heavy_weeks(world, hours=8)
    before = rows_of(world.version, [world.ann, world.ben])
    body = {"kind": "giveaway", "legs": [call_leg(friday, taker=world.ann)], "reason": "Sister's wedding"}

    response = api_as(world.user("ben")).post(URL, body, format="json")

    problem = is_problem(response, 400)
    assert "Duty hours over the weekly limit, averaged over 4 weeks (ACGME 6.20)" in problem["detail"], problem
    assert "Ann Resident" in problem["detail"] and "against a limit of 80 h" in problem["detail"]
    assert problem["code"] == "swap_breach"
    [finding] = problem["findings"]
    assert (finding["person"], finding["rule"], finding["clause"]) == (world.ann.pk, "weekly_hours", "6.20")
    assert not Swap.objects.exists()
    assert rows_of(world.version, [world.ann, world.ben]) == before


def test_a_taker_the_swap_would_push_over_80_hours_is_never_proposed_and_cannot_claim_it(world, api_as):
    """Ben's night is proposed to Ann only as a trade (she hands one of her calls back); she cannot claim it."""
    friday = heavy_weeks(world, hours=8)
    ben, ann = api_as(world.user("ben")), api_as(world.user("ann"))

    proposals = ben.get(f"{URL}proposals/", {"shift": "call", "date": friday})
    posted = posting(world, api_as, friday, who="ben")
    before = rows_of(world.version, [world.ann, world.ben])
    market = ann.get(f"{URL}marketplace/").json()
    claim = ann.post(f"{URL}{posted['id']}/accept/", {}, format="json")

    assert proposals.status_code == 200, proposals.content
    to_ann = [p for p in proposals.json() if p["taker"] == world.ann.pk]
    assert all(p["kind"] == "trade" and p["return_shift"] for p in to_ann), to_ann  # only if she hands a call back
    assert [(e["swap"]["id"], e["compatible"]) for e in market] == [(posted["id"], False)]
    assert market[0]["blocking_rule"].startswith("Duty hours over the weekly limit"), market
    assert "Duty hours over the weekly limit" in is_problem(claim, 400)["detail"]
    assert Swap.objects.get(pk=posted["id"]).legs.get().taker is None
    assert rows_of(world.version, [world.ann, world.ben]) == before


def test_an_approval_the_schedule_no_longer_allows_is_refused_and_changes_nothing(world, api_as):
    """Ann accepted Ben's night while her weeks were light; by the time the coordinator approves, her home calls
    have grown and Ben's night would put her over 80 hours: the re-check refuses it, naming the rule."""
    friday = heavy_weeks(world, hours=2)
    body = {"kind": "giveaway", "legs": [call_leg(friday, taker=world.ann)], "reason": "Sister's wedding"}
    created = api_as(world.user("ben")).post(URL, body, format="json")
    assert created.status_code == 201, created.content
    swap_id = created.json()["id"]
    accepted = api_as(world.user("ann")).post(f"{URL}{swap_id}/accept/", {}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted", accepted.content
    more_home_work(world, 8)
    before = rows_of(world.version, [world.ann, world.ben])

    response = api_as(world.coordinator).post(f"{URL}{swap_id}/approve/", {"note": "Fine"}, format="json")

    problem = is_problem(response, 400)
    assert "Duty hours over the weekly limit" in problem["detail"] and "Ann Resident" in problem["detail"], problem
    assert Swap.objects.get(pk=swap_id).status == "accepted"
    assert rows_of(world.version, [world.ann, world.ben]) == before


def test_an_expired_posting_cannot_be_accepted(world, api_as):
    posted = posting(world, api_as, call_nights(world, world.ann)[1])
    Swap.objects.filter(pk=posted["id"]).update(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))

    response = api_as(world.user("ben")).post(f"{URL}{posted['id']}/accept/", {}, format="json")

    problem = is_problem(response, 409)
    assert "expired" in problem["detail"], problem
    assert Swap.objects.get(pk=posted["id"]).legs.get().taker is None
    assert nothing_swapped(world)


def test_a_resident_cannot_approve_their_own_swap(world, api_as, ann_clinic):
    created = giveaway(world, api_as, ann_clinic)
    api_as(world.user("cleo")).post(f"{URL}{created['id']}/accept/", {}, format="json")

    for who in ("ann", "cleo"):
        problem = is_problem(api_as(world.user(who)).post(f"{URL}{created['id']}/approve/", {}, format="json"), 403)
        assert problem["detail"]

    assert Swap.objects.get(pk=created["id"]).status == "accepted"
    assert nothing_swapped(world)


def test_nobody_sees_another_programs_postings(world, other_world, api_as):
    theirs = posting(other_world, api_as, call_nights(other_world, other_world.ann)[1])
    ours = posting(world, api_as, call_nights(world, world.ann)[1])
    ben = api_as(world.user("ben"))

    listed = [row["id"] for row in ben.get(URL).json()["results"]]
    market = [entry["swap"]["id"] for entry in ben.get(f"{URL}marketplace/").json()]

    assert listed == [ours["id"]] and market == [ours["id"]]
    is_problem(ben.get(f"{URL}{theirs['id']}/"), 404)
    is_problem(ben.post(f"{URL}{theirs['id']}/accept/", {}, format="json"), 404)
    is_problem(api_as(world.coordinator).get(f"{URL}{theirs['id']}/"), 404)
    is_problem(api_as(world.coordinator).post(f"{URL}{theirs['id']}/approve/", {}, format="json"), 404)
    is_problem(api_as(world.user("ben"), in_program=other_world.program).get(URL), 403)
    assert Swap.objects.get(pk=theirs["id"]).legs.get().taker is None


def test_residents_see_their_own_swaps_and_open_postings_coordinators_all(world, api_as, ann_clinic):
    created = giveaway(world, api_as, ann_clinic)
    night = call_nights(world, world.ben)[1]
    posted = posting(world, api_as, night, who="ben")

    def ids(user, query: str = "") -> set[int]:
        response = api_as(user).get(f"{URL}{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(world.user("dan")) == {posted["id"]}
    assert ids(world.user("cleo")) == {created["id"], posted["id"]}
    assert ids(world.user("cleo"), "?mine=true") == {created["id"]}
    assert ids(world.user("ben"), "?mine=false") == set()
    assert ids(world.coordinator) == {created["id"], posted["id"]}
    assert ids(world.coordinator, "?kind=posting") == {posted["id"]}
    assert ids(world.coordinator, f"?person={world.cleo.pk}") == {created["id"]}
    assert ids(world.coordinator, f"?date_from={max(night, ann_clinic)}") == {
        posted["id"] if night > ann_clinic else created["id"]
    }
    assert ids(world.coordinator, f"?date_to={min(night, ann_clinic)}") == {
        created["id"] if night > ann_clinic else posted["id"]
    }
    assert ids(world.coordinator, "?status=executed") == set()
    assert ids(world.coordinator, "?status=pending&status=accepted") == {created["id"], posted["id"]}
    is_problem(api_as(world.user("dan")).get(f"{URL}{created['id']}/"), 404)
    assert "status" in is_problem(api_as(world.coordinator).get(f"{URL}?status=lost"), 400)["errors"]


def test_list_reads_a_fixed_number_of_queries(world, api_as, ann_clinic, django_assert_max_num_queries):
    giveaway(world, api_as, ann_clinic)
    giveaway(world, api_as, continuity_day(world, world.ann, after=ann_clinic))
    posting(world, api_as, call_nights(world, world.ben)[1], who="ben")
    client = api_as(world.coordinator)

    with django_assert_max_num_queries(10):
        response = client.get(URL)

    assert response.status_code == 200 and len(response.json()["results"]) == 3


@pytest.mark.parametrize(
    ("leg", "field"),
    [
        ({"shift": "night_shift"}, "shift"),
        ({"date": "2099-01-06"}, "date"),
        ({"date": "6 January"}, "date"),
        ({"session": "noon"}, "session"),
        ({"session": ""}, "session"),
        ({"taker": 999999}, "taker"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_stored(world, api_as, ann_clinic, leg, field):
    body = {"kind": "giveaway", "legs": [clinic_leg(ann_clinic, taker=world.cleo) | leg]}

    problem = is_problem(api_as(world.user("ann")).post(URL, body, format="json"), 400)

    assert field in problem["errors"]["legs"]["0"], problem
    assert not Swap.objects.exists()


def test_someone_elses_shift_is_refused_with_the_field_named(world, api_as):
    """Ben names Ann's call night as his own to post."""
    body = {"kind": "posting", "legs": [call_leg(call_nights(world, world.ann)[1])]}

    problem = is_problem(api_as(world.user("ben")).post(URL, body, format="json"), 400)

    assert "Ben Resident has no call" in problem["errors"]["legs"]["0"]["date"][0], problem
    assert not Swap.objects.exists()


def test_a_person_of_another_program_is_refused_with_the_field_named(world, other_world, api_as, ann_clinic):
    body = {"kind": "giveaway", "legs": [clinic_leg(ann_clinic, taker=other_world.cleo)]}

    problem = is_problem(api_as(world.user("ann")).post(URL, body, format="json"), 400)

    assert "taker" in problem["errors"]["legs"]["0"]
    assert not Swap.objects.exists()


def test_a_resident_cannot_give_away_another_persons_shift(world, api_as, ann_clinic):
    body = {"kind": "giveaway", "legs": [clinic_leg(ann_clinic, giver=world.ann, taker=world.cleo)]}

    problem = is_problem(api_as(world.user("ben")).post(URL, body, format="json"), 403)

    assert "your own" in problem["detail"]
    assert not Swap.objects.exists()


def test_malformed_json_and_a_bad_kind_are_refused(world, api_as, ann_clinic):
    client = api_as(world.user("ann"))

    broken = client.post(URL, '{"kind": "giveaway", "legs": [', content_type="application/json")
    unknown_kind = client.post(URL, {"kind": "lottery", "legs": [clinic_leg(ann_clinic)]}, format="json")
    no_legs = client.post(URL, {"kind": "giveaway", "legs": []}, format="json")
    posting_with_taker = client.post(
        URL, {"kind": "posting", "legs": [clinic_leg(ann_clinic, taker=world.cleo)]}, format="json"
    )
    trade_of_one = client.post(
        URL, {"kind": "trade", "legs": [clinic_leg(ann_clinic, taker=world.cleo)]}, format="json"
    )

    assert "JSON parse error" in is_problem(broken, 400)["detail"]
    assert "kind" in is_problem(unknown_kind, 400)["errors"]
    assert "legs" in is_problem(no_legs, 400)["errors"]
    assert "legs" in is_problem(posting_with_taker, 400)["errors"]
    assert "legs" in is_problem(trade_of_one, 400)["errors"]
    assert not Swap.objects.exists()


def test_decline_cancel_and_reject(world, api_as, ann_clinic):
    first = giveaway(world, api_as, ann_clinic)
    second = giveaway(world, api_as, continuity_day(world, world.ann, after=ann_clinic), reason="Conference travel")

    declined = api_as(world.user("cleo")).post(f"{URL}{first['id']}/decline/", {"note": "Away"}, format="json")
    no_note = api_as(world.coordinator).post(f"{URL}{second['id']}/reject/", {}, format="json")
    not_mine = api_as(world.user("cleo")).post(f"{URL}{second['id']}/cancel/", {}, format="json")
    rejected = api_as(world.coordinator).post(
        f"{URL}{second['id']}/reject/", {"note": "Clinic is short that day"}, format="json"
    )
    again = api_as(world.user("ann")).post(f"{URL}{second['id']}/cancel/", {}, format="json")

    assert declined.status_code == 200 and declined.json()["status"] == "rejected", declined.content
    assert "Away" in declined.json()["decision_note"]
    assert "note" in is_problem(no_note, 400)["errors"]
    is_problem(not_mine, 403)
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_note"] == "Clinic is short that day"
    assert "rejected" in is_problem(again, 409)["detail"]
    assert nothing_swapped(world)


def test_the_requester_cancels_their_swap(world, api_as, ann_clinic):
    created = giveaway(world, api_as, ann_clinic)

    response = api_as(world.user("ann")).post(f"{URL}{created['id']}/cancel/", {}, format="json")

    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_a_posting_is_claimed_with_a_shift_offered_back(world, api_as):
    ann_night, ben_night = call_nights(world, world.ann)[1], call_nights(world, world.ben)[2]
    posted = posting(world, api_as, ann_night)

    bad_offer = api_as(world.user("ben")).post(
        f"{URL}{posted['id']}/accept/", {"offer": {"shift": "call"}}, format="json"
    )
    claimed = api_as(world.user("ben")).post(
        f"{URL}{posted['id']}/accept/", {"offer": {"shift": "call", "date": ben_night.isoformat()}}, format="json"
    )

    assert "date" in is_problem(bad_offer, 400)["errors"]["offer"]
    assert claimed.status_code == 200, claimed.content
    body = claimed.json()
    assert (body["kind"], body["status"]) == ("trade", "pending")
    assert [(leg["giver"], leg["taker"]) for leg in body["legs"]] == [
        (world.ann.pk, world.ben.pk),
        (world.ben.pk, world.ann.pk),
    ]


def test_proposals_for_a_shift(world, api_as):
    night = call_nights(world, world.ann)[1]
    client = api_as(world.user("ann"))

    response = client.get(f"{URL}proposals/", {"shift": "call", "date": night})
    missing = client.get(f"{URL}proposals/", {"date": night})
    theirs = api_as(world.user("ben")).get(f"{URL}proposals/", {"shift": "call", "date": night, "giver": world.ann.pk})

    assert response.status_code == 200, response.content
    proposals = response.json()
    assert 0 < len(proposals) <= 5
    assert all(p["reasons"] and isinstance(p["score"], float) for p in proposals)
    assert world.ann.pk not in {p["taker"] for p in proposals}
    assert "shift" in is_problem(missing, 400)["errors"]
    is_problem(theirs, 403)


def test_marketplace_marks_each_posting_compatible_or_with_the_blocking_rule(world, api_as):
    posted = posting(world, api_as, call_nights(world, world.ann)[1])

    entries = api_as(world.user("ben")).get(f"{URL}marketplace/").json()
    own = api_as(world.user("ann")).get(f"{URL}marketplace/").json()

    assert [entry["swap"]["id"] for entry in entries] == [posted["id"]]
    assert entries[0]["compatible"] or entries[0]["blocking_rule"]
    assert own == []


def test_a_chain_among_three_postings_is_shown_to_its_parties_and_asked_for_as_one_swap(program, coordinator, api_as):
    world = swap_world(program, coordinator=coordinator, calls=False)
    thursdays = [d for d in (world.block.start_date + dt.timedelta(days=n) for n in range(28)) if d.weekday() == 3]
    posted = {}
    for name, night in zip(("fay", "gus", "hal"), thursdays, strict=False):
        add_call(world.version, world.people[name], night, CallAssignment.Kind.ATTENDING)
        body = {"kind": "posting", "legs": [{"shift": "faculty_call", "date": night.isoformat()}]}
        response = api_as(world.user(name)).post(URL, body, format="json")
        assert response.status_code == 201, response.content
        posted[name] = response.json()["id"]
    fay = api_as(world.user("fay"))

    seen = fay.get(f"{URL}chains/").json()
    everyone = api_as(coordinator).get(f"{URL}chains/").json()
    outsider = api_as(world.user("ann")).get(f"{URL}chains/").json()
    missing = fay.post(f"{URL}chains/", {"postings": [posted["fay"], 999999]}, format="json")
    gone = fay.post(f"{URL}chains/", {"postings": [posted["fay"], posted["gus"]]}, format="json")
    asked = fay.post(f"{URL}chains/", {"postings": seen[0]["postings"], "reason": "Conference travel"}, format="json")

    assert seen and all(len(chain["legs"]) == 3 and chain["proof"]["ok"] for chain in seen), seen
    assert sorted(seen[0]["postings"]) == sorted(posted.values())
    assert [(c["postings"], c["legs"]) for c in everyone] == [(c["postings"], c["legs"]) for c in seen]
    assert outsider == []
    assert "postings" in is_problem(missing, 400)["errors"]
    assert "no longer possible" in is_problem(gone, 409)["detail"]
    assert asked.status_code == 201, asked.content
    body = asked.json()
    assert (body["kind"], body["status"], body["legs"][0]["giver"]) == ("chain", "pending", world.fay.pk)
    assert {leg["taker"] for leg in body["legs"]} == {world.fay.pk, world.gus.pk, world.hal.pk}


def test_settings_read_by_all_changed_by_coordinators(world, api_as):
    resident = api_as(world.user("ann"))
    coordinator = api_as(world.coordinator)

    read = resident.get(f"{URL}settings/")
    refused = resident.put(f"{URL}settings/", {"lock_days": 5}, format="json")
    bad = coordinator.put(f"{URL}settings/", {"lock_days": 99}, format="json")
    unknown = coordinator.put(f"{URL}settings/", {"approval": ["raffle"]}, format="json")
    changed = coordinator.put(
        f"{URL}settings/", {"approval": ["trade"], "lock_days": 3, "rollback_hours": 48}, format="json"
    )

    assert read.status_code == 200 and read.json() == {
        "approval": ["trade", "giveaway", "posting", "chain"],
        "lock_days": 2,
        "rollback_hours": 24,
        "expiry_days": 30,
    }
    is_problem(refused, 403)
    assert "lock_days" in is_problem(bad, 400)["errors"]
    assert "approval" in is_problem(unknown, 400)["errors"]
    assert changed.status_code == 200, changed.content
    assert resident.get(f"{URL}settings/").json() == {
        "approval": ["trade"],
        "lock_days": 3,
        "rollback_hours": 48,
        "expiry_days": 30,
    }
