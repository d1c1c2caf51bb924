"""Record ids in URLs are ASCII digits only: superscript, circled or Arabic-Indic digits are a
404, never a 500 and never an alias of a real record (issue #19 L2)."""

from __future__ import annotations

import pytest

from ads.models import Ad

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/investigator/ads/{}/",
    "/api/v1/investigator/entities/{}/",
    "/api/v1/investigator/networks/{}/",
    "/api/v1/investigator/queue/{}/",
    "/api/v1/investigator/cases/{}/",
]


def _ad(actors) -> Ad:
    return Ad.objects.create(source=actors.source_a, external_id="x", title="t", body="b")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("raw", ["¹", "①", "٤", "１", "1.0", "-1", "99999999999999999999", "0"])
def test_non_ascii_or_malformed_ids_are_a_json_404(actors, endpoint, raw) -> None:
    response = actors.client_for("investigator_a").get(endpoint.format(raw))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_arabic_indic_digits_do_not_alias_a_real_ad(actors) -> None:
    ad = _ad(actors)
    client = actors.client_for("investigator_a")
    assert client.get(f"/api/v1/investigator/ads/{ad.pk}/").status_code == 200
    arabic = str(ad.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert client.get(f"/api/v1/investigator/ads/{arabic}/").status_code == 404
