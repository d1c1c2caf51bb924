"""The network page of the largest network the real ads form, rendered in headless Chromium.

    .venv/bin/python bench/real_network_page.py DATA_DIR --out /tmp/real-network.png
        --work /tmp/real-network-page [--port 8765]

DATA_DIR is the shared data folder (dig-ads-classifier/ and phone-number-matcher/). As a new user
would: the real ads are written to a JSONL file in the work folder (outside the repository),
`manage.py ingest` takes them into a fresh embedded-mode site there (VAR_DIR=WORK: its own
SQLite database, evidence and model), the pipeline runs in-process (extraction, scoring,
geocoding, linking, queue), `manage.py links_recheck` weighs the text links again, then
`runserver` serves the site and Chromium signs in as an
investigator and opens the largest network's page.

Prints figures only (network size, the page's answer time, graph nodes, whether the page is
wider than the window, console errors); the screenshot holds real ads, so --out must lie outside
the repository (real ads never go into it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CHROMIUM = Path("/usr/bin/chromium")
csv.field_size_limit(10**8)


def write_ads(data: Path, path: Path) -> int:
    """The real ads as ingest rows (title: the first line of the text), one JSON object a line."""
    rows = []
    for name in ("training.csv", "testing.csv"):
        with (data / "dig-ads-classifier" / name).open(newline="", encoding="utf-8") as handle:
            for i, row in enumerate(csv.DictReader(handle)):
                text = row["extracted_text"].strip()
                rows.append(
                    {
                        "external_id": f"{name}:{i}",
                        "title": text[:120],
                        "body": text,
                        # The file's own location column, as a user's ingest maps it
                        # (ads.readers: "location" -> location_text).
                        "location": row.get("location") or "",
                    }
                )
    docs = json.loads((data / "phone-number-matcher" / "docs.json").read_text(encoding="utf-8"))
    for i, doc in enumerate(docs["jsonlines"]):
        rows.append(
            {
                "external_id": f"docs.json:{i}",
                "title": doc.get("title") or "",
                "body": doc.get("body") or "",
                "url": doc.get("url") or "",
            }
        )
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


SETUP = """
from accounts.models import Role, User
from analytics.models import Network
user = User.objects.filter(username="bench-inv").first() or User(username="bench-inv")
user.role = Role.INVESTIGATOR
user.set_password({password!r})
user.save()
live = Network.objects.filter(merged_into__isnull=True).order_by("-size", "pk")
top = live.first()
print(top.pk if top else 0, top.size if top else 0, live.filter(size__gte=10).count())
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--out", type=Path, required=True, help="screenshot path, outside the repo")
    parser.add_argument(
        "--work", type=Path, required=True, help="a folder outside the repo for the site"
    )
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if not (args.data / "dig-ads-classifier").is_dir():
        print(f"usage: {sys.argv[0]} DATA_DIR --out PNG; {args.data} has no dig-ads-classifier/")
        return 2
    for path in (args.out, args.work):
        if path.resolve().is_relative_to(ROOT):
            print(f"{path} is inside the repository: real ads never go into it", file=sys.stderr)
            return 2
    if not CHROMIUM.exists():
        print("/usr/bin/chromium is missing (apt-get install -y chromium)", file=sys.stderr)
        return 2
    args.work.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "VAR_DIR": str(args.work),
        "DJANGO_ENV": "development",
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore",
    }
    env.pop("DATABASE_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    fresh = not (args.work / "db.sqlite3").exists()
    started = time.perf_counter()
    manage(env, "migrate", "--noinput")
    manage(env, "train_risk_model", "--if-missing", "--no-progress")
    if fresh:
        count = write_ads(args.data, args.work / "real-ads.jsonl")
        manage(
            env, "ingest", str(args.work / "real-ads.jsonl"), "--source", "real", "--no-progress"
        )
        print(f"- ingested {count} real ads through the whole pipeline (embedded mode)")
        # As after any bulk load: the text links weighed again under the matured counts.
        print(f"- {manage(env, 'links_recheck').strip()}")
    print(f"- set-up {time.perf_counter() - started:.0f} s")
    password = secrets.token_urlsafe(16)
    network, size, big = (
        int(v)
        for v in manage(env, "shell", "-c", SETUP.format(password=password))
        .strip()
        .splitlines()[-1]
        .split()
    )
    if not network:
        print("- no network formed")
        return 1
    print(f"- largest network: {size} ads; networks of 10 ads or more: {big}")
    server = subprocess.Popen(
        [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{args.port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/health/", timeout=1)  # noqa: S310 - our http URL
                break
            except OSError:
                time.sleep(0.2)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            missing: list[str] = []
            page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
            page.goto(f"{base}/accounts/login/?next=/analytics/networks/{network}/")
            page.fill("#id_username", "bench-inv")
            page.fill("#id_password", password)
            t0 = time.perf_counter()
            page.click("button[type=submit]")
            page.wait_for_selector("#network-graph canvas")
            loaded = time.perf_counter() - t0
            page.wait_for_timeout(1500)  # the layout settles
            wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
            nodes = page.evaluate("document.querySelectorAll('#ads tbody tr').length")
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out), full_page=False)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    relevant = [e for e in errors if "inline style" not in e and "favicon" not in e]
    print(f"- network page: signed in and drawn in {loaded:.2f} s; rows in its ad table {nodes}")
    print(f"- wider than the window: {'yes' if wide else 'no'}; console errors: {len(relevant)}")
    for error in relevant:
        print(f"  console: {error[:200]}")
    for url in missing:
        print(f"  answered with an error: {url.removeprefix(base)[:200]}")
    print(f"- screenshot (real ads: keep it out of the repository): {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
