"""The demo seeds a few ads with drawn pictures, so the image gallery shows in `./dev run`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from ads.models import AdImage, Entity, EntityOccurrence

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_network_ads_a_shared_drawn_picture():
    out = StringIO()
    call_command("seed_demo", ads=200, password="demo-pass", no_progress=True, stdout=out)
    images = AdImage.objects.all()
    assert images.exists() and all(i.is_stored for i in images)
    assert all(i.source_url.startswith("https://demo.invalid/") for i in images)
    shared = Entity.objects.filter(kind="image")
    assert shared.exists()
    assert max(EntityOccurrence.objects.filter(entity=e).count() for e in shared) >= 2
    assert "carry a drawn picture" in out.getvalue()
