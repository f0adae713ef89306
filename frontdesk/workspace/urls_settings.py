"""Settings (administrators) and the profile page (everyone)."""

from __future__ import annotations

from django.urls import path

from frontdesk.workspace import (
    views_profile,
    views_settings,
    views_settings_fields,
    views_settings_mailboxes,
    views_settings_tags,
    views_settings_teams,
)

urlpatterns = [
    path("settings/", views_settings.index, name="settings"),
    path("settings/users/", views_settings.users, name="settings_users"),
    path("settings/users/<int:user_id>/", views_settings.user_edit, name="settings_user"),
    path("settings/teams/", views_settings_teams.teams, name="settings_teams"),
    path("settings/teams/<int:team_id>/", views_settings_teams.team_edit, name="settings_team"),
    path("settings/brands/", views_settings_teams.brands, name="settings_brands"),
    path("settings/brands/<int:brand_id>/", views_settings_teams.brand_edit, name="settings_brand"),
    path("settings/statuses/", views_settings_teams.statuses, name="settings_statuses"),
    path("settings/statuses/<int:status_id>/", views_settings_teams.status_edit, name="settings_status"),
    path("settings/fields/", views_settings_fields.fields, name="settings_fields"),
    path("settings/fields/<int:field_id>/", views_settings_fields.field_edit, name="settings_field"),
    path("settings/tags/", views_settings_tags.tag_list_page, name="settings_tags"),
    path("settings/tags/merge/", views_settings_tags.tags_merge, name="settings_tags_merge"),
    path("settings/tags/<int:tag_id>/", views_settings_tags.tag_edit, name="settings_tag"),
    path("settings/tags/<int:tag_id>/delete/", views_settings_tags.tag_delete, name="settings_tag_delete"),
    path("settings/tokens/", views_settings_fields.tokens, name="settings_tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views_settings_fields.token_revoke_view,
         name="settings_token_revoke"),
    path("settings/mailboxes/", views_settings_mailboxes.mailbox_list, name="settings_mailboxes"),
    path("settings/mailboxes/new/", views_settings_mailboxes.mailbox_new, name="settings_mailbox_new"),
    path("settings/mailboxes/<int:mailbox_id>/", views_settings_mailboxes.mailbox_edit, name="settings_mailbox"),
    path("settings/mailboxes/<int:mailbox_id>/rotate-secret/", views_settings_mailboxes.mailbox_rotate,
         name="settings_mailbox_rotate"),
    path("settings/quarantine/", views_settings_mailboxes.quarantine, name="settings_quarantine"),
    path("settings/quarantine/<int:inbound_id>/reprocess/", views_settings_mailboxes.quarantine_reprocess,
         name="settings_quarantine_reprocess"),
    path("profile/", views_profile.profile, name="profile"),
    path("profile/password/", views_profile.password, name="profile_password"),
    path("profile/tokens/", views_profile.token_create, name="profile_token_create"),
    path("profile/tokens/<int:token_id>/revoke/", views_profile.token_revoke, name="profile_token_revoke"),
]
