"""Views (saved queues), ticket lists with bulk actions, and global search."""

from __future__ import annotations

from django.urls import path

from frontdesk.workspace import views_lists, views_search

urlpatterns = [
    path("views/", views_lists.views_page, name="views"),
    path("views/save/", views_lists.view_create, name="view_create"),
    path("views/<int:view_id>/", views_lists.view_page, name="view"),
    path("views/<int:view_id>/rename/", views_lists.view_rename, name="view_rename"),
    path("views/<int:view_id>/delete/", views_lists.view_remove, name="view_delete"),
    path("tickets/", views_lists.tickets_page, name="tickets"),
    path("tickets/bulk/", views_lists.bulk_action, name="tickets_bulk"),
    path("search/", views_search.search_page, name="search"),
    path("search/suggest/", views_search.search_suggest, name="search_suggest"),
]
