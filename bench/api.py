"""Load test of the partner and investigator APIs: p95 latency and errors at 50 concurrent clients.

    .venv/bin/python bench/api.py [--ads 20000] [--clients 50] [--duration 15] [--db bench_api]
        [--mode closed|open|both] [--rate 1] [--only TEXT] [--port 8771]
        [--gunicorn-workers 4] [--gunicorn-threads 1] [--client asyncio|threads] [--app-root PATH]
        [--cache-url redis://127.0.0.1:6379/12] [--keep] [--reuse] [--prepare-only] [--profile N]

Loopback only and bounded in time. It (re)creates the PostgreSQL database `--db` on
127.0.0.1:5432 (trust auth, user postgres), migrates it, ingests `--ads` synthetic ads from
demo/synthetic.py, runs the real extraction stage on them (entities), and, as a bench-only shortcut
for the stages other helpers own, writes each ad's city-level location and a score from the
generator's truth, then ANALYZEs the database (as autovacuum would have). It creates a partner and
an admin, gives them fresh tokens (read+tips, read) on every run, starts gunicorn on 127.0.0.1 with
throttling raised (API_THROTTLE_RATE, API_LOOKUP_THROTTLE_RATE: latency is measured, not the rate
limit; a 429 would still count as an error), and runs one phase per endpoint: `--clients`
connections call it for `--duration` seconds. The load generator (bench/_loadgen.py) is one
asyncio loop with a keep-alive connection per client, 0.2-0.5 ms of CPU per call (measured), so it
takes little of the 2 cores from the server; `--client threads` runs the earlier one (a `requests`
session per thread, 1.1 ms of CPU per call) for comparison. gunicorn runs 4 sync workers by
default (one request per process at a time, connections queue fairly in the kernel's accept
queue); `--gunicorn-threads` above 1 gives gthread workers. Lookups ask for numbers
from the generated ads (written "(702) 555-0123") and unknown ones, half each. A 2-second
unrecorded warm-up per endpoint comes first (workers import lazily). Every call is audited, as in
production.

Modes: `closed` (the strict figure): each client sends its next request as soon as the last is
answered, no think time. `open`: each client sends `--rate` requests per second on a fixed schedule
(a partner's clients are not a tight loop); latency counts from when a request was due, so a late
send is charged too. It prints p50/p95/p99/max, requests per second, errors and the server's CPU
per request (gunicorn's processes only, not PostgreSQL's) and the load generator's own CPU per
request, per endpoint, as Markdown.

`--keep` keeps the database, `--reuse` runs against a kept one, `--prepare-only` builds it and
stops; `--profile N` starts no server and calls each endpoint N times in-process (Django test
client, one at a time) to print its median CPU, wall time and query count; `--app-root` serves
another checkout with the same schema (e.g. `git archive` of the code before a change) so that
before and after run back to back on one database.

The load generator shares the machine (2 cores) with gunicorn and PostgreSQL: the figures include
that contention. Compare runs as ratios, on one machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._loadgen import Builder, Samples, run_phase  # noqa: E402 - after the path set-up
from bench._server import (  # noqa: E402 - after the path set-up
    database_exists,
    database_url,
    drop_database,
    fresh_database,
    percentile,
    server_cpu_seconds,
    start_gunicorn,
    stop_processes,
    wait_until_up,
)

GOAL_P95_MS = 200.0


def service_env(database_url: str, workdir: Path, cache_url: str = "") -> dict[str, str]:
    """The server's environment: throttles raised, no broker, and the throttle counters and
    shared statistics in `cache_url` (a Redis URL, as in services mode) or, when empty, in each
    process's local memory."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_ENV": "test",
        "DJANGO_DEBUG": "false",
        "VAR_DIR": str(workdir),
        "EVIDENCE_ROOT": str(workdir / "evidence"),
        "LOG_LEVEL": "WARNING",
        "PIPELINE_ENQUEUE": "false",
        "API_THROTTLE_RATE": "100000000/min",
        "API_LOOKUP_THROTTLE_RATE": "100000000/min",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("CELERY_BROKER_URL", "REDIS_URL", "CACHE_URL"):
        env.pop(name, None)
    if cache_url:
        env["CACHE_URL"] = cache_url
    return env


