"""Queries per request of the pages and API lists a whole program opens at once (the load bench's mix), on the
demo program with a published schedule: a bound on the first answer (nothing cached) catches an N+1 creeping
into a page; the answer after it takes the schedule from the cache and needs fewer still."""

import pytest
from django.urls import reverse

from tenants.models import User
from tests.scheduling.test_link_crawl import demo_program as demo_program  # the fixture

pytestmark = pytest.mark.django_db

# (who, page, queries when built, queries when the schedule part comes from the cache); a resident's first visit
# to My schedule also makes their calendar-feed token and gives them its object permissions (two queries).
PAGES = [
    ("resident", "my-schedule", 31, 11),
    ("resident", "home", 19, 14),
    ("coordinator", "schedule-grid", 26, 13),
]
# Token or session, membership, program, count, the page (people and rotations joined in).
API_LISTS = {"api:block-assignment-list": 4, "api:session-assignment-list": 4, "api:call-assignment-list": 4}


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
