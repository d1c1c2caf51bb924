"""Ad images: where an ad's image URLs come from, the `media` pipeline stage, and rendering.

The stage reads the image URLs from the ad's captured record (the evidence of its current
revision), fetches each one through the connectors' `SafeFetcher` (SSRF guard, robots.txt,
per-host rate limit, timeouts, size cap), verifies it with Pillow, keeps the bytes as write-once
evidence, and records the perceptual hash as an `image` entity so that the link stage can tie ads
that share a photo. A bad image is a failed `AdImage` row with its reason; it never fails the ad.

Images are shown blurred unless an investigator reveals one (an audited POST); `image_render`
re-encodes what is shown, so the bytes a browser receives are never the captured file itself.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
import time
import warnings
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import imagehash
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from .models import (
    Ad,
    AdImage,
    AdImageStatus,
    AdRevision,
    Entity,
    EntityKind,
    EntityOccurrence,
    Source,
    SourceKind,
)

logger = logging.getLogger(__name__)

MEDIA_VERSION = "media-1"
ALLOWED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
IMAGE_ACCEPT = "image/webp, image/png, image/jpeg, image/gif;q=0.9, */*;q=0.1"
FEED_TYPES = {"application/rss+xml", "application/rdf+xml", "application/atom+xml"}
THUMBNAIL_PIXELS = 320
REVEAL_PIXELS = 1600
# Strong enough that a face or a tattoo cannot be recognised in a 320-pixel thumbnail.
BLUR_RADIUS = 14
_SEPARATORS = re.compile(r"[;\s]+")
# Fetched bytes held before they are written out as evidence.
FLUSH_BYTES = 64_000_000
# Two phashes at most this many bits apart are the same photo (docs/bench-media.md: re-encoded or
# resized copies came out 0 or 2 bits apart, different pictures 14 or more). Three keeps the
# band look-up exact: 3 differing bits leave at least one of the four 16-bit bands identical.
IMAGE_MATCH_BITS = 3


class ImageRejected(ValueError):
    """Bytes that are not an image we accept; the message says why, for the AdImage row."""


@dataclass(frozen=True)
class InspectedImage:
    """What Pillow found in verified image bytes."""

    format: str
    width: int
    height: int
    phash: str


# --- where the URLs come from ---------------------------------------------------------------


def _http_urls(values: Any) -> list[str]:
    """http(s) URLs from a list, or from a `;`/whitespace separated string."""
    if isinstance(values, str):
        values = _SEPARATORS.split(values)
    if not isinstance(values, list | tuple):
        return []
    urls: list[str] = []
    for value in values:
        if not isinstance(value, str):
            continue
        value = value.strip()
        if len(value) <= 2000 and urlsplit(value).scheme.lower() in ("http", "https"):
            urls.append(value)
    return urls


def _urls_from_json(raw: bytes) -> list[str]:
    try:
        row = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return []
    if not isinstance(row, dict):
        return []
    data = {str(k).strip().lower(): v for k, v in row.items()}
    return _http_urls(data.get("image_urls") or data.get("images") or [])


def _urls_from_csv(raw: bytes, ad_url: str) -> list[str]:
    """A CSV row is stored without its header, so the images column is recognised by its content:
    a cell made only of http(s) URLs that is not the ad's own URL."""
    try:
        cells = next(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")), [])
    except (UnicodeDecodeError, csv.Error):
        return []
    urls: list[str] = []
    for cell in cells:
        cell = cell.strip()
        tokens = [t for t in _SEPARATORS.split(cell) if t]
        if not tokens or cell == ad_url.strip():
            continue
        found = _http_urls(tokens)
        if len(found) == len(tokens):
            urls.extend(found)
    return urls


def _urls_from_html(raw: bytes, source: Source, page_url: str) -> list[str]:
    from bs4 import BeautifulSoup

    from .connectors.listing import image_urls

    selector = source.settings.get("images") if isinstance(source.settings, dict) else None
    if source.kind != SourceKind.HTML or not isinstance(selector, str) or not selector.strip():
        return []
    soup = BeautifulSoup(raw.replace(b"\x00", b""), "lxml")
    return list(image_urls(soup, selector, page_url))


def _urls_from_feed_item(raw: bytes, content_type: str, base: str) -> list[str]:
    """Re-read one feed item's enclosures. The item was sliced out of its feed, so the namespaces
    the feed declared on its root are declared again around it."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    from .connectors import feeds

    default = {
        "application/atom+xml": feeds.ATOM,
        "application/rdf+xml": feeds.RSS1,
    }.get(content_type, "")
    namespaces = {
        "media": feeds.MEDIA,
        "content": feeds.CONTENT,
        "dc": feeds.DC,
        "rdf": feeds.RDF,
        "atom": feeds.ATOM,
    }
    declared = " ".join(f'xmlns:{p}="{uri.strip("{}")}"' for p, uri in namespaces.items())
    if default:
        declared += f' xmlns="{default.strip("{}")}"'
    wrapped = f"<wrap {declared}>".encode() + raw + b"</wrap>"
    try:
        root = fromstring(wrapped, forbid_dtd=True)
    except (DefusedXmlException, SyntaxError, ValueError) as exc:
        logger.info("feed item could not be re-read for images: %s", exc)
        return []
    item = next(iter(root), None)
    if item is None:
        return []
    if content_type == "application/atom+xml":
        fields = feeds._atom_entry(item, base=base)
    else:
        fields = feeds._rss_item(item, default, base=base)
    return _http_urls(fields[5])


def ad_image_urls(*, ad: Ad, revision: AdRevision | None = None) -> list[str]:
    """The image URLs of the ad's current capture, in order, without repeats, capped."""
    revision = revision or (
        AdRevision.objects.filter(ad=ad, number=ad.revision_count)
        .select_related("evidence")
        .first()
    )
    if revision is None:
        return []
    evidence = revision.evidence
    content_type = evidence.content_type.split(";", 1)[0].strip().lower()
    try:
        raw = evidence.read()
    except OSError as exc:
        # A missing capture is an integrity problem for `verify_evidence` and the operators, not
        # a reason to hold the ad's text back from review: its images are skipped, loudly.
        logger.error(
            "ad %s: capture %s unreadable, its images are skipped: %s", ad.pk, evidence.sha256, exc
        )
        return []
    if content_type == "application/json":
        urls = _urls_from_json(raw)
    elif content_type == "text/csv":
        urls = _urls_from_csv(raw, ad.url)
    elif content_type == "text/html":
        urls = _urls_from_html(raw, ad.source, ad.url or ad.source.url)
    elif content_type in FEED_TYPES:
        urls = _urls_from_feed_item(raw, content_type, ad.url or ad.source.url)
    else:
        urls = []
    return list(dict.fromkeys(urls))[: settings.MEDIA_MAX_IMAGES_PER_AD]


# --- verifying and hashing ------------------------------------------------------------------


def image_inspect(data: bytes, *, max_pixels: int | None = None) -> InspectedImage:
    """Verify that `data` is a whole JPEG/PNG/GIF/WebP image of sane size; hash it.

    The size is read from the header and checked before any pixel is decoded, so a
    decompression bomb costs nothing; a truncated or damaged file fails the full decode.
    """
    limit = max_pixels or settings.MEDIA_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as probe:
                width, height = probe.size
                image_format = str(probe.format)
                if width * height > limit:
                    raise ImageRejected(
                        f"{width}x{height} pixels is more than the {limit}-pixel limit"
                    )
                probe.verify()
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as image:
                image.load()
                phash = str(imagehash.phash(image))
    except UnidentifiedImageError as exc:
        raise ImageRejected(f"not an image in {', '.join(ALLOWED_FORMATS)}") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(
            f"more than the {limit}-pixel limit (decompression bomb): {exc}"
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        if isinstance(exc, ImageRejected):
            raise
        raise ImageRejected(f"damaged or truncated image: {exc}") from exc
    return InspectedImage(format=image_format, width=width, height=height, phash=phash)


# --- the stage -------------------------------------------------------------------------------

_FETCHERS: dict[tuple[Any, ...], Any] = {}


def _fetcher() -> Any:
    """One fetcher per worker process and configuration, built like the connectors' one (the
    same rate limiter, so images and pages of one host share its politeness budget)."""
    key = (
        settings.CONNECTOR_USER_AGENT,
        settings.CONNECTOR_ALLOW_PRIVATE,
        settings.CONNECTOR_MIN_INTERVAL_SECONDS,
        settings.CONNECTOR_TIMEOUT_SECONDS,
        settings.MEDIA_MAX_BYTES,
        settings.MEDIA_FETCH_RETRIES,
    )
    if key not in _FETCHERS:
        from .connectors.http import InProcessRateLimiter, RedisRateLimiter, SafeFetcher

        limiter: Any = InProcessRateLimiter()
        if settings.REDIS_URL or settings.CELERY_BROKER_URL.startswith("redis"):
            import redis

            limiter = RedisRateLimiter(
                redis.Redis.from_url(settings.REDIS_URL or settings.CELERY_BROKER_URL)
            )
        _FETCHERS[key] = SafeFetcher(
            user_agent=settings.CONNECTOR_USER_AGENT,
            allow_private=settings.CONNECTOR_ALLOW_PRIVATE,
            rate_limiter=limiter,
            min_interval=settings.CONNECTOR_MIN_INTERVAL_SECONDS,
            read_timeout=settings.CONNECTOR_TIMEOUT_SECONDS,
            connect_timeout=min(5.0, settings.CONNECTOR_TIMEOUT_SECONDS),
            max_bytes=settings.MEDIA_MAX_BYTES,
            retries=settings.MEDIA_FETCH_RETRIES,
        )
    return _FETCHERS[key]


@dataclass
class _Outcome:
    ad: Ad
    url: str
    position: int
    data: bytes = b""
    inspected: InspectedImage | None = None
    error: str = ""


def _fetch_one(fetcher: Any, ad: Ad, url: str, position: int) -> _Outcome:
    from .connectors.http import FetchError

    outcome = _Outcome(ad=ad, url=url, position=position)
    try:
        fetched = fetcher.fetch(url, accept=IMAGE_ACCEPT)
        outcome.inspected = image_inspect(fetched.body)
        outcome.data = fetched.body
    except FetchError as exc:
        outcome.error = exc.reason
    except ImageRejected as exc:
        outcome.error = str(exc)
    if outcome.error:
        logger.info("ad %s image %s not kept: %s", ad.pk, url, outcome.error)
    return outcome


def ads_fetch_images(ads: list[Ad], *, fetcher: Any = None) -> str:
    """Pipeline stage: fetch, verify, keep and hash each ad's images; link them as entities.

    Idempotent: an image already stored for the ad is not fetched again. Every failure stays on
    its own AdImage row. Images still unreached when the batch's time budget is spent are
    recorded as failed and retried the next time the stage runs for the ad.
    """
    fetcher = fetcher or _fetcher()
    deadline = time.monotonic() + settings.MEDIA_BATCH_SECONDS
    wanted: dict[int, list[str]] = {}
    outcomes: list[_Outcome] = []
    held = 0
    existing = {
        (image.ad_id, image.source_url): image
        for image in AdImage.objects.filter(ad__in=ads).select_related("evidence")
    }
    # The current capture of every ad in one query (the common ad has no image: keep it cheap).
    captures = {
        revision.ad_id: revision
        for revision in AdRevision.objects.filter(
            ad__in=ads, number=F("ad__revision_count")
        ).select_related("evidence")
    }
    for ad in ads:
        capture = captures.get(ad.pk)
        urls = ad_image_urls(ad=ad, revision=capture) if capture is not None else []
        wanted[ad.pk] = urls
        for position, url in enumerate(urls):
            known = existing.get((ad.pk, url))
            if known is not None and known.is_stored:
                continue
            if time.monotonic() > deadline:
                outcomes.append(
                    _Outcome(ad, url, position, error="not fetched yet: batch time budget spent")
                )
                continue
            outcomes.append(_fetch_one(fetcher, ad, url, position))
            held += len(outcomes[-1].data)
            if held > FLUSH_BYTES:
                # Write what is held so far: a batch of 64 ads with 10 large images each must
                # not sit in memory whole.
                _store(outcomes, existing)
                outcomes, held = [], 0
    if outcomes:
        _store(outcomes, existing)
    ads_link_images(ads=ads, urls=wanted)
    return MEDIA_VERSION


def _store(outcomes: list[_Outcome], existing: dict[tuple[int, str], AdImage]) -> None:
    from .services import evidence_store_many

    good = [o for o in outcomes if o.inspected is not None]
    evidence = evidence_store_many(
        items=[
            (hashlib.sha256(o.data).hexdigest(), o.data, f"image/{o.inspected.format.lower()}")
            for o in good
            if o.inspected
        ]
    )
    now = timezone.now()
    creates: list[AdImage] = []
    updates: list[AdImage] = []
    for outcome in outcomes:
        image = existing.get((outcome.ad.pk, outcome.url))
        if image is None:
            image = AdImage(ad=outcome.ad, source_url=outcome.url, attempts=0)
            creates.append(image)
        else:
            updates.append(image)
        image.revision = outcome.ad.revision_count
        image.position = outcome.position
        image.attempts += 1
        image.fetched_at = now
        if outcome.inspected is not None:
            image.evidence_id = evidence[hashlib.sha256(outcome.data).hexdigest()]
            image.status = AdImageStatus.STORED
            image.format = outcome.inspected.format
            image.width, image.height = outcome.inspected.width, outcome.inspected.height
            if image.phash != outcome.inspected.phash:
                image.linked_hash = ""  # chosen again by ads_link_images
            image.phash = outcome.inspected.phash
            image.band0, image.band1, image.band2, image.band3 = phash_bands(image.phash)
            image.error = ""
        else:
            image.status = AdImageStatus.FAILED
            image.error = outcome.error[:2000]
    AdImage.objects.bulk_create(creates)
    if updates:
        AdImage.objects.bulk_update(
            updates,
            [
                "revision",
                "position",
                "attempts",
                "fetched_at",
                "evidence",
                "status",
                "format",
                "width",
                "height",
                "phash",
                "band0",
                "band1",
                "band2",
                "band3",
                "linked_hash",
                "error",
            ],
        )


def ads_link_images(*, ads: list[Ad], urls: dict[int, list[str]]) -> None:
    """Replace the ads' image entities with the perceptual hashes of their current images.

    Extraction replaces every occurrence of an ad when its text changes, so the image ones are
    written again here each time, from the stored images of the current capture.
    """
    now = timezone.now()
    hashes: dict[int, set[str]] = {ad.pk: set() for ad in ads}
    current = [
        image
        for image in AdImage.objects.filter(ad__in=ads, status=AdImageStatus.STORED)
        if image.source_url in urls.get(image.ad_id, ())
    ]
    images_match(images=current)
    for image in current:
        hashes[image.ad_id].add(image.linked_hash)
    values = {h for found in hashes.values() for h in found}
    EntityOccurrence.objects.filter(ad__in=ads, entity__kind=EntityKind.IMAGE).delete()
    if not values:
        return
    Entity.objects.bulk_create(
        [
            Entity(kind=EntityKind.IMAGE, value=v, first_seen_at=now, last_seen_at=now)
            for v in values
        ],
        ignore_conflicts=True,
    )
    entities = {e.value: e for e in Entity.objects.filter(kind=EntityKind.IMAGE, value__in=values)}
    revisions = {ad.pk: ad.revision_count for ad in ads}
    # An image has no place in the text: its occurrence is an empty span at 0.
    EntityOccurrence.objects.bulk_create(
        [
            EntityOccurrence(
                entity=entities[v], ad_id=ad_id, revision=revisions[ad_id], start=0, end=0
            )
            for ad_id, found in hashes.items()
            for v in sorted(found)
        ]
    )
    Entity.objects.filter(pk__in=[e.pk for e in entities.values()]).update(last_seen_at=now)


def phash_bands(phash: str) -> tuple[str, str, str, str]:
    """The four 16-bit bands (4 hex digits each) of a 64-bit phash."""
    return phash[0:4], phash[4:8], phash[8:12], phash[12:16]


def phash_distance(a: str, b: str) -> int:
    """Hamming distance between two phashes given as 16 hex digits."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def images_match(*, images: list[AdImage]) -> None:
    """Give each stored image without one its linked hash: that of the nearest earlier image at
    most IMAGE_MATCH_BITS away (ties: the earliest), else its own phash.

    Exact phash equality missed 7-16% of re-encoded or resized copies (docs/bench-media.md);
    mapping a near copy onto the hash of the first copy seen makes them one image entity, so the
    linking stage links their ads. Candidates come from the band indexes, never a scan.
    """
    todo = sorted((i for i in images if i.phash and not i.linked_hash), key=lambda i: i.pk)
    if not todo:
        return
    wanted: tuple[set[str], ...] = (set(), set(), set(), set())
    for image in todo:
        for n, band in enumerate(phash_bands(image.phash)):
            wanted[n].add(band)
    candidates = sorted(
        AdImage.objects.filter(
            Q(band0__in=wanted[0])
            | Q(band1__in=wanted[1])
            | Q(band2__in=wanted[2])
            | Q(band3__in=wanted[3]),
            status=AdImageStatus.STORED,
            pk__lt=todo[-1].pk,
        )
        .exclude(phash="")
        .values_list("pk", "phash", "linked_hash")
    )
    # A candidate not matched yet (stored by a concurrent batch) links through its own phash.
    linked = {pk: linked_hash or phash for pk, phash, linked_hash in candidates}
    for image in todo:
        best: tuple[int, int] | None = None  # (distance, pk)
        for pk, phash, _ in candidates:
            if pk >= image.pk:
                break
            distance = phash_distance(image.phash, phash)
            if distance <= IMAGE_MATCH_BITS and (best is None or distance < best[0]):
                best = (distance, pk)
        image.linked_hash = linked[best[1]] if best else image.phash
        linked[image.pk] = image.linked_hash
    AdImage.objects.bulk_update(todo, ["linked_hash"])


def ad_image_store(*, ad: Ad, source_url: str, data: bytes, position: int = 0) -> AdImage:
    """Keep image bytes obtained otherwise than by fetching (demo data, a partner upload).

    Raises ImageRejected when the bytes are not an acceptable image; nothing is written then.
    """
    inspected = image_inspect(data)
    outcome = _Outcome(ad=ad, url=source_url, position=position, data=data, inspected=inspected)
    existing = {
        (i.ad_id, i.source_url): i for i in AdImage.objects.filter(ad=ad, source_url=source_url)
    }
    _store([outcome], existing)
    return AdImage.objects.get(ad=ad, source_url=source_url)


# --- showing them ----------------------------------------------------------------------------


def image_render(*, image: AdImage, blurred: bool) -> bytes:
    """A re-encoded JPEG of a stored image: a blurred thumbnail, or the clear picture (bounded).

    Re-encoding drops EXIF (GPS!) and anything smuggled after the image data; the evidence keeps
    the original bytes for the case file.
    """
    if not image.is_stored or image.evidence is None:
        raise ImageRejected("this image was not kept")
    size = THUMBNAIL_PIXELS if blurred else REVEAL_PIXELS
    with Image.open(io.BytesIO(image.evidence.read()), formats=ALLOWED_FORMATS) as source:
        # JPEG can decode at 1/2, 1/4 or 1/8 scale: a thumbnail of a large photo costs little.
        source.draft("RGB", (size, size))
        picture = ImageOps.exif_transpose(source) or source
        picture = picture.convert("RGB")
    picture.thumbnail((size, size))
    if blurred:
        # Blur a small copy hard, then scale it back: no detail survives to be sharpened again.
        small = picture.resize((max(1, picture.width // 8), max(1, picture.height // 8)))
        picture = small.filter(ImageFilter.GaussianBlur(2)).resize(picture.size)
        picture = picture.filter(ImageFilter.GaussianBlur(BLUR_RADIUS))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=80)
    return out.getvalue()
