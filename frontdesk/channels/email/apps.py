from django.apps import AppConfig


class EmailChannelConfig(AppConfig):
    """The email channel: mailboxes, the inbound pipeline, threading, and outgoing mail."""

    name = "frontdesk.channels.email"
    label = "channel_email"
    verbose_name = "Email channel"
