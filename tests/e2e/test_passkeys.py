"""Passkeys in Chromium, with its virtual authenticator (DevTools' WebAuthn domain: a platform authenticator that
keeps discoverable credentials and verifies the user): a resident on a phone adds one, signs out and signs in with
the passkey alone; a coordinator's passkey passes the second factor after the password, and alone. No page breaks
the Content-Security-Policy (allauth's passkey scripts are static files)."""

from playwright.sync_api import Page, expect

from scheduling.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD
from tenants.audit_models import AuditEvent
from tests.e2e.conftest import PHONE, log_in
from tests.e2e.test_csp import violations, watched


def virtual_authenticator(page: Page) -> None:
    """A phone's or laptop's built-in authenticator for this page (localhost is a secure context to Chromium, and
    the site's host name, localhost, is the passkey's relying party)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True}
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {**options, "isUserVerified": True}})


def passkey_add(page: Page, base: str, name: str) -> None:
    """On the security page: "Add a passkey", confirm the password if allauth asks, name it, let the device make it."""
    page.goto(f"{base}/accounts/2fa/")
    page.get_by_role("link", name="Add a passkey").click()
    page.wait_for_load_state()
    if "/reauthenticate/" in page.url:
        page.locator('input[name="password"]').fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Add a passkey").click()
    # Until the form is sent and answered (the add page's own URL matches /accounts/2fa/** already: a goto now
    # would abort the ceremony's navigation).
    page.wait_for_url(lambda url: url.startswith(f"{base}/accounts/2fa/") and "/webauthn/add/" not in url)
    page.goto(f"{base}/accounts/2fa/")
    expect(page.locator("#passkeys").get_by_role("cell", name=name, exact=True)).to_be_visible()


def log_out(page: Page) -> None:
    menu = page.locator("#main-menu summary")
    if menu.is_visible():
        menu.click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")


def test_a_resident_on_a_phone_adds_a_passkey_and_signs_in_with_it_alone(live_server, demo, phone):
    base = live_server.url
    page, console = watched(phone)
    virtual_authenticator(page)
    log_in(page, base, "resident", "/")

    passkey_add(page, base, "Grace's phone")
    log_out(page)
    button = page.get_by_role("button", name="Sign in with a passkey")
    expect(button).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    button.click()

    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/me/")
    assert page.url == f"{base}/me/"
    assert not violations(page, console), violations(page, console)
    used = AuditEvent.objects.filter(action="mfa.passkey_used", actor_email=f"resident@{DEMO_EMAIL_DOMAIN}").get()
    assert used.after["used_as"] == "sign-in"


def test_a_coordinators_passkey_passes_the_second_factor(live_server, demo, context):
    base = live_server.url
    page, console = watched(context)
    virtual_authenticator(page)
    log_in(page, base, "coordinator", "/")  # password, then the authenticator app's code
    passkey_add(page, base, "Renee's laptop")
    log_out(page)

    # The password, then the passkey in place of the authenticator app's code.
    page.get_by_label("Email").fill(f"coordinator@{DEMO_EMAIL_DOMAIN}")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/schedule/")
    assert page.url == f"{base}/schedule/"  # not sent back to the second factor
    log_out(page)

    # The passkey alone: it is both factors.
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/schedule/")
    assert page.url == f"{base}/schedule/"
    assert not violations(page, console), violations(page, console)
    uses = AuditEvent.objects.filter(action="mfa.passkey_used", actor_email=f"coordinator@{DEMO_EMAIL_DOMAIN}")
    assert sorted(event.after["used_as"] for event in uses) == ["second factor", "sign-in"]
