"""The media stage: image URLs read from the capture, fetched safely, verified, kept, hashed."""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Iterator

import pytest

from ads.connectors.testing import LocalSite, Reply
from ads.demo_images import drawn_picture, encoded
from ads.media import (
    IMAGE_MATCH_BITS,
    ImageRejected,
    ad_image_urls,
    ads_fetch_images,
    image_inspect,
    images_match,
    phash_bands,
    phash_distance,
)
from ads.models import Ad, AdImage, Entity, EntityOccurrence, Evidence, Source, SourceKind
from ads.readers import read_csv, records_from_payload
from ads.records import AdRecord
from ads.services import ads_ingest, evidence_store_many

pytestmark = pytest.mark.django_db

PNG = {"Content-Type": "image/png"}
JPEG = {"Content-Type": "image/jpeg"}


@pytest.fixture(autouse=True)
def _local_fetching(settings) -> None:
    # The local test site is on 127.0.0.1: allowed here, refused by default (tested below).
    settings.CONNECTOR_ALLOW_PRIVATE = True
    settings.CONNECTOR_MIN_INTERVAL_SECONDS = 0.0
    settings.CONNECTOR_TIMEOUT_SECONDS = 1.0
    settings.MEDIA_FETCH_RETRIES = 0


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as running:
        yield running


def _ingest(source: Source, *rows: dict[str, object]) -> list[Ad]:
    ads_ingest(source=source, rows=records_from_payload(list(rows)))
    return list(Ad.objects.filter(external_id__in=[r["external_id"] for r in rows]).order_by("pk"))


