"""Browser journey: a customer's HTML mail with a remote image (a tracking pixel) opens on the
ticket page without the browser fetching it; the agent's click on "Load remote images" loads it."""

from __future__ import annotations

import json
import uuid

from frontdesk.testing.browser import chromium_page, screenshot
from frontdesk.testing.live import LiveApp, sign_in
from frontdesk.testing.private_servers import free_port

SET_UP = """
import json
from email.message import EmailMessage
from frontdesk.brands.services import default_brand
from frontdesk.channels.email.inbound import receive
from frontdesk.channels.email.models import Mailbox

box = Mailbox.objects.create(name="Pixels", address="pixels-{tag}@frontdesk.test", brand=default_brand(),
                             auto_acknowledge=False)
msg = EmailMessage()
msg["From"], msg["To"], msg["Subject"] = "Newsletter Reader <reader-{tag}@customer.test>", box.address, "Photo"
msg["Message-ID"] = "<pixel-{tag}@customer.test>"
msg.set_content("See the photo.")
msg.add_alternative('<p>See the photo.</p><img src="{pixel}" alt="the photo">', subtype="html")
row = receive(mailbox=box, raw=msg.as_bytes(), source="cli")
print(json.dumps({{"ticket": row.ticket_id}}))
"""


def test_remote_images_load_only_when_the_agent_asks(live_app: LiveApp) -> None:
    tag = uuid.uuid4().hex[:8]
    pixel = f"https://127.0.0.1:{free_port()}/pixel-{tag}.gif"  # loopback, nothing listens: nothing leaves
    out = live_app.shell(SET_UP.format(tag=tag, pixel=pixel))
    ticket = json.loads(out.strip().splitlines()[-1])["ticket"]
    with chromium_page() as page:
        fetched: list[str] = []
        page.on("request", lambda request: fetched.append(request.url))  # type: ignore[attr-defined]
        sign_in(page, live_app, "agent@demo.frontdesk.local")
        page.goto(f"{live_app.url}/tickets/{ticket}/")  # type: ignore[attr-defined]
        button = page.get_by_role("button", name="Load remote images")  # type: ignore[attr-defined]
        button.wait_for()
        image = page.locator("img[alt='the photo']")  # type: ignore[attr-defined]
        assert image.get_attribute("src") is None
        assert pixel not in fetched, "opening the message fetched the sender's image"
        screenshot(page, "ticket-remote-images-held")
        with page.expect_request(pixel):  # type: ignore[attr-defined]
            button.click()
        assert image.get_attribute("src") == pixel
        assert not button.is_visible()
