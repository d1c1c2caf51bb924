"""Map pages and their JSON data, under /maps/ (namespace "maps")."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "maps"

urlpatterns = [
    path("", views.map_page, name="map"),
    path("data.json", views.map_data_json, name="data"),
    path("ads.json", views.map_ads_json, name="ads"),
    path("places.json", views.places_json, name="places"),
    path("entities/<int:pk>/", views.movement_page, name="movement"),
    path("charts/", views.charts_page, name="charts"),
]
