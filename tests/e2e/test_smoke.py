"""The browser reaches the live server: sign in and see the program's dashboard."""

from tests.e2e.conftest import log_in


def test_coordinator_signs_in_and_sees_the_dashboard(live_server, demo, context):
    page = log_in(context.new_page(), live_server.url, "coordinator")
    assert page.get_by_role("link", name="Schedule", exact=True).is_visible()
