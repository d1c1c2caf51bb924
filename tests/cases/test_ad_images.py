"""Ad images on the desk: blurred by default, revealed by an audited POST, for each actor."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFilter, ImageStat

from ads.demo_images import drawn_picture, encoded
from ads.media import ad_image_store
from ads.models import AdImage, AdImageStatus
from audit.models import Action, AuditEvent
from tests.cases.factories import make_ad
from tests.conftest import ALL_ACTORS

pytestmark = pytest.mark.django_db

HOSTILE = '<img src=x onerror=alert(1)> "Kandi" 19'


@pytest.fixture
def image(actors) -> AdImage:
    ad = make_ad(actors.source_a, title=HOSTILE, body="call 702-555-0134")
    picture = drawn_picture(0)
    # Fine stripes stand for the detail (a face, a tattoo) that the blur must destroy.
    draw = ImageDraw.Draw(picture)
    for x in range(0, picture.width, 8):
        draw.line([(x, 0), (x, picture.height)], fill=(0, 0, 0), width=2)
    return ad_image_store(
        ad=ad,
        source_url='https://img.example/a.png?"><script>alert(2)</script>',
        data=encoded(picture),
    )


def _url(image: AdImage, variant: str) -> str:
    return reverse("cases:ad-image", args=[image.ad_id, image.pk, variant])


def _reveal_url(image: AdImage) -> str:
    return reverse("cases:ad-image-reveal", args=[image.ad_id, image.pk])


def _edges(data: bytes, size: tuple[int, int]) -> float:
    """Mean edge strength at `size`: high for visible detail, near zero once blurred."""
    with Image.open(io.BytesIO(data)) as picture:
        grey = picture.convert("L").resize(size)
    return ImageStat.Stat(grey.filter(ImageFilter.FIND_EDGES)).mean[0]


BLURRED = {
    "anonymous": 302,
    "investigator_a": 200,
    "investigator_b": 404,
    "supervisor_a": 200,
    "partner_x": 403,
    "partner_y": 403,
    "auditor": 403,
    "admin": 200,
}
REVEAL = {**BLURRED, "investigator_a": 302, "supervisor_a": 302, "admin": 302}


@pytest.mark.parametrize("actor", ALL_ACTORS)
def test_the_blurred_thumbnail_answers_each_actor_as_expected_and_is_audited(actors, image, actor):
    response = actors.client_for(actor).get(_url(image, "blurred"))
    assert response.status_code == BLURRED[actor]
    views = AuditEvent.objects.filter(
        action=Action.VIEW, object_type="ad_image", object_id=str(image.pk)
    )
    if response.status_code == 200:
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, no-store"
        assert views.get().detail == {"ad": image.ad_id, "blurred": True}
    else:
        assert not views.exists()


@pytest.mark.parametrize("actor", ALL_ACTORS)
def test_revealing_answers_each_actor_as_expected_and_only_a_reveal_is_audited(
    actors, image, actor
):
    client = actors.client_for(actor)
    response = client.post(_reveal_url(image))
    assert response.status_code == REVEAL[actor]
    reveals = AuditEvent.objects.filter(action=Action.IMAGE_REVEAL)
    if actor in {"investigator_a", "supervisor_a", "admin"}:
        event = reveals.get()
        assert event.actor_id == getattr(actors, actor).pk
        assert event.object_id == str(image.pk) and event.object_type == "ad_image"
        assert event.detail["sha256"] == image.evidence.sha256
        assert client.get(_url(image, "clear")).status_code == 200
    else:
        assert not reveals.exists()


def test_the_clear_image_is_refused_until_revealed_and_the_refusal_is_audited(actors, image):
    client = actors.client_for("investigator_a")
    assert client.get(_url(image, "clear")).status_code == 403
    denied = AuditEvent.objects.get(action=Action.ACCESS_DENIED, object_type="ad_image")
    assert denied.outcome == "denied"


def test_the_blurred_thumbnail_really_is_blurred_and_the_revealed_one_is_not(actors, image):
    client = actors.client_for("investigator_a")
    blurred = client.get(_url(image, "blurred")).content
    client.post(_reveal_url(image))
    clear = client.get(_url(image, "clear")).content
    with Image.open(io.BytesIO(blurred)) as thumbnail:
        size = thumbnail.size
    assert max(size) == 320
    assert _edges(clear, size) > 10 * _edges(blurred, size)
    # Neither is the captured file: both are re-encoded (no EXIF, nothing smuggled).
    assert image.evidence.read() not in (blurred, clear)


def test_a_reveal_is_for_the_person_who_asked_only(actors, image):
    actors.client_for("investigator_a").post(_reveal_url(image))
    assert actors.client_for("supervisor_a").get(_url(image, "clear")).status_code == 403


def test_a_reveal_expires(actors, image, settings):
    client = actors.client_for("investigator_a")
    client.post(_reveal_url(image))
    settings.MEDIA_REVEAL_SECONDS = 1
    session = client.session
    session["revealed_images"] = {str(image.pk): session["revealed_images"][str(image.pk)] - 5}
    session.save()
    assert client.get(_url(image, "clear")).status_code == 403


def test_reveal_needs_a_csrf_token_and_a_post(actors, image):
    client = Client(enforce_csrf_checks=True)
    client.force_login(actors.investigator_a)
    assert client.post(_reveal_url(image)).status_code == 403
    assert client.get(_reveal_url(image)).status_code == 405
    assert not AuditEvent.objects.filter(action=Action.IMAGE_REVEAL).exists()


def test_the_ad_page_shows_blurred_thumbnails_with_a_reveal_button_and_safe_alt_text(actors, image):
    html = actors.client_for("investigator_a").get(reverse("cases:ad", args=[image.ad_id]))
    html = html.content.decode()
    assert _url(image, "blurred") in html and _url(image, "clear") not in html
    assert f'alt="Image 1 of ad {image.ad_id} (blurred)"' in html
    assert '<button type="submit">Reveal image 1</button>' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "<script>alert(2)" not in html and "onerror=alert(1)>" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    page_view = AuditEvent.objects.get(action=Action.VIEW, object_type="ad")
    assert page_view.detail["images"] == [image.pk]


def test_an_htmx_reveal_swaps_in_the_clear_image(actors, image):
    client = actors.client_for("investigator_a")
    response = client.post(_reveal_url(image), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert _url(image, "clear") in html and "(revealed)" in html and "<form" not in html
    page = client.get(reverse("cases:ad", args=[image.ad_id])).content.decode()
    assert _url(image, "clear") in page


def test_an_image_that_was_not_kept_shows_its_reason_and_serves_nothing(actors, image):
    failed = AdImage.objects.create(
        ad_id=image.ad_id,
        revision=1,
        position=1,
        source_url="https://img.example/gone.png",
        status=AdImageStatus.FAILED,
        error="https://img.example/gone.png: server answered HTTP 404",
    )
    client = actors.client_for("investigator_a")
    page = client.get(reverse("cases:ad", args=[image.ad_id])).content.decode()
    assert "Image 2 not kept" in page and "HTTP 404" in page
    assert client.get(_url(failed, "blurred")).status_code == 404
    assert client.post(_reveal_url(failed)).status_code == 404


def test_an_image_of_another_ad_is_not_reachable_through_this_ad(actors, image):
    other = make_ad(actors.source_a, title="other")
    url = reverse("cases:ad-image", args=[other.pk, image.pk, "blurred"])
    assert actors.client_for("investigator_a").get(url).status_code == 404
