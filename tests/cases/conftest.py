"""Desk test fixtures: each test starts without the similar-ads candidate cache."""

from __future__ import annotations

import pytest

from cases import selectors


@pytest.fixture(autouse=True)
def _no_candidate_cache():
    selectors._candidate_cache.clear()
    yield
    selectors._candidate_cache.clear()
