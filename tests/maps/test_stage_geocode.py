"""The geocoding pipeline stage: where each ad was posted, how sure, area codes, travel cues."""

from __future__ import annotations

import socket

import pytest

from ads.models import PIPELINE_DONE, Ad, PipelineStatus, StageRun
from ads.readers import records_from_payload
from ads.services import ads_ingest
from analytics.models import AdScore
from maps import services
from maps.geocoding import GeocoderUnavailableError
from maps.models import AdLocation

pytestmark = pytest.mark.django_db(transaction=True)

STAGES = [
    ("extract", "ads.stages.ads_extract_entities"),
    ("geocode", "maps.services.ads_geocode"),
]


@pytest.fixture
def geocode_stage(settings, monkeypatch):
    monkeypatch.setattr("ads.pipeline.STAGES", STAGES)
    settings.GEOCODER_BACKEND = "gazetteer"
    settings.GEOCODER_URL = ""
    services.geocoder_reset()
    yield settings
    services.geocoder_reset()


def _ingest(source, rows: list[dict]) -> list[Ad]:
    ids = ads_ingest(source=source, rows=records_from_payload(rows)).ad_ids
    return list(Ad.objects.filter(pk__in=ids).order_by("pk"))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_ad_naming_a_city_is_placed_at_city_precision_with_its_source_copied(
    actors, geocode_stage
):
    (ad,) = _ingest(
        actors.source_a,
        [
            {
                "external_id": "1",
                "body": "new in town",
                "location_text": "Houston, TX",
                "posted_at": "2024-03-01T10:00:00Z",
            }
        ],
    )
    ad.refresh_from_db()
    assert ad.pipeline_stage == PIPELINE_DONE
    location = AdLocation.objects.get(ad=ad)
    assert location.precision == "city"
    assert location.name.startswith("Houston")
    assert 29 < location.lat < 30.5 and -96 < location.lng < -94.5
    assert location.source == "gazetteer"
    assert location.posted_at == ad.posted_at
    assert location.source_id_copy == actors.source_a.pk
    assert location.geocoder_version
    run = StageRun.objects.get(ad=ad, stage="geocode")
    assert run.version == location.geocoder_version


def test_a_phone_from_far_away_gives_an_area_code_location_and_a_travel_cue(actors, geocode_stage):
    (ad,) = _ingest(
        actors.source_a,
        [
            {
                "external_id": "1",
                "body": "just arrived, call 702-555-0143",
                "location_text": "Boston, MA",
            }
        ],
    )
    location = AdLocation.objects.get(ad=ad)
    assert location.precision == "city"
    (phone,) = location.phone_locations
    assert phone["phone"] == "+17025550143"
    assert phone["location"]["precision"] == "area_code"
    (cue,) = location.travel_cues
    assert cue["phone"] == "+17025550143"


def test_a_state_only_location_is_stored_as_region_not_as_a_point(actors, geocode_stage):
    (ad,) = _ingest(
        actors.source_a, [{"external_id": "1", "body": "x", "location_text": "somewhere in Texas"}]
    )
    location = AdLocation.objects.get(ad=ad)
    assert location.precision == "region"
    assert location.lat is not None


def test_the_source_city_is_used_only_when_the_ad_names_none_and_is_labelled(actors, geocode_stage):
    actors.source_a.settings = {"city": "Denver, CO"}
    actors.source_a.save()
    silent, named = _ingest(
        actors.source_a,
        [
            {"external_id": "1", "body": "x", "location_text": ""},
            {"external_id": "2", "body": "y", "location_text": "Miami, FL"},
        ],
    )
    by_ad = {loc.ad_id: loc for loc in AdLocation.objects.all()}
    assert by_ad[silent.pk].source == "source_default"
    assert by_ad[silent.pk].name.startswith("Denver")
    assert by_ad[silent.pk].confidence <= 0.5
    assert by_ad[named.pk].name.startswith("Miami")
    assert by_ad[named.pk].source == "gazetteer"


def test_an_ad_without_any_place_is_stored_as_unknown_without_coordinates(actors, geocode_stage):
    (ad,) = _ingest(
        actors.source_a, [{"external_id": "1", "body": "x", "location_text": "qzxv wkpt"}]
    )
    location = AdLocation.objects.get(ad=ad)
    assert location.precision == "unknown"
    assert location.lat is None and location.lng is None


