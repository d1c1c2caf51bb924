"""Pages of the desk, under /cases/ (namespace "cases")."""

from __future__ import annotations

from django.urls import path

import cases.admin  # noqa: F401  (admin registrations; the admin does not autodiscover)

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("queue.csv", views.queue_csv, name="queue-csv"),
    path("views/", views.saved_view_save, name="saved-view-save"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved-view-delete"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/claim/", views.item_claim, name="item-claim"),
    path("items/<int:pk>/release/", views.item_release, name="item-release"),
    path("items/<int:pk>/assign/", views.item_assign, name="item-assign"),
    path("items/<int:pk>/note/", views.item_note, name="item-note"),
    path("items/<int:pk>/due/", views.item_due, name="item-due"),
    path("items/<int:pk>/decide/", views.item_decide, name="item-decide"),
    path("items/<int:pk>/reopen/", views.item_reopen, name="item-reopen"),
    path("ads/<int:pk>/", views.ad_page, name="ad"),
    path(
        "ads/<int:pk>/images/<int:image_pk>/<str:variant>.jpg",
        views.ad_image,
        name="ad-image",
    ),
    path(
        "ads/<int:pk>/images/<int:image_pk>/reveal/",
        views.ad_image_reveal,
        name="ad-image-reveal",
    ),
    path("search/", views.search, name="search"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_create_view, name="case-create"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/note/", views.case_note, name="case-note"),
    path("cases/<int:pk>/member/", views.case_member, name="case-member"),
    path("cases/<int:pk>/status/", views.case_status, name="case-status"),
    path("cases/<int:pk>/packet.zip", views.case_packet, name="case-packet"),
    path("cases/<int:pk>/ads.csv", views.case_csv, name="case-csv"),
    path("watchlists/", views.watchlists, name="watchlists"),
    path("watchlists/<int:pk>/delete/", views.watchlist_delete, name="watchlist-delete"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/read/", views.alerts_read, name="alerts-read"),
]
