"""Load test: dashboard pages and the API stay up while the pipeline ingests.

    .venv/bin/python bench/load.py [--duration 45] [--clients 8] [--ingest-batch 100]
        [--db bench_load] [--broker redis://127.0.0.1:6379/13] [--port 8765]
        [--gunicorn-workers 3] [--gunicorn-threads 1] [--celery-concurrency 1] [--keep]

Everything is on loopback and bounded in time. It creates a fresh PostgreSQL database, migrates
it, trains and activates the risk model (so the scoring stage really runs), creates an admin, an
investigator and a partner with an 'ads' token, then starts gunicorn on 127.0.0.1 and a Celery
worker on every pipeline queue. Two phases of `--duration` seconds each: `--clients` threads,
each with its own signed-in session, GET the map page, the queue page, the admin's pipeline
status page, /health/ and the investigator API list endpoints in turn, first with nothing being
ingested (idle), then while one more thread keeps POSTing batches of synthetic ads
(demo/synthetic.py) to /api/v1/ingest/ with the partner token and the worker runs every stage
(busy). It prints p50/p95/max latency and the error rate (non-2xx or connection errors) per
endpoint for both phases, the busy/idle p95 ratio, and the pipeline's progress. The API throttle
is raised for the run (API_THROTTLE_RATE) so that latency, not the rate limit, is measured; a 429
would still count as an error.

The load generator runs on the same machine as the server and the worker: the figures include
that contention. Compare runs as ratios, on one machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._server import (  # noqa: E402 - after the path set-up
    drop_database,
    fresh_database,
    percentile,
    start_gunicorn,
    stop_processes,
    wait_until_up,
)

PASSWORD = "bench-load-password-not-secret-1"  # noqa: S105 - a throwaway bench database
PAGES = {
    # "/" sends an investigator on to the queue (302), so the map page stands in for it.
    "page /maps/ (map)": ("investigator", "/maps/"),
    "page /cases/ (queue)": ("investigator", "/cases/"),
    "page admin pipeline status": ("admin", "/admin/ads/ad/pipeline-status/"),
    "GET /health/": ("investigator", "/health/"),
    "API investigator/ads": ("investigator", "/api/v1/investigator/ads/"),
    "API investigator/queue": ("investigator", "/api/v1/investigator/queue/"),
    "API investigator/networks": ("investigator", "/api/v1/investigator/networks/"),
}
INGEST = "API POST /ingest/ (100 ads)"


@dataclass
class Samples:
    """Latencies (seconds) and failures per endpoint, shared by the client threads."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    statuses: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    details: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, seconds: float, status: str, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.latencies[name].append(seconds)
            self.statuses[name][status] += 1
            if not ok:
                self.errors[name] += 1
                if len(self.details) < 20:
                    self.details.append(f"{name}: {status} {detail}"[:300])


def service_env(args: argparse.Namespace, database_url: str, workdir: Path) -> dict[str, str]:
    models = workdir / "models"
    models.mkdir(parents=True, exist_ok=True)
    encoders = ROOT / "var" / "models" / "encoders"
    if encoders.exists() and not (models / "encoders").exists():
        # Reuse the quantised encoder built once for this checkout instead of rebuilding it.
        (models / "encoders").symlink_to(encoders, target_is_directory=True)
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": args.broker,
        "DJANGO_ENV": "test",
        "DJANGO_DEBUG": "false",
        "VAR_DIR": str(workdir),
        "EVIDENCE_ROOT": str(workdir / "evidence"),
        "MODEL_DIR": str(models),
        "LOG_LEVEL": "WARNING",
        "API_THROTTLE_RATE": "1000000/min",
        "HF_HUB_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
    }


