"""ASGI entry point: HTTP through Django, websockets through Channels."""

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdesk.settings")

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from frontdesk.core.asgi_handler import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from frontdesk.core.realtime import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# Everything loaded so far (Django, the apps, the URL and template machinery) lives as long as the
# process: move it out of the collector's sight, and collect the young generation less often, so
# that garbage collection pauses do not land inside requests (they showed as p95 outliers).
gc.collect()
gc.freeze()
gc.set_threshold(50_000, 20, 20)