def _bomb_png(width: int, height: int) -> bytes:
    """A PNG header claiming a huge size: Pillow reads the size without decoding a pixel."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def test_an_image_is_fetched_kept_as_evidence_hashed_and_becomes_an_entity(actors, site):
    data = encoded(drawn_picture(0), "PNG")
    site.route("/img/a.png", Reply(body=data, headers=PNG))
    (ad,) = _ingest(
        actors.source_a,
        {"external_id": "1", "body": "hello", "images": [site.url("/img/a.png")]},
    )
    ads_fetch_images([ad])
    image = AdImage.objects.get(ad=ad)
    assert image.status == "stored" and image.error == ""
    assert (image.width, image.height, image.format) == (640, 480, "PNG")
    assert len(image.phash) == 16 and int(image.phash, 16) >= 0
    assert image.evidence.read() == data
    assert image.evidence.content_type == "image/png"
    entity = Entity.objects.get(kind="image")
    assert entity.value == image.phash
    assert EntityOccurrence.objects.get(entity=entity).ad_id == ad.pk


def test_running_the_stage_again_fetches_nothing_and_duplicates_nothing(actors, site):
    site.route("/a.png", Reply(body=encoded(drawn_picture(1)), headers=PNG))
    (ad,) = _ingest(
        actors.source_a, {"external_id": "1", "body": "x", "images": [site.url("/a.png")]}
    )
    ads_fetch_images([ad])
    fetches = site.paths.count("/a.png")
    ads_fetch_images([ad])
    assert site.paths.count("/a.png") == fetches == 1
    assert (
        AdImage.objects.count() == 1
        and Evidence.objects.filter(content_type="image/png").count() == 1
    )
    assert EntityOccurrence.objects.filter(entity__kind="image").count() == 1


def test_the_same_photo_resized_and_reencoded_has_the_same_phash_and_links_two_ads(actors, site):
    picture = drawn_picture(0)
    site.route("/big.png", Reply(body=encoded(picture, "PNG"), headers=PNG))
    small = encoded(picture.resize((320, 240)), "JPEG", quality=70)
    site.route("/small.jpg", Reply(body=small, headers=JPEG))
    ads = _ingest(
        actors.source_a,
        {"external_id": "1", "body": "one", "images": [site.url("/big.png")]},
        {"external_id": "2", "body": "two", "image_urls": site.url("/small.jpg")},
    )
    ads_fetch_images(ads)
    first, second = (AdImage.objects.get(ad=ad) for ad in ads)
    assert first.evidence_id != second.evidence_id  # different bytes...
    assert first.phash == second.phash  # ...same picture
    entity = Entity.objects.get(kind="image")
    assert set(entity.occurrences.values_list("ad_id", flat=True)) == {a.pk for a in ads}


def test_different_pictures_have_different_hashes(actors, site):
    site.route("/a.png", Reply(body=encoded(drawn_picture(1)), headers=PNG))
    site.route("/b.png", Reply(body=encoded(drawn_picture(2)), headers=PNG))
    (ad,) = _ingest(
        actors.source_a,
        {"external_id": "1", "body": "x", "images": [site.url("/a.png"), site.url("/b.png")]},
    )
    ads_fetch_images([ad])
    assert len(set(AdImage.objects.values_list("phash", flat=True))) == 2
    assert list(AdImage.objects.values_list("position", flat=True)) == [0, 1]


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (
            Reply(body=b"<html>not a picture</html>", headers={"Content-Type": "image/png"}),
            "not an image",
        ),
        (Reply(body=_bomb_png(100_000, 100_000), headers=PNG), "pixel limit"),
        (Reply(status=404, body=b"gone"), "HTTP 404"),
        (Reply(body=encoded(drawn_picture(3), "JPEG")[:2000], headers=JPEG), "truncated"),
        (Reply(body=b"x" * 3_000_000, headers=PNG), "cap"),
        (Reply(body=encoded(drawn_picture(3)), headers=PNG, delay=3.0), "timed out"),
    ],
    ids=["not-an-image", "huge-dimensions", "404", "truncated", "too-large", "timeout"],
)
def test_a_bad_image_is_recorded_with_its_reason_and_never_fails_the_ad(
    actors, site, settings, reply, reason
):
    settings.MEDIA_MAX_BYTES = 2_000_000
    site.route("/bad", reply)
    site.route("/good.png", Reply(body=encoded(drawn_picture(4)), headers=PNG))
    (ad,) = _ingest(
        actors.source_a,
        {"external_id": "1", "body": "x", "images": [site.url("/bad"), site.url("/good.png")]},
    )
    assert ads_fetch_images([ad]) == "media-1"
    bad = AdImage.objects.get(source_url=site.url("/bad"))
    assert bad.status == "failed" and reason in bad.error and bad.evidence_id is None
    assert AdImage.objects.get(source_url=site.url("/good.png")).status == "stored"
    assert EntityOccurrence.objects.filter(ad=ad, entity__kind="image").count() == 1


def test_a_private_address_is_refused_without_the_test_allowance(actors, site, settings):
    settings.CONNECTOR_ALLOW_PRIVATE = False
    site.route("/a.png", Reply(body=encoded(drawn_picture(5)), headers=PNG))
    (ad,) = _ingest(
        actors.source_a, {"external_id": "1", "body": "x", "images": [site.url("/a.png")]}
    )
    ads_fetch_images([ad])
    image = AdImage.objects.get(ad=ad)
    assert image.status == "failed" and "loopback" in image.error
    assert "/a.png" not in site.paths


def test_robots_txt_forbidding_images_is_obeyed(actors, site):
    site.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /private/\n"))
    site.route("/private/a.png", Reply(body=encoded(drawn_picture(5)), headers=PNG))
    (ad,) = _ingest(
        actors.source_a, {"external_id": "1", "body": "x", "images": [site.url("/private/a.png")]}
    )
    ads_fetch_images([ad])
    assert "robots.txt" in AdImage.objects.get(ad=ad).error
    assert "/private/a.png" not in site.paths


def test_a_failed_image_is_fetched_again_on_the_next_run(actors, site):
    site.route("/a.png", Reply(status=404), Reply(body=encoded(drawn_picture(6)), headers=PNG))
    (ad,) = _ingest(
        actors.source_a, {"external_id": "1", "body": "x", "images": [site.url("/a.png")]}
    )
    ads_fetch_images([ad])
    ads_fetch_images([ad])
    image = AdImage.objects.get(ad=ad)
    assert (image.status, image.attempts) == ("stored", 2)


def test_image_inspect_rejects_what_is_not_a_whole_sane_image():
    with pytest.raises(ImageRejected, match="not an image"):
        image_inspect(b"GIF89a but not really")
    with pytest.raises(ImageRejected, match="pixel limit"):
        image_inspect(_bomb_png(20_000, 20_000), max_pixels=1_000_000)
    tiff = encoded(drawn_picture(7), "TIFF")
    with pytest.raises(ImageRejected, match="not an image"):
        image_inspect(tiff)
    inspected = image_inspect(encoded(drawn_picture(7), "WEBP"))
    assert inspected.format == "WEBP" and (inspected.width, inspected.height) == (640, 480)


def test_image_urls_come_from_a_csv_row_separated_by_semicolons_or_spaces(actors):
    data = (
        b"id,title,url,images\n"
        b'1,Hi,https://ads.example/1,"https://img.example/a.jpg; https://img.example/b.jpg'
        b' https://img.example/c.jpg"\n'
    )
    import io

    ads_ingest(source=actors.source_a, rows=read_csv(io.BytesIO(data)))
    ad = Ad.objects.get()
    assert ad_image_urls(ad=ad) == [
        "https://img.example/a.jpg",
        "https://img.example/b.jpg",
        "https://img.example/c.jpg",
    ]


def test_image_urls_from_json_drop_non_http_and_repeat_and_are_capped(actors, settings):
    settings.MEDIA_MAX_IMAGES_PER_AD = 2
    (ad,) = _ingest(
        actors.source_a,
        {
            "external_id": "1",
            "body": "x",
            "images": [
                "javascript:alert(1)",
                "https://img.example/a.jpg",
                "https://img.example/a.jpg",
                "file:///etc/passwd",
                "https://img.example/b.jpg",
                "https://img.example/c.jpg",
            ],
        },
    )
    assert ad_image_urls(ad=ad) == ["https://img.example/a.jpg", "https://img.example/b.jpg"]


def test_html_pages_give_images_only_through_the_configured_selector(actors):
    page = (
        b'<html><body><img src="/logo.png"><div id="gallery"><img src="p/1.jpg">'
        b'<img data-src="/p/2.jpg" src="data:image/gif;base64,R0lGOD"></div></body></html>'
    )
    source = Source.objects.create(
        name="listing",
        kind=SourceKind.HTML,
        unit=actors.unit_a,
        settings={
            "listing_url": "https://ads.example/",
            "item_link": "a",
            "images": "#gallery img",
        },
    )
    record = AdRecord(
        external_id="1",
        body="x",
        url="https://ads.example/ad/9.html",
        raw=page,
        content_type="text/html",
    )
    ads_ingest(source=source, rows=[(record, [])])
    ad = Ad.objects.get(source=source)
    assert ad_image_urls(ad=ad) == ["https://ads.example/ad/p/1.jpg", "https://ads.example/p/2.jpg"]
    source.settings = {"listing_url": "https://ads.example/", "item_link": "a"}
    source.save()
    ad.refresh_from_db()
    assert ad_image_urls(ad=ad) == []


def test_rss_and_atom_image_enclosures_are_read_back_from_the_item(actors):
    rss_item = (
        b"<item><guid>r1</guid><title>t</title><link>https://feed.example/ads/1</link>"
        b'<enclosure url="https://cdn.example/1.jpg" type="image/jpeg" length="1"/>'
        b'<enclosure url="https://cdn.example/1.mp3" type="audio/mpeg" length="1"/>'
        b'<media:content url="/m/2.png" medium="image"/></item>'
    )
    atom_entry = (
        b"<entry><id>a1</id><title>t</title>"
        b'<link rel="alternate" href="https://feed.example/ads/2"/>'
        b'<link rel="enclosure" type="image/png" href="https://cdn.example/3.png"/></entry>'
    )
    source = Source.objects.create(name="feed", kind=SourceKind.RSS, unit=actors.unit_a)
    records = [
        AdRecord(
            external_id="r1",
            body="x",
            url="https://feed.example/ads/1",
            raw=rss_item,
            content_type="application/rss+xml",
        ),
        AdRecord(
            external_id="a1",
            body="y",
            url="https://feed.example/ads/2",
            raw=atom_entry,
            content_type="application/atom+xml",
        ),
    ]
    ads_ingest(source=source, rows=[(r, []) for r in records])
    assert ad_image_urls(ad=Ad.objects.get(external_id="r1")) == [
        "https://cdn.example/1.jpg",
        "https://feed.example/m/2.png",
    ]
    assert ad_image_urls(ad=Ad.objects.get(external_id="a1")) == ["https://cdn.example/3.png"]


def test_an_ad_without_images_costs_nothing(actors, site):
    (ad,) = _ingest(actors.source_a, {"external_id": "1", "body": "no pictures"})
    assert ads_fetch_images([ad]) == "media-1"
    assert not AdImage.objects.exists() and site.paths == []


@pytest.mark.django_db(transaction=True)
def test_the_pipeline_runs_media_between_extract_and_link_and_links_ads_by_photo(actors, site):
    from analytics.models import Link

    picture = drawn_picture(0)
    site.route("/a.png", Reply(body=encoded(picture), headers=PNG))
    site.route("/b.jpg", Reply(body=encoded(picture, "JPEG", quality=80), headers=JPEG))
    ads = _ingest(
        actors.source_a,
        {"external_id": "1", "body": "first words here", "images": [site.url("/a.png")]},
        {"external_id": "2", "body": "other text entirely", "images": [site.url("/b.jpg")]},
    )
    assert all(ad.pipeline_done for ad in ads)
    stages = list(ads[0].stage_runs.order_by("pk").values_list("stage", flat=True))
    assert stages.index("extract") < stages.index("media") < stages.index("link")
    assert Link.objects.filter(kind="image").count() == 1


def test_a_batch_writes_its_images_out_as_it_goes_rather_than_holding_them_all(
    actors, site, monkeypatch
):
    import ads.media

    monkeypatch.setattr(ads.media, "FLUSH_BYTES", 1)
    site.route("/a.png", Reply(body=encoded(drawn_picture(8)), headers=PNG))
    site.route("/b.png", Reply(body=encoded(drawn_picture(9)), headers=PNG))
    ads = _ingest(
        actors.source_a,
        {"external_id": "1", "body": "x", "images": [site.url("/a.png")]},
        {"external_id": "2", "body": "y", "images": [site.url("/b.png")]},
    )
    ads_fetch_images(ads)
    stored = AdImage.objects.filter(status="stored").select_related("evidence")
    assert stored.count() == 2
    assert len({image.evidence.path for image in stored}) == 2  # two writes, one per image
    assert EntityOccurrence.objects.filter(entity__kind="image").count() == 2


def test_images_past_the_batch_time_budget_are_recorded_and_fetched_on_the_next_run(
    actors, site, settings
):
    site.route("/a.png", Reply(body=encoded(drawn_picture(10)), headers=PNG))
    (ad,) = _ingest(
        actors.source_a, {"external_id": "1", "body": "x", "images": [site.url("/a.png")]}
    )
    settings.MEDIA_BATCH_SECONDS = -1.0
    ads_fetch_images([ad])
    image = AdImage.objects.get(ad=ad)
    assert image.status == "failed" and "time budget" in image.error
    assert "/a.png" not in site.paths
    settings.MEDIA_BATCH_SECONDS = 60.0
    ads_fetch_images([ad])
    image.refresh_from_db()
    assert image.status == "stored"


def test_an_unreadable_capture_skips_the_images_loudly_and_lets_the_ad_go_on(actors, caplog):
    from django.core.files.storage import storages

    (ad,) = _ingest(
        actors.source_a, {"external_id": "1", "body": "x", "images": ["https://img.example/a"]}
    )
    storages["evidence"].delete(ad.revisions.get().evidence.path)
    assert ads_fetch_images([ad]) == "media-1"
    assert not AdImage.objects.exists()
    assert f"ad {ad.pk}: capture" in caplog.text and "unreadable" in caplog.text


def test_a_near_copy_a_few_bits_away_links_through_the_first_copys_hash(actors, site):
    # Drawing 3 halved and re-encoded comes out 2 bits away from the original's phash: exact
    # equality would miss it (docs/bench-media.md), the band look-up finds it.
    picture = drawn_picture(3)
    site.route("/big.png", Reply(body=encoded(picture, "PNG"), headers=PNG))
    site.route("/small.jpg", Reply(body=encoded(picture.resize((320, 240)), "JPEG", quality=70)))
    site.route("/other.png", Reply(body=encoded(drawn_picture(4), "PNG"), headers=PNG))
    ads = _ingest(
        actors.source_a,
        {"external_id": "1", "body": "one", "images": [site.url("/big.png")]},
        {"external_id": "2", "body": "two", "images": [site.url("/small.jpg")]},
        {"external_id": "3", "body": "three", "images": [site.url("/other.png")]},
    )
    ads_fetch_images(ads)
    big, small, other = (AdImage.objects.get(ad=ad) for ad in ads)
    assert 0 < phash_distance(big.phash, small.phash) <= IMAGE_MATCH_BITS
    assert small.linked_hash == big.linked_hash == big.phash
    assert other.linked_hash == other.phash
    shared = Entity.objects.get(kind="image", value=big.phash)
    assert set(shared.occurrences.values_list("ad_id", flat=True)) == {ads[0].pk, ads[1].pk}
    assert not Entity.objects.filter(kind="image", value=small.phash).exists()


def _image_with_hash(ad: Ad, phash: str, n: int) -> AdImage:
    raw = f"picture {n}".encode()
    evidence = evidence_store_many(items=[(hashlib.sha256(raw).hexdigest(), raw, "image/png")])
    bands = phash_bands(phash)
    return AdImage.objects.create(
        ad=ad,
        revision=1,
        source_url=f"https://example.org/{n}.png",
        evidence_id=next(iter(evidence.values())),
        phash=phash,
        band0=bands[0],
        band1=bands[1],
        band2=bands[2],
        band3=bands[3],
        status="stored",
    )


def test_matching_takes_the_nearest_earlier_image_within_three_bits_and_no_further(actors):
    (ad,) = _ingest(actors.source_a, {"external_id": "1", "body": "x"})
    first = _image_with_hash(ad, "f0f0f0f0f0f0f0f0", 1)
    three_off = _image_with_hash(ad, "f0f0f0f0f0f0f0f7", 2)  # 3 bits from the first
    four_off = _image_with_hash(ad, "f0f0f0f0f0f0f0ff", 3)  # 4 bits from the first
    spread = _image_with_hash(ad, "f1f1f0f0f0f0f0f1", 4)  # 3 bits, in three different bands
    images_match(images=[first, three_off, four_off, spread])
    assert first.linked_hash == "f0f0f0f0f0f0f0f0"
    assert three_off.linked_hash == "f0f0f0f0f0f0f0f0"
    # One bit from the second image, which already links through the first: the same photo.
    assert four_off.linked_hash == "f0f0f0f0f0f0f0f0"
    assert spread.linked_hash == "f0f0f0f0f0f0f0f0"
    # Shares three bands with the first (so it is a candidate) but is 12 bits away: a new photo.
    far = _image_with_hash(ad, "f0f0f0f0f0f0000f", 5)
    images_match(images=[far])
    assert far.linked_hash == "f0f0f0f0f0f0000f"
    assert AdImage.objects.get(pk=far.pk).linked_hash == "f0f0f0f0f0f0000f"


def test_phash_bands_and_distance():
    assert phash_bands("0123456789abcdef") == ("0123", "4567", "89ab", "cdef")
    assert phash_distance("0000000000000000", "0000000000000007") == 3
    assert phash_distance("ffffffffffffffff", "ffffffffffffffff") == 0
