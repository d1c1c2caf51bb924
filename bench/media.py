"""The media stage: images fetched, verified, kept and hashed per second.

    flock /tmp/bench.lock .venv/bin/python bench/media.py --ads 200 --images 3

In one process against a fresh PostgreSQL database (`h_images_bench_media`, dropped at the end):
1. a local HTTP server (ads.connectors.testing.LocalSite on 127.0.0.1) serves Pillow-drawn
   JPEGs, 640x480 and 1600x1200, every one distinct;
2. `--ads` ads are ingested, each naming `--images` of them (JSON `images`);
3. the real stage handler `ads.media.ads_fetch_images` runs over them in batches of the
   pipeline's batch size (64), in a transaction each, as the pipeline runs it (timed);
4. a second run over the same ads measures the idempotent no-op;
5. `image_inspect` alone (Pillow verify + full decode + phash) is timed on the same bytes,
   to show how much of the stage is image work rather than HTTP and database.

The per-host politeness interval is set to 0 here: with the default 2 s per host, a real site's
images are fetched at 0.5/s whatever this code does, and the figure would measure the sleep.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def database(name: str, *, drop_only: bool = False) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def cpu() -> float:
    times = os.times()
    return times.user + times.system


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ads", type=int, default=200)
    parser.add_argument("--images", type=int, default=3, help="images per ad")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--database", default="h_images_bench_media")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-media-"))
    os.environ.update(
        {
            "DATABASE_URL": database(args.database),
            "PIPELINE_ENQUEUE": "0",
            "EVIDENCE_ROOT": str(workdir / "evidence"),
            "VAR_DIR": str(workdir),
            "DJANGO_ENV": "development",
            "LOG_LEVEL": "WARNING",
            "CONNECTOR_ALLOW_PRIVATE": "1",
            "CONNECTOR_MIN_INTERVAL_SECONDS": "0",
            "REDIS_URL": "",
            "CELERY_BROKER_URL": "",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection, transaction

    from ads.connectors.testing import LocalSite, Reply
    from ads.demo_images import drawn_picture, encoded
    from ads.media import ads_fetch_images, image_inspect
    from ads.models import Ad, AdImage, Source, SourceKind
    from ads.readers import records_from_payload
    from ads.services import ads_ingest

    call_command("migrate", verbosity=0)
    total = args.ads * args.images
    t = time.perf_counter()
    bodies = []
    for number in range(total):
        size = (1600, 1200) if number % 4 == 0 else (640, 480)
        bodies.append(encoded(drawn_picture(number, size), "JPEG", quality=85))
    print(
        f"drew {total} JPEGs ({sum(map(len, bodies)) / total / 1000:.0f} kB mean) "
        f"in {time.perf_counter() - t:.1f} s",
        flush=True,
    )
    try:
        with LocalSite() as site:
            for number, body in enumerate(bodies):
                site.route(
                    f"/i/{number}.jpg", Reply(body=body, headers={"Content-Type": "image/jpeg"})
                )
            source = Source.objects.create(name="bench", kind=SourceKind.FILE)
            rows = [
                {
                    "external_id": str(ad),
                    "body": f"bench ad {ad}",
                    "images": [
                        site.url(f"/i/{ad * args.images + k}.jpg") for k in range(args.images)
                    ],
                }
                for ad in range(args.ads)
            ]
            ads_ingest(source=source, rows=records_from_payload(rows))
            ids = list(Ad.objects.order_by("pk").values_list("pk", flat=True))

            def run() -> tuple[float, float]:
                wall, started = time.perf_counter(), cpu()
                for start in range(0, len(ids), args.batch):
                    with transaction.atomic():
                        batch = list(
                            Ad.objects.filter(pk__in=ids[start : start + args.batch])
                            .select_related("source")
                            .order_by("pk")
                        )
                        ads_fetch_images(batch)
                return time.perf_counter() - wall, cpu() - started

            wall, used = run()
            stored = AdImage.objects.filter(status="stored").count()
            print(
                f"stage: {stored}/{total} images stored in {wall:.2f} s wall, {used:.2f} s CPU "
                f"-> {stored / wall:.1f} images/s ({args.ads / wall:.1f} ads/s)",
                flush=True,
            )
            again, again_cpu = run()
            print(
                f"second run (nothing to fetch): {again:.2f} s wall, {again_cpu:.2f} s CPU, "
                f"{len(site.paths) - total - 1} extra requests",
                flush=True,
            )
        t, started = time.perf_counter(), cpu()
        for body in bodies:
            image_inspect(body)
        inspect_wall = time.perf_counter() - t
        print(
            f"image_inspect alone: {total / inspect_wall:.1f} images/s "
            f"({(cpu() - started) / total * 1000:.1f} ms CPU each)",
            flush=True,
        )
    finally:
        connection.close()
        database(args.database, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