def prepare(env: dict[str, str], n_ads: int) -> None:
    """Migrate, load and enrich synthetic ads, create the callers' accounts."""
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"],  # noqa: S603
        env=env,
        check=True,
        cwd=ROOT,
    )
    django_setup(env)
    from accounts.models import PartnerOrganisation, Role, User
    from ads.models import Ad, Source
    from ads.readers import records_from_payload
    from ads.services import ads_ingest
    from ads.stages import ads_extract_entities
    from analytics.models import AdScore
    from demo.synthetic import generate_ads
    from maps.models import AdLocation

    source = Source.objects.create(name="bench-shared", kind="file")
    truths: dict[str, dict[str, Any]] = {}
    batch: list[dict[str, str]] = []
    started = time.monotonic()
    for ad in generate_ads(n_ads, seed=11):
        truths[ad.external_id] = ad.truth
        batch.append(ad.as_record())
        if len(batch) == 1000:
            ads_ingest(source=source, rows=records_from_payload(batch))
            batch = []
    if batch:
        ads_ingest(source=source, rows=records_from_payload(batch))
    print(f"ingested {n_ads} ads in {time.monotonic() - started:.1f} s", flush=True)

    started = time.monotonic()
    ids = list(Ad.objects.order_by("pk").values_list("pk", flat=True))
    for i in range(0, len(ids), 500):
        ads = list(Ad.objects.filter(pk__in=ids[i : i + 500]))
        ads_extract_entities(ads)
        locations, scores = [], []
        for ad in ads:
            truth = truths[ad.external_id]
            city, _, state = truth["city"].partition(", ")
            locations.append(
                AdLocation(
                    ad=ad,
                    precision="city",
                    name=f"{city}, {state}, US",
                    country="US",
                    admin1=state,
                    geocoder_version="bench",
                    posted_at=ad.posted_at,
                    source_id_copy=source.pk,
                )
            )
            risky = bool(truth.get("risky"))
            scores.append(
                AdScore(
                    ad=ad,
                    risk=0.8 if risky else 0.1,
                    flagged=risky,
                    category=truth.get("category", ""),
                    model_version="bench",
                    revision=1,
                    reason="bench",
                )
            )
        AdLocation.objects.bulk_create(locations)
        AdScore.objects.bulk_create(scores)
    print(
        f"extracted entities, wrote locations and scores in {time.monotonic() - started:.1f} s",
        flush=True,
    )

    org = PartnerOrganisation.objects.create(name="Bench NGO", slug="bench-ngo", region="NV")
    User.objects.create_user(username="bench-partner", role=Role.PARTNER, partner=org)
    User.objects.create_user(
        username="bench-admin", role=Role.ADMIN, is_staff=True, is_superuser=True
    )
    # A freshly bulk-loaded table has no planner statistics until autovacuum gets to it, and the
    # planner then guesses badly (a lookup took 190 ms instead of 5): measure the steady state.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def callers() -> dict[str, Any]:
    """Fresh tokens for the bench partner (read, tips) and admin (read), and the known phones.

    New tokens every run: only their hashes are stored, so a reused database cannot give back the
    last run's secrets.
    """
    from accounts.models import User
    from accounts.services import api_token_create
    from ads.models import Entity, EntityKind

    partner = User.objects.get(username="bench-partner")
    admin = User.objects.get(username="bench-admin")
    _, partner_token = api_token_create(user=partner, name="bench", scopes=["read", "tips"])
    _, admin_token = api_token_create(user=admin, name="bench", scopes=["read"])
    phones = sorted(
        Entity.objects.filter(kind=EntityKind.PHONE, value__regex=r"^\+1[0-9]{10}$").values_list(
            "value", flat=True
        )
    )
    return {"partner": partner_token, "admin": admin_token, "phones": phones}


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def national(e164: str) -> str:
    digits = e164[2:]
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def run_phase_threads(
    base: str,
    token: str,
    build: Builder,
    *,
    clients: int,
    duration: float,
    rate: float | None = None,
) -> tuple[Samples, float]:
    """The earlier load generator, kept for comparison (`--client threads`): `clients` Python
    threads, each with a keep-alive `requests.Session`, same schedule rules as bench/_loadgen.py.
    It costs the shared 2 cores about 1.1 ms of CPU per call."""
    import requests

    samples, stop, lock = Samples(), threading.Event(), threading.Lock()

    def client(seed: int) -> None:
        rnd = random.Random(seed)  # noqa: S311 - picks test inputs
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        due = time.perf_counter() + (rnd.random() / rate if rate else 0.0)
        while not stop.is_set():
            if rate:
                pause = due - time.perf_counter()
                if pause > 0 and stop.wait(pause):
                    break
            began = due if rate else time.perf_counter()
            method, path, body = build(rnd)
            try:
                response = session.request(method, f"{base}{path}", json=body, timeout=60)
                ok, status = 200 <= response.status_code < 300, str(response.status_code)
            except requests.RequestException as exc:
                ok, status = False, type(exc).__name__
            with lock:
                samples.add(time.perf_counter() - began, status, ok)
            if rate:
                due += 1.0 / rate

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(duration)
    stop.set()
    for thread in threads:
        thread.join(timeout=70)
    return samples, time.monotonic() - began