def prepare(env: dict[str, str]) -> dict[str, str]:
    """Migrate, train the risk model, create the actors; returns the partner's ingest token."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)  # noqa: S603
    subprocess.run(
        [*manage, "train_risk_model", "--no-progress", "--no-decisions"],  # noqa: S603
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    os.environ.update(
        {
            k: env[k]
            for k in (
                "DATABASE_URL",
                "DJANGO_ENV",
                "DJANGO_DEBUG",
                "VAR_DIR",
                "EVIDENCE_ROOT",
                "MODEL_DIR",
                "LOG_LEVEL",
            )
        }
    )
    os.environ["PIPELINE_ENQUEUE"] = "false"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from accounts.models import PartnerOrganisation, Role, Unit, User
    from accounts.services import api_token_create

    unit = Unit.objects.create(name="Load unit", code="load")
    org = PartnerOrganisation.objects.create(name="Load NGO", slug="load-ngo", region="NV")
    User.objects.create_user(
        username="load-inv", password=PASSWORD, role=Role.INVESTIGATOR, unit=unit
    )
    User.objects.create_user(
        username="load-admin", password=PASSWORD, role=Role.ADMIN, is_staff=True, is_superuser=True
    )
    partner = User.objects.create_user(
        username="load-partner", password=PASSWORD, role=Role.PARTNER, partner=org
    )
    _, token = api_token_create(user=partner, name="load", scopes=["read", "ads"])
    return {"token": token}


def start_services(args: argparse.Namespace, env: dict[str, str], log: Path) -> list[Any]:
    from config.celery import QUEUES

    queues = ",".join(QUEUES)
    gunicorn = start_gunicorn(
        port=args.port,
        workers=args.gunicorn_workers,
        threads=args.gunicorn_threads,
        env=env,
        log=log,
    )
    handle = log.open("ab")
    worker = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queues,
            "-c",
            str(args.celery_concurrency),
            "-l",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"load-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return [gunicorn, worker]


def signed_in(base: str, username: str) -> Any:
    import requests

    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=10)
    response = session.post(
        f"{base}/accounts/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
        },
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=10,
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise SystemExit(f"login as {username} failed with HTTP {response.status_code}")
    return session


def browse(
    base: str, sessions: dict[str, Any], samples: Samples, stop: threading.Event, seed: int
) -> None:
    import requests

    names = list(PAGES)
    random.Random(seed).shuffle(names)  # noqa: S311 - spreads the clients over the endpoints
    index = 0
    while not stop.is_set():
        name = names[index % len(names)]
        index += 1
        who, path = PAGES[name]
        start = time.perf_counter()
        detail = ""
        try:
            response = sessions[who].get(f"{base}{path}", timeout=30, allow_redirects=False)
            status, ok = str(response.status_code), 200 <= response.status_code < 300
            detail = "" if ok else response.text[:200]
        except requests.RequestException as exc:
            status, ok, detail = type(exc).__name__, False, str(exc)
        samples.add(name, time.perf_counter() - start, status, ok, detail)


def ingest(
    base: str, token: str, batch: int, samples: Samples, stop: threading.Event, sent: list[int]
) -> None:
    import requests

    from demo.synthetic import generate_ads

    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    # Enough for the longest run; the generator's set-up grows with n (10M would take 25 s).
    records = (ad.as_record() for ad in generate_ads(200_000, seed=11))
    while not stop.is_set():
        payload = [next(records) for _ in range(batch)]
        start = time.perf_counter()
        detail = ""
        try:
            response = session.post(f"{base}/api/v1/ingest/", json={"ads": payload}, timeout=60)
            status, ok = str(response.status_code), response.status_code == 200
            if ok:
                sent[0] += response.json()["new"]
            else:
                detail = response.text[:200]
        except requests.RequestException as exc:
            status, ok, detail = type(exc).__name__, False, str(exc)
        samples.add(INGEST, time.perf_counter() - start, status, ok, detail)


def report(samples: Samples, duration: float, baseline: Samples | None = None) -> str:
    """A Markdown table; with a baseline, the p95 ratio busy/idle per endpoint."""
    lines = [
        "| endpoint | requests | req/s | p50 ms | p95 ms | max ms | errors | statuses |"
        + (" p95 vs idle |" if baseline else ""),
        "|---|---:|---:|---:|---:|---:|---:|---|" + ("---:|" if baseline else ""),
    ]
    for name in [*PAGES, INGEST]:
        values = samples.latencies.get(name, [])
        if not values and name == INGEST:
            continue
        errors = samples.errors.get(name, 0)
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(samples.statuses[name].items()))
        rate = f"{100 * errors / len(values):.1f}%" if values else "-"
        line = (
            f"| {name} | {len(values)} | {len(values) / duration:.1f} | "
            f"{1000 * statistics.median(values) if values else float('nan'):.0f} | "
            f"{1000 * percentile(values, 0.95):.0f} | "
            f"{1000 * max(values) if values else float('nan'):.0f} | {rate} | {statuses} |"
        )
        if baseline:
            idle = baseline.latencies.get(name, [])
            ratio = percentile(values, 0.95) / percentile(idle, 0.95) if idle and values else None
            line += f" {ratio:.1f}x |" if ratio else " - |"
        lines.append(line)
    return "\n".join(lines)


def load_phase(
    base: str, args: argparse.Namespace, token: str | None, sent: list[int]
) -> tuple[Samples, float]:
    """`--clients` browsing threads for `--duration` seconds, plus the ingest thread if a token."""
    samples = Samples()
    stop = threading.Event()
    threads = []
    if token:
        threads.append(
            threading.Thread(
                target=ingest,
                daemon=True,
                args=(base, token, args.ingest_batch, samples, stop, sent),
            )
        )
    for i in range(args.clients):
        # Each client signs in for itself (a requests.Session is not shared between threads).
        own = {"investigator": signed_in(base, "load-inv"), "admin": signed_in(base, "load-admin")}
        threads.append(
            threading.Thread(target=browse, args=(base, own, samples, stop, i), daemon=True)
        )
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(args.duration)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    return samples, time.monotonic() - started


def pipeline_progress() -> dict[str, Any]:
    from ads import pipeline

    report_ = pipeline.pipeline_status_report()
    keys = ("total_ads", "done", "backlog", "failed", "completed_last_hour")
    return {k: report_[k] for k in keys}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration",
        type=float,
        default=45.0,
        help="seconds of each phase, idle then busy (max 300)",
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--ingest-batch", type=int, default=100)
    parser.add_argument("--db", default="bench_load")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--port", type=int, default=8765)
    # The Dockerfile's web command: 3 sync workers.
    parser.add_argument("--gunicorn-workers", type=int, default=3)
    parser.add_argument("--gunicorn-threads", type=int, default=1)
    parser.add_argument("--celery-concurrency", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    args.duration = min(args.duration, 300.0)
    if not args.broker.startswith("redis://127.0.0.1") or args.db in {"test", "postgres"}:
        raise SystemExit("loopback Redis and a database of its own only")

    import redis

    redis.Redis.from_url(args.broker).flushdb()  # the bench's own broker database
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    database_url = fresh_database(args.db)
    env = service_env(args, database_url, workdir)
    print(f"database {args.db}, workdir {workdir}; migrating and training the risk model…")
    secrets = prepare(env)
    base = f"http://127.0.0.1:{args.port}"
    log = workdir / "services.log"
    processes = start_services(args, env, log)
    try:
        wait_until_up(base)
        sent = [0]
        print(f"idle phase: {args.clients} clients for {args.duration:.0f} s, nothing ingested")
        idle, idle_elapsed = load_phase(base, args, None, sent)
        print(f"busy phase: the same clients plus 1 thread posting {args.ingest_batch}-ad batches")
        busy, elapsed = load_phase(base, args, secrets["token"], sent)
        progress = pipeline_progress()
    finally:
        stop_processes(processes)
    print(
        f"\nmachine: {platform.platform()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; gunicorn {args.gunicorn_workers}x{args.gunicorn_threads} "
        f"threads, celery -c {args.celery_concurrency}, {args.clients} clients"
    )
    print(f"\nidle (no ingestion, worker waiting), {idle_elapsed:.0f} s:")
    print(report(idle, idle_elapsed))
    print(f"\nbusy (ingesting through the API, worker running every stage), {elapsed:.0f} s:")
    print(report(busy, elapsed, baseline=idle))
    for detail in idle.details + busy.details:
        print(f"  error: {detail}")
    print(f"\ningested through the API: {sent[0]} ads; pipeline at the end: {progress}")
    errors = [
        line
        for line in log.read_text(errors="replace").splitlines()
        if "Traceback" in line or " ERROR" in line
    ]
    print(f"service log: {log} ({len(errors)} error lines)")
    if not args.keep:
        drop_database(args.db)
        if not errors:  # keep the log to read when something went wrong
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
