"""Queries per request of the pages and API lists a whole program opens at once (the load bench's mix), on the
demo program with a published schedule: a bound on the first answer (nothing cached) catches an N+1 creeping
into a page; the answer after it takes the schedule from the cache and needs fewer still."""

import pytest
from django.urls import reverse

from tenants.models import User
from tests.scheduling.test_link_crawl import demo_program as demo_program  # the fixture

pytestmark = pytest.mark.django_db

# (who, page, queries when built, queries when the page's parts come from the cache: the user, their memberships with
# their programs, and on My schedule the feed token); a resident's first visit
# to My schedule also makes their calendar-feed token and gives them its object permissions (two queries).
PAGES = [
    ("resident", "my-schedule", 28, 3),
    ("resident", "home", 17, 2),
    ("coordinator", "schedule-grid", 24, 2),
]
# Token (or session), memberships with their programs, and the page (kept per schedule generation: a count and the
# rows, people and rotations joined in, when it is built).
API_LISTS = {"api:block-assignment-list": 3, "api:session-assignment-list": 3, "api:call-assignment-list": 3}


def test_schedule_pages_take_a_bounded_number_of_queries(client, demo_program, django_assert_max_num_queries):
    for who, page, built, cached in PAGES:
        client.force_login(User.objects.get(email__startswith=f"{who}@"))
        demo_program.save()  # a change to the program: cached schedule output is dropped
        with django_assert_max_num_queries(built, info=f"{page}, built"):
            assert client.get(reverse(page)).status_code == 200
        with django_assert_max_num_queries(cached, info=f"{page}, cached"):
            assert client.get(reverse(page)).status_code == 200


def test_assignment_lists_take_a_fixed_number_of_queries(api_as, demo_program, django_assert_max_num_queries):
    api = api_as(User.objects.get(email__startswith="coordinator@"), in_program=demo_program)
    for name, queries in API_LISTS.items():
        with django_assert_max_num_queries(queries, info=name):
            response = api.get(reverse(name), {"page_size": 100})
        assert response.status_code == 200 and response.json()["results"], name


def test_a_request_reads_the_schedule_stamp_once_and_again_after_a_change(demo_program):
    """Several cached parts of one page share one read of the program's stamp; a change made during the request
    (an edit that then redraws the page) gives its later reads a new stamp, and outside a request nothing is kept."""
    from scheduling import schedule_cache

    schedule_cache.stamps_memo.start()  # what request_started calls (the signal also closes the test's connection)
    try:
        first = schedule_cache.generation(demo_program.pk)
        assert schedule_cache.generation(demo_program.pk) == first
        demo_program.save()  # a watched row changes in this request
        changed = schedule_cache.generation(demo_program.pk)
        assert changed != first
    finally:
        schedule_cache.stamps_memo.finish()
    schedule_cache._bump(str(demo_program.pk))  # as another process would, between two requests
    assert schedule_cache.generation(demo_program.pk) != changed