def test_the_score_written_before_geocoding_is_copied_onto_the_map_row(
    actors, geocode_stage, monkeypatch
):
    monkeypatch.setattr("ads.pipeline.STAGES", STAGES[:1])
    (ad,) = _ingest(
        actors.source_a, [{"external_id": "1", "body": "x", "location_text": "Reno, NV"}]
    )
    AdScore.objects.create(
        ad=ad,
        risk=0.83,
        minor=0.4,
        category="massage",
        model_version="m",
        revision=1,
        indicator_codes=["third_party", "new_in_town"],
        # The score stage's own flags: a high score without enough evidence is not flagged, and
        # a possible minor can sit below any threshold the map could apply to the probability.
        flagged=False,
        possible_minor=True,
    )
    version = services.ads_geocode(list(Ad.objects.filter(pk=ad.pk).select_related("source")))
    location = AdLocation.objects.get(ad=ad)
    assert (location.risk, location.minor, location.category) == (0.83, 0.4, "massage")
    assert (location.flagged, location.possible_minor) == (False, True)
    assert location.indicator_codes == ["third_party", "new_in_town"]
    assert location.geocoder_version == version


def test_geocoding_again_updates_the_row_instead_of_adding_one(actors, geocode_stage):
    (ad,) = _ingest(
        actors.source_a, [{"external_id": "1", "body": "x", "location_text": "Reno, NV"}]
    )
    ad.location_text = "Tampa, FL"
    ad.save()
    services.ads_geocode([Ad.objects.select_related("source").get(pk=ad.pk)])
    assert AdLocation.objects.count() == 1
    assert AdLocation.objects.get(ad=ad).name.startswith("Tampa")


def test_a_rescore_is_copied_to_the_map_row(actors, geocode_stage):
    (ad,) = _ingest(
        actors.source_a, [{"external_id": "1", "body": "x", "location_text": "Reno, NV"}]
    )
    assert AdLocation.objects.get(ad=ad).risk is None
    AdScore.objects.create(
        ad=ad, risk=0.2, minor=0.1, category="job", model_version="m", revision=1
    )
    assert services.locations_refresh_scores(ad_ids=[ad.pk]) == 1
    assert AdLocation.objects.get(ad=ad).category == "job"


def test_a_geocoder_outage_raises_and_leaves_the_ads_pending_not_unknown(actors, geocode_stage):
    geocode_stage.GEOCODER_BACKEND = "nominatim"
    geocode_stage.GEOCODER_URL = f"http://127.0.0.1:{_closed_port()}"
    geocode_stage.GEOCODER_TIMEOUT_SECONDS = 1.0
    services.geocoder_reset()
    (ad,) = _ingest(
        actors.source_a, [{"external_id": "1", "body": "x", "location_text": "Reno, NV"}]
    )
    ad.refresh_from_db()
    assert ad.pipeline_stage == "geocode"
    assert ad.pipeline_status == PipelineStatus.PENDING
    assert "GeocoderUnavailableError" in ad.pipeline_error
    assert not AdLocation.objects.exists()
    with pytest.raises(GeocoderUnavailableError):
        services.ads_geocode([Ad.objects.select_related("source").get(pk=ad.pk)])
    assert not AdLocation.objects.exists()


def test_the_stage_runs_again_once_the_geocoder_is_back(actors, geocode_stage):
    geocode_stage.GEOCODER_BACKEND = "nominatim"
    geocode_stage.GEOCODER_URL = f"http://127.0.0.1:{_closed_port()}"
    geocode_stage.GEOCODER_TIMEOUT_SECONDS = 1.0
    services.geocoder_reset()
    (ad,) = _ingest(
        actors.source_a, [{"external_id": "1", "body": "x", "location_text": "Reno, NV"}]
    )
    geocode_stage.GEOCODER_BACKEND = "gazetteer"
    geocode_stage.GEOCODER_URL = ""
    from ads.pipeline import stage_run_batch

    assert stage_run_batch(stage_name="geocode", ad_ids=[ad.pk]) == [ad.pk]
    assert AdLocation.objects.get(ad=ad).precision == "city"


def test_the_stage_settles_an_ambiguous_city_by_the_source_region_and_stores_the_rule(
    actors, geocode_stage
):
    actors.source_a.settings = {"region": "CA"}
    actors.source_a.save()
    (ad,) = _ingest(
        actors.source_a, [{"external_id": "1", "body": "x", "location_text": "Richmond"}]
    )
    location = AdLocation.objects.get(ad=ad)
    assert location.name == "Richmond, CA, US"
    assert "source's region CA" in location.rule


def test_the_stage_reads_the_labelled_place_in_the_body_when_the_field_is_empty(
    actors, geocode_stage
):
    (ad,) = _ingest(
        actors.source_a,
        [
            {
                "external_id": "1",
                "body": "sweet and discreet   Location:  Brentwood   call 925-234-5678",
                "location_text": "",
            }
        ],
    )
    location = AdLocation.objects.get(ad=ad)
    assert location.name == "Brentwood, CA, US"
    assert "area code 925" in location.rule
    assert location.rule.startswith("From the place the ad's text labels")