def phases_for(facts: dict[str, Any]) -> list[tuple[str, str, Builder]]:
    """(name, token, request builder) per benchmarked endpoint."""
    phones = facts["phones"]

    def lookup(rnd: random.Random) -> tuple[str, str, Any]:
        if rnd.random() < 0.5:
            phone = national(rnd.choice(phones))
        else:
            phone = f"(702) 555-{rnd.randrange(200, 9999):04d}"  # almost always unknown
        return "POST", "/api/v1/partner/lookup/", {"phone": phone}

    def get(path: str) -> Builder:
        return lambda rnd: ("GET", path, None)

    partner, admin = facts["partner"], facts["admin"]
    return [
        ("POST /partner/lookup/", partner, lookup),
        ("GET /partner/stats/?weeks=12", partner, get("/api/v1/partner/stats/?weeks=12")),
        (
            "GET /partner/stats/?region=US-NV",
            partner,
            get("/api/v1/partner/stats/?region=US-NV&weeks=52"),
        ),
        ("GET /partner/tips/", partner, get("/api/v1/partner/tips/")),
        ("GET /investigator/ads/", admin, get("/api/v1/investigator/ads/")),
        (
            "GET /investigator/ads/?flagged=true",
            admin,
            get("/api/v1/investigator/ads/?flagged=true&admin1=NV"),
        ),
        (
            "GET /investigator/entities/?kind=phone",
            admin,
            get("/api/v1/investigator/entities/?kind=phone"),
        ),
        ("GET /investigator/networks/", admin, get("/api/v1/investigator/networks/")),
    ]


def call_in_process(client: Any, request: tuple[str, str, Any]) -> Any:
    """One request through Django's test client in this process (no server, no network)."""
    method, path, body = request
    if method == "GET":
        return client.get(path)
    return client.generic(method, path, json.dumps(body), content_type="application/json")


