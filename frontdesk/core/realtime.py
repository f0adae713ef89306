"""Websocket routes. Agents subscribe to their own group; pushes come after commit."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.urls import path


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


class AgentConsumer(AsyncJsonWebsocketConsumer):
    """A signed-in agent's live channel: pings now; ticket pushes in the realtime work."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not getattr(user, "is_agent", False):
            await self.close(code=4401)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def push(self, event: dict[str, Any]) -> None:
        await self.send_json(event["data"])


websocket_urlpatterns = [path("ws/agent/", AgentConsumer.as_asgi())]
