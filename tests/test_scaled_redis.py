"""The scaled shape shares state through Redis: what one web node does, another sees."""

from __future__ import annotations

import asyncio

import pytest
from channels_redis.core import RedisChannelLayer
from django.core.cache.backends.redis import RedisCache

from frontdesk.testing.services import redis_url


def test_a_group_message_sent_on_one_node_reaches_a_socket_on_another() -> None:
    url = redis_url()

    async def scenario() -> dict:
        node_a = RedisChannelLayer(hosts=[url], prefix="fdtest")
        node_b = RedisChannelLayer(hosts=[url], prefix="fdtest")
        channel = await node_a.new_channel()
        await node_a.group_add("user.42", channel)
        try:
            await node_b.group_send("user.42", {"type": "push", "data": {"ticket": 7}})
            return await asyncio.wait_for(node_a.receive(channel), timeout=20)
        finally:
            await node_a.group_discard("user.42", channel)
            await node_a.flush()

    message = asyncio.run(scenario())
    assert message == {"type": "push", "data": {"ticket": 7}}


def test_sign_in_throttle_and_rate_limits_are_shared_between_nodes(settings) -> None:
    url = redis_url()
    node_a = RedisCache(url, {"KEY_PREFIX": "fdtest-throttle"})
    node_b = RedisCache(url, {"KEY_PREFIX": "fdtest-throttle"})
    node_a.delete("signin:ip:203.0.113.9")
    for _ in range(3):
        if not node_a.add("signin:ip:203.0.113.9", 1, timeout=60):
            node_a.incr("signin:ip:203.0.113.9")
    # node B sees node A's failures: the throttle cannot be dodged by hitting another web node
    assert node_b.get("signin:ip:203.0.113.9") == 3
    node_b.delete("signin:ip:203.0.113.9")


@pytest.mark.django_db
def test_the_throttle_functions_work_over_redis(settings) -> None:
    from django.core.cache import caches

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url(),
                                   "KEY_PREFIX": "fdtest-auth"}}
    caches["default"].clear()
    from frontdesk.accounts.auth import check_sign_in_allowed, note_sign_in_failure
    from frontdesk.core.errors import RateLimited

    settings.LOGIN_FAILURES_PER_ACCOUNT_AND_IP = 2
    for _ in range(2):
        note_sign_in_failure("victim@example.com", "198.51.100.1")
    with pytest.raises(RateLimited):
        check_sign_in_allowed("victim@example.com", "198.51.100.1")
    check_sign_in_allowed("victim@example.com", "198.51.100.2")  # the real user's address is not locked out
    caches["default"].clear()
