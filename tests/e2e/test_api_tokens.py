"""A resident makes an API token in the browser, copies its secret (shown once), uses it, and revokes it."""

import json
import urllib.error
import urllib.request

from playwright.sync_api import expect

from tests.e2e.conftest import log_in


def _get(url: str, secret: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {secret}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_resident_creates_uses_and_revokes_a_token(live_server, demo, context):
    page = log_in(context.new_page(), live_server.url, "resident")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    expect(page.get_by_label("Change people (write:people)")).to_have_count(0)  # beyond a resident's role

    page.get_by_label("Name").fill("Calendar sync")
    page.get_by_label("Read schedule (read:schedule)").check()
    page.get_by_role("button", name="Create token").click()

    secret = page.locator("#new-token-secret").input_value()
    assert secret.startswith("rs_")
    expect(page.get_by_text("it is shown only this once")).to_be_visible()
    status, body = _get(f"{live_server.url}/api/v1/block-assignments/", secret)
    assert status == 200, body
    refused, problem = _get(f"{live_server.url}/api/v1/absences/", secret)
    assert refused == 403 and "read:absences" in problem["detail"]

    page.reload()
    expect(page.locator("#new-token-secret")).to_have_count(0)  # shown once only
    row = page.locator("table.tokens tbody tr", has_text="Calendar sync")
    expect(row).to_contain_text("active")
    page.on("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke").click()

    expect(page.get_by_text("no longer works")).to_be_visible()
    status, problem = _get(f"{live_server.url}/api/v1/block-assignments/", secret)
    assert status == 401 and "revoked" in problem["detail"]
