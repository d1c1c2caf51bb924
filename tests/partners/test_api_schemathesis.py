"""Schemathesis against the generated OpenAPI schema, in-process through the WSGI app: for every
partner and investigator operation, generated valid and invalid requests never get a 5xx, and
every response conforms to the schema (status code, content type, body)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.authentication import LookupRateThrottle, TokenRateThrottle
from accounts.services import api_token_create
from config.wsgi import application
from tests.partners.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go straight to the WSGI app, so Django's request signals close "old" database
    connections; inside a test's transaction that closes the test's own connection on PostgreSQL.
    Django's test client disconnects the same receiver for the same reason."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
OPERATIONS = [
    ("POST", "/api/v1/partner/lookup/"),
    ("GET", "/api/v1/partner/key/"),
    ("GET", "/api/v1/partner/stats/"),
    ("GET", "/api/v1/partner/tips/"),
    ("POST", "/api/v1/partner/tips/"),
    ("GET", "/api/v1/partner/tips/{public_id}/"),
    ("GET", "/api/v1/investigator/ads/"),
    ("GET", "/api/v1/investigator/ads/{id}/"),
    ("GET", "/api/v1/investigator/entities/"),
    ("GET", "/api/v1/investigator/entities/{id}/"),
    ("GET", "/api/v1/investigator/networks/"),
    ("GET", "/api/v1/investigator/networks/{id}/"),
]


def test_the_schema_lists_every_partner_and_investigator_operation_tested_here(actors):
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json",
        application,
        headers={"Authorization": f"Token {actors.token_x}"},
    )
    listed = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    partner = {item for item in listed if item[1].startswith("/api/v1/partner/")}
    assert set(OPERATIONS) <= listed
    assert partner == {item for item in OPERATIONS if item[1].startswith("/api/v1/partner/")}


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_generated_requests_get_no_server_error_and_conforming_answers(
    actors, method, path, monkeypatch
):
    monkeypatch.setattr(TokenRateThrottle, "rate", "1000000/min", raising=False)
    monkeypatch.setattr(LookupRateThrottle, "rate", "1000000/min", raising=False)
    cache.clear()
    build_world(actors)
    if path.startswith("/api/v1/partner/"):
        token = actors.token_x
    else:
        _, token = api_token_create(user=actors.admin, name="schemathesis", scopes=["read"])
    headers = {"Authorization": f"Token {token}"}
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json", application, headers=headers
    )
    operation = schema[path][method.lower()]
    strategy = operation.as_strategy(
        generation_mode=GenerationMode.POSITIVE
    ) | operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)

    @given(case=strategy)
    # Derandomized so the default suite is reproducible; raise SCHEMATHESIS_EXAMPLES to hunt.
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=EXAMPLES <= 25,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    run()
