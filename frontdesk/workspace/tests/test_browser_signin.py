"""Browser journeys of signing in, on a real server process in Debian's Chromium."""

from __future__ import annotations

from frontdesk.testing.browser import chromium_page, screenshot
from frontdesk.testing.live import LiveApp, sign_in


def test_a_customer_who_signs_in_to_the_agent_url_is_refused(live_app: LiveApp) -> None:
    with chromium_page() as page:
        sign_in(page, live_app, "customer@demo.frontdesk.local")
        page.goto(live_app.url + "/tickets/")  # type: ignore[attr-defined]
        assert "This area is for support agents" in page.inner_text("main")  # type: ignore[attr-defined]
        screenshot(page, "refused-customer")


def test_wrong_password_shows_a_clear_message(live_app: LiveApp) -> None:
    with chromium_page() as page:
        sign_in(page, live_app, "agent@demo.frontdesk.local", password="not-the-password")
        assert "The email or password is wrong." in page.inner_text("[role=alert]")  # type: ignore[attr-defined]
        screenshot(page, "login-error")
