"""Leak test: no partner response carries a raw phone number (any format), an email, a name, ad
text, or a place or coordinate finer than a city, whatever the partner asks."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any

import pytest

from accounts.services import api_token_create
from tests.partners.world import (
    EMAIL,
    FINE_PLACE,
    NAME,
    NEIGHBOURHOOD,
    PHONE_SHARED,
    PHONE_SHARED_SOURCE,
    PHONE_SHARED_WRITTEN,
    PHONE_TIP_ONLY,
    SECRET_TEXT,
    token_client,
)

pytestmark = pytest.mark.django_db

TIP_TEXT = "Marigold Vance drives them; call 775 555 0107 or write marigold.v@example.net"

# Things a response may legitimately contain that look like numbers: keyed tokens and keys
# (64 hex), tip ids (UUIDs), timestamps and ISO weeks. They are removed before scanning.
_ALLOWED = [
    re.compile(r"\b[0-9a-f]{64}\b"),
    re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"),
    re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?"),
    re.compile(r"\b\d{4}-W\d{2}\b"),
    re.compile(r"cursor=[A-Za-z0-9%=_-]+"),
]
_PHONE_LIKE = re.compile(r"\+?\d[\d\s().-]{5,}\d")
_EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_FORBIDDEN_TEXT = [
    NAME,
    *NAME.split(),
    "Rosie",
    SECRET_TEXT,
    "Listing ",
    FINE_PLACE,
    NEIGHBOURHOOD,
    "Henderson",
    "Elko",
    "Marigold",
    "Vance",
    "drives them",
]
_COORDINATE_KEYS = {"lat", "lng", "lon", "latitude", "longitude", "coordinates", "point"}


def _floats_and_keys(value: Any, found: list[str]) -> None:
    if isinstance(value, float):
        found.append(f"float {value}")
    elif isinstance(value, dict):
        for key, item in value.items():
            if key.lower() in _COORDINATE_KEYS:
                found.append(f"key {key}")
            _floats_and_keys(item, found)
    elif isinstance(value, list):
        for item in value:
            _floats_and_keys(item, found)


def leaks_in(text: str) -> list[str]:
    """Every trace of a raw identifier, name, ad text or fine location in a response body."""
    found: list[str] = []
    for pattern in _ALLOWED:
        text = pattern.sub(" ", text)
    found += [f"phone-like {m!r}" for m in _PHONE_LIKE.findall(text)]
    found += [f"email {m!r}" for m in _EMAIL_LIKE.findall(text)]
    digits = re.sub(r"\D", "", text)
    for phone in (PHONE_SHARED, PHONE_SHARED_SOURCE, PHONE_TIP_ONLY):
        if phone[2:] in digits:
            found.append(f"digits of {phone}")
    lowered = text.lower()
    found += [f"text {t!r}" for t in _FORBIDDEN_TEXT if t.lower() in lowered]
    try:
        _floats_and_keys(json.loads(text) if text.strip() else None, found)
    except json.JSONDecodeError:
        found.append("a non-JSON body")
    return found


def test_the_scanner_catches_what_it_should():
    """The scanner itself: each kind of leak is found, allowed shapes are not."""
    assert leaks_in(json.dumps({"n": "(702) 555-0123"}))
    assert leaks_in(json.dumps({"n": "7025550123"}))
    assert leaks_in(json.dumps({"e": "someone@example.org"}))
    assert leaks_in(json.dumps({"city": "Quillwood, Reno"}))
    assert leaks_in(json.dumps({"lat": 36.1}))
    assert leaks_in(json.dumps({"x": SECRET_TEXT}))
    assert not leaks_in(
        json.dumps(
            {
                "token": "7025550123" + "a" * 54,
                "week": "2026-W07",
                "at": "2026-01-05T10:00:00.123456Z",
                "ads": 12,
            }
        )
    )


def _every_partner_call(actors, world) -> list[tuple[str, str]]:
    """(call, body) of every partner endpoint, with good, bad and probing inputs."""
    _, tips_y = api_token_create(user=actors.partner_y, name="y-tips", scopes=["tips", "read"])
    bodies: list[tuple[str, str]] = []
    for token in (actors.token_x, tips_y):
        client = token_client(token)

        def call(label: str, response: Any) -> None:
            bodies.append((label, response.content.decode()))

        key = client.get("/api/v1/partner/key/")
        call("key", key)
        key_bytes = bytes.fromhex(key.json()["key"])
        lookups = [{"phone": w} for w in PHONE_SHARED_WRITTEN]
        lookups += [
            {"phone": PHONE_SHARED_SOURCE},
            {"phone": PHONE_TIP_ONLY},
            {"phone": "+1 702 555 0199"},
            {"email": EMAIL},
            {"email": EMAIL.upper()},
            {"phone": "12"},
            {"email": "nobody"},
            {},
            {"phone": "1", "email": "2"},
            {
                "token": hmac.new(key_bytes, PHONE_SHARED.encode(), hashlib.sha256).hexdigest(),
                "kind": "phone",
            },
            {
                "token": hmac.new(key_bytes, EMAIL.encode(), hashlib.sha256).hexdigest(),
                "kind": "email",
            },
        ]
        for body in lookups:
            call(
                f"lookup {body}",
                client.post("/api/v1/partner/lookup/", body, content_type="application/json"),
            )
        for params in (
            {},
            {"weeks": 52},
            {"region": "US-NV"},
            {"region": "US-NY"},
            {"region": "US"},
            {"weeks": 0},
        ):
            call(f"stats {params}", client.get("/api/v1/partner/stats/", params))
        created = client.post(
            "/api/v1/partner/tips/",
            {
                "text": TIP_TEXT,
                "location": f"{FINE_PLACE}, Reno, NV",
                "identifiers": [
                    {"kind": "phone", "value": "775 555 0107"},
                    {"kind": "email", "value": "marigold.v@example.net"},
                ],
            },
            content_type="application/json",
        )
        call("tip create", created)
        call(
            "tip bad",
            client.post(
                "/api/v1/partner/tips/",
                {
                    "text": TIP_TEXT,
                    "identifiers": [{"kind": "phone", "value": "555"}],
                },
                content_type="application/json",
            ),
        )
        call("tips list", client.get("/api/v1/partner/tips/"))
        call("tip detail", client.get(f"/api/v1/partner/tips/{created.json()['id']}/"))
        call(
            "tip missing", client.get("/api/v1/partner/tips/00000000-0000-0000-0000-000000000000/")
        )
        for path in (
            "/api/v1/investigator/ads/",
            "/api/v1/investigator/entities/",
            f"/api/v1/investigator/ads/{world.ad_a.pk}/",
            f"/api/v1/investigator/entities/{world.phone_shared.pk}/",
            f"/api/v1/investigator/networks/{world.network.pk}/",
        ):
            call(f"investigator {path}", client.get(path))
    return bodies


def test_no_partner_response_leaks_identifiers_names_text_or_fine_places(actors, world):
    bodies = _every_partner_call(actors, world)
    assert len(bodies) > 50
    found = {label: leaks_in(body) for label, body in bodies}
    assert {label: f for label, f in found.items() if f} == {}


def test_the_probing_calls_really_reached_the_data(actors, world):
    """Guard against a vacuous pass: the lookups above did find the shared number."""
    bodies = dict(_every_partner_call(actors, world))
    seen = json.loads(bodies[f"lookup {{'phone': '{PHONE_SHARED_WRITTEN[0]}'}}"])
    assert seen["seen"] is True and seen["cities"] == ["Las Vegas, NV, US", "Reno, NV, US"]
    assert '"ads":8' in bodies["stats {}"].replace(" ", "")


def test_no_partner_response_carries_an_image_its_hash_or_its_address(actors, world):
    """Ad images stay on the desk: partners get neither bytes, perceptual hashes nor URLs."""
    from django.urls import reverse

    from ads.demo_images import drawn_picture, encoded
    from ads.media import ad_image_store

    url = "https://img.partner-leak.example/p/velvet.png"
    image = ad_image_store(ad=world.ad_a, source_url=url, data=encoded(drawn_picture(11)))
    bodies = _every_partner_call(actors, world)
    for variant in ("blurred", "clear"):
        path = reverse("cases:ad-image", args=[world.ad_a.pk, image.pk, variant])
        bodies.append(
            (
                f"token {variant}",
                token_client(actors.token_x).get(path).content.decode(errors="replace"),
            )
        )
        session = actors.client_for("partner_x")
        response = session.get(path)
        assert response.status_code == 403
        bodies.append((f"session {variant}", response.content.decode(errors="replace")))
    reveal = reverse("cases:ad-image-reveal", args=[world.ad_a.pk, image.pk])
    assert actors.client_for("partner_x").post(reveal).status_code == 403
    for label, body in bodies:
        assert image.phash not in body, label
        assert "partner-leak.example" not in body, label
        assert "\ufffdPNG" not in body and "JFIF" not in body, label
