"""An unknown path under /api/v1/ answers JSON, not an HTML page (issue #19, informational)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/v1/ads/1/nope/", "/api/v2/"])
def test_an_unknown_api_path_is_a_json_404(actors, path: str) -> None:
    response = actors.client_for("investigator_a").get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found."}


def test_an_unknown_page_stays_an_html_404(actors) -> None:
    response = actors.client_for("investigator_a").get("/cases/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
