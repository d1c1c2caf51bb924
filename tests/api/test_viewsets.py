"""Every API viewset over a model with `visible_to` starts from it through the one base class."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from api.urls import router
from core.viewsets import VisibleViewSet

pytestmark = pytest.mark.django_db


def test_every_viewset_over_restricted_records_is_a_visible_viewset():
    restricted = [
        viewset
        for _, viewset, _ in router.registry
        if hasattr(viewset.queryset.model._default_manager, "visible_to")
    ]
    assert len(restricted) >= 5
    for viewset in restricted:
        assert issubclass(viewset, VisibleViewSet), viewset


def test_the_base_starts_from_visible_to_and_gives_the_schema_generator_nothing(actors):
    from api.investigator import AdViewSet
    from tests.cases.factories import make_ad

    make_ad(actors.source_a)
    view = AdViewSet()
    view.request = RequestFactory().get("/")
    view.request.user = actors.investigator_b  # another unit: the ad's source is not theirs
    assert list(view.visible(view.queryset.model)) == []
    view.request.user = actors.investigator_a
    assert len(view.visible(view.queryset.model)) == 1
    view.swagger_fake_view = True
    assert list(view.visible(view.queryset.model)) == []
