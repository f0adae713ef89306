"""Chromium opens what `frontdesk run` serves: the welcome page and the API reference, offline."""

from __future__ import annotations

from frontdesk.testing.browser import chromium_page, screenshot
from tests.test_embedded_run import server  # noqa: F401  (module-scoped running server)


def test_api_reference_renders_in_chromium_without_network(server: str) -> None:  # noqa: F811
    with chromium_page() as page:
        failed: list[str] = []
        page.on("requestfailed", lambda req: failed.append(req.url))  # type: ignore[attr-defined]
        page.goto(server + "/")  # type: ignore[attr-defined]
        assert page.title() == "Frontdesk"  # type: ignore[attr-defined]
        page.click("text=REST API reference")  # type: ignore[attr-defined]
        page.wait_for_selector(".swagger-ui .info .title", timeout=15000)  # type: ignore[attr-defined]
        assert "Frontdesk API" in page.inner_text(".swagger-ui .info .title")  # type: ignore[attr-defined]
        screenshot(page, "api-reference")
        assert failed == [], f"requests failed (a CDN or missing asset?): {failed}"
