"""Start-up and tear-down shared by the load benchmarks (bench/api.py, bench/load.py).

A throwaway PostgreSQL database on loopback, gunicorn (and whatever else a bench starts) as child
processes in their own session, a wait for /health/, and the percentile both benches report.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PROTECTED_DATABASES = frozenset({"postgres", "template0", "template1", "test"})


def database_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def _admin_execute(sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else []


def database_exists(name: str) -> bool:
    return bool(_admin_execute(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))  # noqa: S608


def fresh_database(name: str) -> str:
    """Drop and recreate `name` (never one of the shared databases); returns its URL."""
    if name in PROTECTED_DATABASES:
        raise SystemExit(f"refusing to recreate the shared database {name!r}")
    _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin_execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def drop_database(name: str) -> None:
    if name in PROTECTED_DATABASES:
        raise SystemExit(f"refusing to drop the shared database {name!r}")
    _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_gunicorn(
    *,
    port: int,
    workers: int,
    threads: int,
    env: dict[str, str],
    log: Path,
    app_root: Path = ROOT,
) -> subprocess.Popen[bytes]:
    """gunicorn on 127.0.0.1:`port` serving the checkout at `app_root` (default: this one)."""
    handle = log.open("ab")
    return subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=app_root,
        env={**env, "PYTHONPATH": str(app_root)},
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_processes(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to each main process (gunicorn's master and Celery's warm shutdown end their
    children), SIGKILL to the process group of any that has not ended after 30 s."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def wait_until_up(base: str, timeout: float = 90) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/health/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /health/ in time (see the service log)")


def server_cpu_seconds(process: subprocess.Popen[bytes]) -> float:
    """User+system CPU of a server's process tree so far (the master and its live workers)."""
    import psutil

    try:
        root = psutil.Process(process.pid)
        total = 0.0
        for proc in [root, *root.children(recursive=True)]:
            times = proc.cpu_times()
            total += times.user + times.system
        return total
    except psutil.NoSuchProcess:
        return float("nan")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1); nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]
