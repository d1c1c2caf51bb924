"""Fixtures for the API tests: the synthetic world, token clients, a fresh throttle cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.partners.world import World, build_world


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache; a test never inherits another test's calls."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(actors) -> World:
    return build_world(actors)