def profile(phases: list[tuple[str, str, Builder]], calls: int) -> None:
    """One request at a time, in-process: median Python CPU and wall time, and query count."""
    import statistics

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    print("| endpoint | queries | CPU ms (median) | wall ms (median) |")
    print("|---|---:|---:|---:|")
    from django.test import Client

    for name, token, build in phases:
        client, rnd = Client(HTTP_AUTHORIZATION=f"Token {token}"), random.Random(7)  # noqa: S311
        for _ in range(3):  # warm: lazy imports, the token's last-use write
            call_in_process(client, build(rnd))
        cpu, wall = [], []
        for _ in range(calls):
            began_cpu, began = time.process_time(), time.perf_counter()
            response = call_in_process(client, build(rnd))
            cpu.append(time.process_time() - began_cpu)
            wall.append(time.perf_counter() - began)
            if response.status_code >= 300:
                raise SystemExit(f"{name}: HTTP {response.status_code}")
        with CaptureQueriesContext(connection) as queries:
            call_in_process(client, build(rnd))
        print(
            f"| {name} | {len(queries.captured_queries)} | {1000 * statistics.median(cpu):.1f} "
            f"| {1000 * statistics.median(wall):.1f} |",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ads", type=int, default=20_000)
    parser.add_argument(
        "--clients", default="50", help="concurrent clients; a comma-separated list runs each"
    )
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument(
        "--mode",
        choices=["closed", "open", "both"],
        default="closed",
        help="closed loop (no think time, the strict figure), open loop (--rate per client), both",
    )
    parser.add_argument(
        "--rate", type=float, default=1.0, help="open loop: requests per second per client"
    )
    parser.add_argument(
        "--only", default="", help="run only the endpoints whose name contains this text"
    )
    parser.add_argument(
        "--client",
        choices=["asyncio", "threads"],
        default="asyncio",
        help="load generator: one asyncio loop (bench/_loadgen.py, ~0.2-0.5 ms CPU per call) or "
        "the earlier requests-in-threads one (~1.1 ms per call on the same 2 cores)",
    )
    parser.add_argument("--db", default="bench_api")
    parser.add_argument(
        "--cache-url",
        default="",
        help="Django cache for throttle counters and shared statistics, e.g. "
        "redis://127.0.0.1:6379/12 as in services mode (default: each process's local memory)",
    )
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument(
        "--gunicorn-threads", type=int, default=1, help="1: sync workers; more: gthread workers"
    )
    parser.add_argument(
        "--app-root",
        type=Path,
        default=ROOT,
        help="serve another checkout of the same schema (e.g. the code before a change)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the database --db as a previous --keep run left it (no rebuild)",
    )
    parser.add_argument(
        "--prepare-only", action="store_true", help="build the database and stop (implies --keep)"
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="no server: call each endpoint N times in-process, one at a time, and print its "
        "median CPU, wall time and query count (Django test client)",
    )
    args = parser.parse_args()
    if args.prepare_only:
        args.keep = True
    if args.profile and args.app_root.resolve() != ROOT:
        raise SystemExit("--profile runs this checkout in-process; --app-root is for gunicorn")

    workdir = Path(tempfile.mkdtemp(prefix="bench-api-"))
    if args.reuse and database_exists(args.db):
        env = service_env(database_url(args.db), workdir, args.cache_url)
        django_setup(env)
        print(f"reusing database {args.db}", flush=True)
    else:
        env = service_env(fresh_database(args.db), workdir, args.cache_url)
        prepare(env, args.ads)
    if args.prepare_only:
        return 0
    facts = callers()
    base = f"http://127.0.0.1:{args.port}"
    if args.profile:
        try:
            profile([p for p in phases_for(facts) if args.only in p[0]], args.profile)
        finally:
            from django.db import connections

            connections.close_all()
            if not args.keep:
                drop_database(args.db)
        return 0
    log = workdir / "gunicorn.log"
    server = start_gunicorn(
        port=args.port,
        workers=args.gunicorn_workers,
        threads=args.gunicorn_threads,
        env=env,
        log=log,
        app_root=args.app_root.resolve(),
    )
    try:
        wait_until_up(base)
        phases = [p for p in phases_for(facts) if args.only in p[0]]
        phase = run_phase if args.client == "asyncio" else run_phase_threads
        import psutil

        from ads.models import Ad

        print(
            f"\nMachine: {platform.machine()}, {psutil.cpu_count()} CPUs, "
            f"{psutil.virtual_memory().total / 2**30:.0f} GiB; Python "
            f"{platform.python_version()}; PostgreSQL on loopback; gunicorn "
            f"{args.gunicorn_workers}x{args.gunicorn_threads} "
            f"({'gthread' if args.gunicorn_threads > 1 else 'sync'}) serving "
            f"{args.app_root.resolve()}; {Ad.objects.count()} ads; {len(facts['phones'])} "
            f"distinct phones; {args.clients} clients ({args.client} load generator), "
            f"{args.duration:.0f} s per endpoint; cache {args.cache_url or 'local memory'}; "
            f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n"
        )
        print(
            "| mode | clients | endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | "
            "errors | server CPU ms/req | client CPU ms/req | statuses |"
        )
        print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        worst = {"partner": 0.0, "all": 0.0}
        total_errors = 0
        # Warm-up, not recorded: every gunicorn worker imports its lazy modules and opens its
        # database connection on its first requests (seconds), which is not the steady state.
        for _, token, build in phases:
            phase(
                base,
                token,
                build,
                clients=max(int(c) for c in args.clients.split(",")),
                duration=2.0,
            )
        modes = ["closed", "open"] if args.mode == "both" else [args.mode]
        runs = [
            (mode, int(c), phase)
            for mode in modes
            for c in args.clients.split(",")
            for phase in phases
        ]
        for mode, clients, (name, token, build) in runs:
            rate = args.rate if mode == "open" else None
            cpu_before, client_before = server_cpu_seconds(server), time.process_time()
            samples, elapsed = phase(
                base, token, build, clients=clients, duration=args.duration, rate=rate
            )
            cpu = server_cpu_seconds(server) - cpu_before
            client_cpu = time.process_time() - client_before
            ms = [s * 1000 for s in samples.latencies]
            p95 = percentile(ms, 0.95)
            if clients == 50 and mode == "closed":
                worst["all"] = max(worst["all"], p95)
                if name.startswith(("GET /partner/", "POST /partner/")):
                    worst["partner"] = max(worst["partner"], p95)
            total_errors += samples.errors
            statuses = ", ".join(f"{k}: {v}" for k, v in sorted(samples.statuses.items()))
            label = "closed" if mode == "closed" else f"open {args.rate:g}/s/client"
            print(
                f"| {label} | {clients} | {name} | {len(ms)} | {len(ms) / elapsed:.0f} "
                f"| {percentile(ms, 0.5):.0f} | {p95:.0f} | {percentile(ms, 0.99):.0f} "
                f"| {max(ms):.0f} | {samples.errors} | {1000 * cpu / max(1, len(ms)):.1f} "
                f"| {1000 * client_cpu / max(1, len(ms)):.2f} | {statuses} |",
                flush=True,
            )
        if "closed" in modes and 50 in {clients for _, clients, _ in runs}:
            for scope, label in (("partner", "partner endpoints"), ("all", "all endpoints")):
                ok = worst[scope] <= GOAL_P95_MS and total_errors == 0
                print(
                    f"\nGoal at 50 closed-loop clients, p95 <= {GOAL_P95_MS:.0f} ms, 0 errors, "
                    f"{label}: {'met' if ok else 'NOT met'} (worst p95 {worst[scope]:.0f} ms, "
                    f"{total_errors} errors in all modes)"
                )
        print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        stop_processes([server])
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.db)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
