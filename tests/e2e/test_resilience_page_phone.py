"""A coordinator opens the resilience page on a 360-px phone: the level is named in words, the forecast tables and
charts fit the screen (tables scroll inside their own wrapper), and nothing pushes the page sideways."""

from playwright.sync_api import expect

from tests.e2e.conftest import log_in

NARROW = {"width": 360, "height": 740}


def test_the_resilience_page_fits_a_360_px_phone(live_server, demo, browser):
    phone = browser.new_context(viewport=NARROW, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        page = log_in(phone.new_page(), live_server.url, "coordinator", "/analytics/resilience/")
        expect(page.get_by_role("heading", name="Resilience", exact=True)).to_be_visible()
        level = page.locator(".level-name")
        expect(level).to_contain_text("Level ")
        assert level.inner_text().split()[-1] in ("GREEN", "YELLOW", "ORANGE", "RED", "BLACK")
        expect(page.get_by_role("heading", name="Redundancy")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
        page.get_by_text("How the level is worked out").click()
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    finally:
        phone.close()
