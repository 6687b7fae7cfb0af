"""In the browser, under the Content-Security-Policy: a coordinator's and a resident's main pages report no
policy violation (Chromium's securitypolicyviolation events and console errors), and what needs JavaScript
still works: the phone menu folds, the cell editor opens in place (htmx), the absence form shows the military
fields only for a military kind, the program-wide selects submit themselves, and the swap form's proposals fill
the colleague."""

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import log_in

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def watched(context: BrowserContext) -> tuple[Page, list[str]]:
    """A page whose CSP violations (events and console messages) are collected."""
    page = context.new_page()
    page.add_init_script(WATCH)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    return page, console


def violations(page: Page, console: list[str]) -> list[str]:
    return page.evaluate("window.__csp || []") + console


def visit(page: Page, console: list[str], base: str, paths: list[str]) -> None:
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert not violations(page, console), (path, violations(page, console))


def test_a_coordinators_pages_pass_the_policy_and_their_scripts_work(live_server, published, context):
    page, console = watched(context)
    log_in(page, live_server.url, "coordinator", "/")
    visit(page, console, live_server.url, ["/", "/schedule/", "/schedule/month/", "/compliance/", "/absences/",
                                           "/credentials/", "/versions/", "/on-call/", "/swaps/queue/",
                                           "/api/docs/"])  # fmt: skip
    # The cell editor opens in place (htmx) on the block grid.
    page.goto(f"{live_server.url}/schedule/")
    page.locator("#schedule-body a.cell-link").first.click()
    expect(page.locator("#cell-editor").get_by_role("heading")).to_be_visible()
    assert page.url.endswith("/schedule/")
    # A select marked to submit itself does (the compliance page's version).
    page.goto(f"{live_server.url}/compliance/")
    page.get_by_label("Version").select_option("draft")
    page.wait_for_url("**/compliance/?*version=draft*")
    assert not violations(page, console), violations(page, console)


def test_a_residents_pages_pass_the_policy_and_their_scripts_work(live_server, published, context, phone):
    page, console = watched(context)
    log_in(page, live_server.url, "resident", "/")
    visit(page, console, live_server.url, ["/", "/me/", "/schedule/", "/absences/", "/absences/new/",
                                           "/swaps/", "/swaps/mine/", "/notifications/"])  # fmt: skip
    # The absence form shows orders and location only for a military kind.
    page.goto(f"{live_server.url}/absences/new/")
    kind = page.get_by_label("Kind")
    kind.select_option("vacation")
    expect(page.locator(".military-field").first).to_be_hidden()
    kind.select_option("deployment")
    expect(page.locator(".military-field").first).to_be_visible()
    # The swap form: choosing a proposal fills the colleague (static/js/swap_form.js).
    page.goto(f"{live_server.url}/swaps/new/")
    proposal = page.locator(".choose-proposal").first
    if proposal.count():
        proposal.click()
        expect(page.get_by_label("Colleague")).to_have_value(proposal.get_attribute("data-taker"))
    assert not violations(page, console), violations(page, console)

    # On a phone the menu starts folded (static/js/app.js), and opens.
    small, small_console = watched(phone)
    log_in(small, live_server.url, "resident", "/me/")
    expect(small.locator("#main-menu nav")).to_be_hidden()
    small.locator("#main-menu summary").click()
    expect(small.get_by_role("navigation", name="Main").get_by_role("link", name="My schedule")).to_be_visible()
    assert not violations(small, small_console), violations(small, small_console)
