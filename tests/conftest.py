"""Shared fixtures: the actors every endpoint is tested against."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from accounts.models import PartnerOrganisation, Role, Unit, User
from accounts.services import api_token_create
from ads.models import Source, SourceKind

PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(autouse=True)
def _evidence_in_tmp(settings, tmp_path):
    """Each test stores evidence in its own folder; passwords hash fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            **settings.STORAGES["evidence"],
            "OPTIONS": {
                **settings.STORAGES["evidence"]["OPTIONS"],
                "location": str(tmp_path / "evidence"),
            },
        },
    }
    from django.core.files.storage import storages

    storages._storages = {}
    yield
    storages._storages = {}


@dataclass
class Actors:
    """Investigators of unit A and B, a supervisor, partners X and Y, an auditor, an admin."""

    unit_a: Unit
    unit_b: Unit
    investigator_a: User
    investigator_b: User
    supervisor_a: User
    partner_x: User
    partner_y: User
    auditor: User
    admin: User
    source_a: Source
    source_b: Source
    source_shared: Source
    token_x: str
    token_y: str

    def client_for(self, name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(getattr(self, name))
        return client


def make_user(username: str, role: str, **extra: object) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=role, **extra)
    if role in {Role.ADMIN, Role.AUDITOR}:
        user.is_staff = True
        user.is_superuser = role == Role.ADMIN
        user.save()
    return user


@pytest.fixture
def actors(db) -> Actors:
    unit_a = Unit.objects.create(name="Unit A", code="a")
    unit_b = Unit.objects.create(name="Unit B", code="b")
    org_x = PartnerOrganisation.objects.create(name="NGO X", slug="ngo-x", region="NV")
    org_y = PartnerOrganisation.objects.create(name="NGO Y", slug="ngo-y", region="NY")
    partner_x = make_user("partner-x", Role.PARTNER, partner=org_x)
    partner_y = make_user("partner-y", Role.PARTNER, partner=org_y)
    _, token_x = api_token_create(user=partner_x, name="x", scopes=["read", "tips", "ads"])
    _, token_y = api_token_create(user=partner_y, name="y", scopes=["read"])
    return Actors(
        unit_a=unit_a,
        unit_b=unit_b,
        investigator_a=make_user("inv-a", Role.INVESTIGATOR, unit=unit_a),
        investigator_b=make_user("inv-b", Role.INVESTIGATOR, unit=unit_b),
        supervisor_a=make_user("sup-a", Role.SUPERVISOR, unit=unit_a),
        partner_x=partner_x,
        partner_y=partner_y,
        auditor=make_user("auditor", Role.AUDITOR),
        admin=make_user("admin", Role.ADMIN),
        source_a=Source.objects.create(name="site-a", kind=SourceKind.FILE, unit=unit_a),
        source_b=Source.objects.create(name="site-b", kind=SourceKind.FILE, unit=unit_b),
        source_shared=Source.objects.create(name="shared", kind=SourceKind.FILE),
        token_x=token_x,
        token_y=token_y,
    )


ALL_ACTORS = (
    "anonymous",
    "investigator_a",
    "investigator_b",
    "supervisor_a",
    "partner_x",
    "partner_y",
    "auditor",
    "admin",
)


@pytest.fixture(scope="session")
def trained_model_dir(tmp_path_factory) -> str:
    """A real risk model trained once per test session on the seed corpus (the real transformer)."""
    from django.conf import settings as django_settings

    from analytics.scoring.encoder import Encoder
    from analytics.scoring.training import load_seed_corpus, train

    out = tmp_path_factory.mktemp("model")
    encoder = Encoder(
        None,
        backend=django_settings.RISK_ENCODER_BACKEND,
        cache_dir=django_settings.MODEL_DIR / "encoders",
    )
    model = train(load_seed_corpus(), encoder=encoder, seed=0)
    model.save(out)
    return str(out)


@pytest.fixture
def risk_model(db, trained_model_dir, settings, tmp_path):
    """The trained model registered as the active version."""
    from analytics.models import ModelVersion
    from analytics.scoring.model import TrainedModel

    settings.RISK_MODEL_DIR = tmp_path / "active"
    version = TrainedModel.load(
        trained_model_dir, cache_dir=settings.MODEL_DIR / "encoders"
    ).version
    return ModelVersion.objects.create(version=version, path=trained_model_dir, active=True)


@pytest.fixture(autouse=True)
def _pipeline_stages(request, monkeypatch):
    """Tests run the cheap stages unless they ask for the full pipeline (`full_pipeline` marker),
    so that a test about ingestion does not need a trained model."""
    if request.node.get_closest_marker("full_pipeline") is None:
        from ads import pipeline

        cheap = tuple(s for s in pipeline.STAGES if s[0] != "score")
        monkeypatch.setattr(pipeline, "STAGES", cheap)
