"""The whole pipeline end to end, in services mode, as the README starts it (issue #20).

    .venv/bin/python bench/pipeline.py [FILE] [--synthetic 20000] [--workers 1,2]
        [--app-root DIR ...] [--db h_pipeline] [--broker redis://127.0.0.1:6379/14]
        [--log-level info] [--json results.json] [--env [LABEL:]NAME=VALUE ...]

FILE is a CSV/JSONL/XLSX of ads (e.g. /work/shared/data/dig-ads-classifier/training.csv, kept
outside the repository); without it, `--synthetic N` ads from the demo generator
(demo/synthetic.py, seed 0) are written to a temporary JSONL file.

For each code checkout (`--app-root`, default this one; give an older checkout to compare before
and after in the same run) and each worker concurrency (`--workers`), it:
1. recreates the PostgreSQL database `--db`, migrates it and trains + activates the risk model with
   that checkout's code (`manage.py migrate`, `manage.py train_risk_model`), so the scoring stage
   really runs; flushes the Redis database of `--broker`;
2. starts one `celery -A config worker -Q <every queue of config/celery.py> -c N -l info` and
   `celery -A config beat`, as the README does;
3. runs `manage.py ingest FILE --source bench-pipeline` and polls the database until every ad it
   created is done (pipeline_stage = 'done');
4. reports: ads/s end to end (ads / seconds from the start of the ingest to the last ad done), the
   time to 50%, 99.9% and 100% of the ads done (each ad's last StageRun), the gap between the
   99.9th percentile and the last ad; CPU seconds of the worker tree, beat, the ingest command and
   the PostgreSQL backends serving `--db` (user+system, psutil), per ad; per stage, the CPU the
   stage's handler spent per ad where the checkout records it (StageRun.cpu_seconds), and the
   pipeline's own overhead (worker CPU minus the handlers'); PostgreSQL active time of the database
   (pg_stat_database.active_time: statements running or waiting on a lock; pg_stat_statements is
   not preloaded on this server); deadlocks (`deadlock detected`), task retries (`retry:`), batches
   retried ad by ad and sweep re-enqueues, counted in the worker and beat logs.

`--env NAME=VALUE` sets a setting for every run, `--env LABEL:NAME=VALUE` for the checkout of that
label only (PIPELINE_* and DJANGO_* are otherwise cleared), so one checkout can run twice with
different settings: `--app-root b64=. --app-root b128=. --env b128:PIPELINE_BATCH_SIZE=128`.

The machine is shared: compare checkouts and concurrencies as ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._server import (  # noqa: E402 - after the path set-up
    PG_ADMIN,
    database_url,
    fresh_database,
    percentile,
    stop_processes,
)

QUEUES = "default,ingest,extract,media,score,geocode,link,queue,alerts"
LOG_PATTERNS = {
    "deadlocks": re.compile(r"deadlock detected"),
    "retries": re.compile(r"\] retry: "),
    "batches_retried_one_by_one": re.compile(r"retrying ads one by one"),
    "sweep_reenqueues": re.compile(r"pipeline sweep re-enqueued"),
    "failed_ads": re.compile(r"\(parked as failed\)"),
    "task_errors": re.compile(r"\] raised unexpected"),
}


@dataclass
class RunResult:
    """One checkout at one worker concurrency: the figures the module docstring lists."""

    label: str
    app_root: str
    workers: int
    ads: int = 0
    ingest_seconds: float = 0.0
    seconds_to_50: float = 0.0
    seconds_to_999: float = 0.0
    seconds_to_100: float = 0.0
    tail_after_999: float = 0.0
    ads_per_second: float = 0.0
    timed_out: bool = False
    not_done: int = 0
    cpu_worker_ms_per_ad: float = 0.0
    cpu_beat_ms_per_ad: float = 0.0
    cpu_ingest_ms_per_ad: float = 0.0
    cpu_postgres_ms_per_ad: float = 0.0
    pg_active_ms_per_ad: float = 0.0
    stage_cpu_ms_per_ad: dict[str, float] = field(default_factory=dict)
    overhead_cpu_ms_per_ad: float | None = None
    tasks: int | None = None
    log_counts: dict[str, int] = field(default_factory=dict)
    load_before: float = 0.0


def pg(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def service_env(
    args: argparse.Namespace, workdir: Path, app_root: Path, label: str = ""
) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for item in args.env:
        head, _, value = item.partition("=")
        scope, _, name = head.rpartition(":")
        if scope in ("", label):
            chosen[name] = value
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PIPELINE_"))},
        "DATABASE_URL": database_url(args.db),
        "CELERY_BROKER_URL": args.broker,
        "DJANGO_ENV": "test",
        "DJANGO_DEBUG": "false",
        "VAR_DIR": str(workdir),
        "EVIDENCE_ROOT": str(workdir / "evidence"),
        "MODEL_DIR": str(workdir / "models"),
        "HF_HUB_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(app_root),
        **chosen,
    }


def prepare_database(args: argparse.Namespace, env: dict[str, str], app_root: Path) -> None:
    fresh_database(args.db)
    manage = [sys.executable, str(app_root / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=app_root)  # noqa: S603
    subprocess.run(
        [*manage, "train_risk_model", "--no-progress", "--no-decisions"],  # noqa: S603
        env=env,
        check=True,
        cwd=app_root,
        stdout=subprocess.DEVNULL,
    )
    import redis

    redis.Redis.from_url(args.broker).flushdb()


def start_celery(
    args: argparse.Namespace, env: dict[str, str], app_root: Path, workers: int, log: Path
) -> list[subprocess.Popen[bytes]]:
    handle = log.open("ab")
    common = [sys.executable, "-m", "celery", "-A", "config"]
    worker = subprocess.Popen(  # noqa: S603
        [
            *common,
            "worker",
            "-Q",
            args.queues,
            "-c",
            str(workers),
            "-l",
            args.log_level,
            "-n",
            f"bench-pipeline-{os.getpid()}@%h",
        ],
        cwd=app_root,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    beat = subprocess.Popen(  # noqa: S603
        [
            *common,
            "beat",
            "-l",
            args.log_level,
            "-s",
            str(log.parent / f"beat-{workers}.schedule"),
        ],
        cwd=app_root,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return [worker, beat]


def tree_cpu(pid: int) -> dict[int, float]:
    """CPU seconds (user+system) of a process and its descendants, by pid."""
    import psutil

    out: dict[int, float] = {}
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return out
    for proc in procs:
        try:
            times = proc.cpu_times()
            out[proc.pid] = times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return out


def postgres_cpu(db: str) -> dict[int, float]:
    """CPU seconds of the PostgreSQL backends connected to `db` (their titles name it)."""
    import psutil

    out: dict[int, float] = {}
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(proc.info.get("cmdline") or [])
        if cmdline.startswith("postgres: ") and f" {db} " in cmdline:
            try:
                times = proc.cpu_times()
                out[proc.pid] = times.user + times.system
            except psutil.NoSuchProcess:
                continue
    return out


def wait_for_worker(log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and " ready." in log.read_text(errors="replace"):
            return
        time.sleep(0.5)
    raise SystemExit(f"the Celery worker did not start (see {log})")


def run_once(
    args: argparse.Namespace, app_root: Path, label: str, workers: int, path: Path, workdir: Path
) -> RunResult:
    result = RunResult(label=label, app_root=str(app_root), workers=workers)
    env = service_env(args, workdir, app_root, label)
    print(f"[{label} x{workers}] preparing database {args.db}", flush=True)
    prepare_database(args, env, app_root)
    url = database_url(args.db)
    log = workdir / f"celery-{label}-{workers}.log"
    log.unlink(missing_ok=True)
    processes = start_celery(args, env, app_root, workers, log)
    try:
        wait_for_worker(log)
        result.load_before = os.getloadavg()[0]
        active0 = pg(
            PG_ADMIN, "SELECT active_time FROM pg_stat_database WHERE datname = %s", (args.db,)
        )[0][0]
        worker_cpu0 = tree_cpu(processes[0].pid)
        beat_cpu0 = tree_cpu(processes[1].pid)
        print(f"[{label} x{workers}] ingesting {path.name}", flush=True)
        _children_cpu()  # reset: only the ingest command is reaped from here on
        start = time.time()
        ingest = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                str(app_root / "manage.py"),
                "ingest",
                str(path),
                "--source",
                "bench-pipeline",
                "--no-progress",
                "--json",
                *(["--row-ids"] if args.row_ids else []),
            ],
            cwd=app_root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        pg_pids: dict[int, float] = {}
        worker_pids: dict[int, float] = {}
        ingest_cpu = 0.0
        ingest_done = False
        deadline = start + args.timeout
        while True:
            time.sleep(0.5)
            worker_pids.update(tree_cpu(processes[0].pid))
            pg_pids.update(postgres_cpu(args.db))
            if not ingest_done and ingest.poll() is not None:
                ingest_done = True
                result.ingest_seconds = time.time() - start
                ingest_cpu = _children_cpu()
                output = ingest.stdout.read().decode(errors="replace") if ingest.stdout else ""
                if ingest.returncode != 0:
                    raise SystemExit(f"ingest failed:\n{output[-3000:]}")
            if ingest_done:
                total, done = pg(
                    url,
                    "SELECT count(*), count(*) FILTER (WHERE pipeline_stage = 'done') FROM ads_ad",
                )[0]
                if total and done >= total:
                    break
            if time.time() > deadline:
                result.timed_out = True
                break
        worker_pids.update(tree_cpu(processes[0].pid))
        pg_pids.update(postgres_cpu(args.db))
        beat_cpu = sum(tree_cpu(processes[1].pid).values()) - sum(beat_cpu0.values())
        active1 = pg(
            PG_ADMIN, "SELECT active_time FROM pg_stat_database WHERE datname = %s", (args.db,)
        )[0][0]
        finished = [
            row[0]
            for row in pg(
                url,
                "SELECT extract(epoch FROM max(r.finished_at)) FROM ads_ad a "
                "JOIN ads_stagerun r ON r.ad_id = a.id WHERE a.pipeline_stage = 'done' "
                "GROUP BY a.id",
            )
        ]
        total = pg(url, "SELECT count(*) FROM ads_ad")[0][0]
        result.ads = total
        result.not_done = total - len(finished)
        offsets = [float(t) - start for t in finished]
        n = max(total, 1)
        if offsets:
            result.seconds_to_50 = round(percentile(offsets, 0.5), 2)
            result.seconds_to_999 = round(percentile(offsets, 0.999), 2)
            result.seconds_to_100 = round(max(offsets), 2)
            result.tail_after_999 = round(result.seconds_to_100 - result.seconds_to_999, 2)
            result.ads_per_second = round(len(offsets) / max(offsets), 1)
        worker_cpu = sum(worker_pids.values()) - sum(worker_cpu0.values())
        result.cpu_worker_ms_per_ad = round(1000 * worker_cpu / n, 2)
        result.cpu_beat_ms_per_ad = round(1000 * beat_cpu / n, 2)
        result.cpu_ingest_ms_per_ad = round(1000 * ingest_cpu / n, 2)
        result.cpu_postgres_ms_per_ad = round(1000 * sum(pg_pids.values()) / n, 2)
        result.pg_active_ms_per_ad = round((active1 - active0) / n, 2)
        columns = {
            r[0]
            for r in pg(
                url,
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'ads_stagerun'",
            )
        }
        if "cpu_seconds" in columns:
            rows = pg(
                url,
                "SELECT stage, sum(cpu_seconds), count(DISTINCT ad_id) FROM ads_stagerun "
                "GROUP BY stage",
            )
            result.stage_cpu_ms_per_ad = {
                stage: round(1000 * float(cpu) / n, 2) for stage, cpu, _ in rows
            }
            handlers = sum(float(cpu) for _, cpu, _ in rows)
            result.overhead_cpu_ms_per_ad = round(1000 * (worker_cpu - handlers) / n, 2)
        text = log.read_text(errors="replace")
        result.log_counts = {name: len(p.findall(text)) for name, p in LOG_PATTERNS.items()}
        result.tasks = len(re.findall(r"\] succeeded in ", text)) or None
    finally:
        stop_processes(processes)
    return result


_children_seen = 0.0


def _children_cpu() -> float:
    """CPU of the children reaped since the last call (the ingest command)."""
    import resource

    global _children_seen  # noqa: PLW0603 - a running total of this process's reaped children
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    delta, _children_seen = total - _children_seen, total
    return delta


def synthetic_file(n: int, workdir: Path) -> Path:
    from demo.synthetic import ads_to_jsonl, generate_ads

    path = workdir / f"synthetic-{n}.jsonl"
    if not path.exists():
        ads_to_jsonl(generate_ads(n, seed=0), path)
    return path


def table(results: list[RunResult]) -> str:
    stages = sorted({s for r in results for s in r.stage_cpu_ms_per_ad})
    head = (
        "| code | workers | ads | ads/s | 50% s | 99.9% s | 100% s | tail s | worker ms/ad | "
        "overhead ms/ad | PG CPU ms/ad | PG active ms/ad | ingest ms/ad | deadlocks | retries | "
        "sweeps |"
    )
    lines = [head, "|" + "|".join(" --- " for _ in range(head.count("|") - 1)) + "|"]
    for r in results:
        c = r.log_counts
        overhead = "n/a" if r.overhead_cpu_ms_per_ad is None else f"{r.overhead_cpu_ms_per_ad}"
        lines.append(
            f"| {r.label} | {r.workers} | {r.ads} | {r.ads_per_second} | {r.seconds_to_50} | "
            f"{r.seconds_to_999} | {r.seconds_to_100} | {r.tail_after_999} | "
            f"{r.cpu_worker_ms_per_ad} | {overhead} | {r.cpu_postgres_ms_per_ad} | "
            f"{r.pg_active_ms_per_ad} | {r.cpu_ingest_ms_per_ad} | {c.get('deadlocks', 0)} | "
            f"{c.get('retries', 0)} | {c.get('sweep_reenqueues', 0)} |"
        )
    if stages:
        lines.append("")
        lines.append("| code | workers | " + " | ".join(stages) + " | (handler CPU ms per ad) |")
        lines.append("|" + "|".join(" --- " for _ in range(len(stages) + 3)) + "|")
        for r in results:
            if r.stage_cpu_ms_per_ad:
                cells = " | ".join(str(r.stage_cpu_ms_per_ad.get(s, "")) for s in stages)
                lines.append(f"| {r.label} | {r.workers} | {cells} | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", nargs="?", type=Path, help="a file of ads (else --synthetic N)")
    parser.add_argument("--synthetic", type=int, default=20_000)
    parser.add_argument("--workers", default="2", help="comma-separated worker concurrencies")
    parser.add_argument(
        "--app-root",
        action="append",
        type=Path,
        help="code checkout(s) to run, in order (default: this one); LABEL=DIR names it",
        default=None,
    )
    parser.add_argument("--db", default="h_pipeline")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--queues", default=QUEUES)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--row-ids", action="store_true", help="pass --row-ids to ingest")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "bench-pl")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        help="[LABEL:]NAME=VALUE, a setting for every run or for one checkout's runs",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    (args.workdir / "models").mkdir(exist_ok=True)
    if args.file is not None:
        if not args.file.exists():
            raise SystemExit(f"{args.file} does not exist (real ads are kept outside the repo)")
        path = args.file
    else:
        path = synthetic_file(args.synthetic, args.workdir)
    roots: list[tuple[str, Path]] = []
    for item in args.app_root or [ROOT]:
        text = str(item)
        label, _, folder = text.partition("=") if "=" in text else ("", "", text)
        folder_path = Path(folder).resolve()
        roots.append((label or folder_path.name, folder_path))
    results: list[RunResult] = []
    for workers in [int(w) for w in args.workers.split(",")]:
        for label, root in roots:
            shutil.rmtree(args.workdir / "evidence", ignore_errors=True)
            result = run_once(args, root, label, workers, path, args.workdir)
            print(json.dumps(asdict(result)), flush=True)
            results.append(result)
    print(f"\n{path.name}; {platform.node()}, {os.cpu_count()} CPUs")
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1))


if __name__ == "__main__":
    main()
