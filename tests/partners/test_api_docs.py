"""API docs work offline (sidecar assets, no CDN) under a CSP relaxed on their two paths only."""

from __future__ import annotations

import pytest

from core.middleware import CSP, DOCS_CSP

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_docs_pages_load_their_assets_from_our_static_files(actors, path):
    response = actors.client_for("investigator_a").get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    assert response["Content-Security-Policy"] == DOCS_CSP


@pytest.mark.parametrize(
    "path", ["/health/", "/api/v1/schema/", "/api/v1/docs/extra/", "/api/v1/partner/stats/"]
)
def test_every_other_path_keeps_the_strict_policy(actors, path):
    response = actors.client_for("investigator_a").get(path)
    assert response["Content-Security-Policy"] == CSP
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_the_schema_documents_the_token_recipe_and_the_error_body(actors):
    schema = actors.client_for("investigator_a").get("/api/v1/schema/?format=json").json()
    key = schema["paths"]["/api/v1/partner/key/"]["get"]
    assert "hmac.new" in key["description"]
    lookup = schema["paths"]["/api/v1/partner/lookup/"]["post"]
    assert set(lookup["responses"]) == {"200", "400", "401", "403", "429"}
    assert "Error" in schema["components"]["schemas"]
