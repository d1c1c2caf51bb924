"""Network and entity pages, under /analytics/ (namespace "analytics")."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("networks/", views.network_list, name="network-list"),
    path("networks/<int:pk>/", views.network_page, name="network"),
    path("networks/<int:pk>/split/", views.network_split, name="network-split"),
    path("entities/<int:pk>/", views.entity_page, name="entity"),
]
