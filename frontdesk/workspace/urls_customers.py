"""Customer and organisation pages."""

from __future__ import annotations

from django.urls import path

from frontdesk.workspace import views_customers as v

urlpatterns = [
    path("customers/", v.customer_list, name="customers"),
    path("customers/<int:contact_id>/", v.customer_detail, name="customer"),
    path("customers/<int:contact_id>/identities/", v.identity_add, name="customer_identity_add"),
    path("customers/<int:contact_id>/identities/<int:identity_id>/remove/", v.identity_remove,
         name="customer_identity_remove"),
    path("customers/<int:contact_id>/notes/", v.note_add, name="customer_note_add"),
    path("customers/<int:contact_id>/merge/", v.customer_merge, name="customer_merge"),
    path("organisations/", v.organisation_list, name="organisations"),
    path("organisations/<int:organisation_id>/", v.organisation_detail, name="organisation"),
]
