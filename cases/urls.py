"""Pages of the desk, under /cases/ (namespace "cases")."""

from __future__ import annotations

from django.urls import path

from .views import ad, items, queue, watchlists
from .views import cases as case_views

app_name = "cases"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("queue.csv", queue.queue_csv, name="queue-csv"),
    path("views/", queue.saved_view_save, name="saved-view-save"),
    path("views/<int:pk>/delete/", queue.saved_view_delete, name="saved-view-delete"),
    path("items/<int:pk>/", items.item_detail, name="item"),
    path("items/<int:pk>/claim/", items.item_claim, name="item-claim"),
    path("items/<int:pk>/release/", items.item_release, name="item-release"),
    path("items/<int:pk>/assign/", items.item_assign, name="item-assign"),
    path("items/<int:pk>/note/", items.item_note, name="item-note"),
    path("items/<int:pk>/due/", items.item_due, name="item-due"),
    path("items/<int:pk>/decide/", items.item_decide, name="item-decide"),
    path("items/<int:pk>/reopen/", items.item_reopen, name="item-reopen"),
    path("ads/<int:pk>/", ad.ad_page, name="ad"),
    path(
        "ads/<int:pk>/images/<int:image_pk>/<str:variant>.jpg",
        ad.ad_image,
        name="ad-image",
    ),
    path(
        "ads/<int:pk>/images/<int:image_pk>/reveal/",
        ad.ad_image_reveal,
        name="ad-image-reveal",
    ),
    path("search/", ad.search, name="search"),
    path("cases/", case_views.case_list, name="case-list"),
    path("cases/new/", case_views.case_create_view, name="case-create"),
    path("cases/add/", case_views.case_attach, name="case-attach"),
    path("cases/<int:pk>/", case_views.case_detail, name="case"),
    path("cases/<int:pk>/note/", case_views.case_note, name="case-note"),
    path("cases/<int:pk>/member/", case_views.case_member, name="case-member"),
    path("cases/<int:pk>/status/", case_views.case_status, name="case-status"),
    path("cases/<int:pk>/packet.zip", case_views.case_packet, name="case-packet"),
    path("cases/<int:pk>/ads.csv", case_views.case_csv, name="case-csv"),
    path("watchlists/", watchlists.watchlists, name="watchlists"),
    path("watchlists/<int:pk>/delete/", watchlists.watchlist_delete, name="watchlist-delete"),
    path("alerts/", watchlists.alerts, name="alerts"),
    path("alerts/read/", watchlists.alerts_read, name="alerts-read"),
]
