"""`manage.py geocode` prints the JSON investigators and scripts read."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from maps.geocoding import geocode_command

REPO = Path(__file__).resolve().parents[2]


def test_plain_function_returns_the_documented_keys() -> None:
    out = geocode_command("LV, NV")
    assert {"lat", "lng", "precision", "name", "source"} <= set(out)
    assert out["precision"] == "city"
    assert out["name"] == "Las Vegas, NV, US"
    assert out["source"] == "gazetteer"
    json.dumps(out)


def test_plain_function_takes_country_and_url() -> None:
    assert geocode_command("Paris", country="US")["admin1"] == "TX"
    out = geocode_command("", url="https://lasvegas.example-classifieds.com/x/1")
    assert out["source"] == "url"


def test_unknown_text_prints_null_coordinates() -> None:
    out = geocode_command("qqqq zzzz")
    assert out["precision"] == "unknown"
    assert out["lat"] is None and out["lng"] is None


def test_management_command_prints_json() -> None:
    stdout = io.StringIO()
    call_command("geocode", "Portland, Maine", stdout=stdout)
    out = json.loads(stdout.getvalue())
    assert out["admin1"] == "ME"
    assert out["precision"] == "city"


def test_management_command_state_only() -> None:
    stdout = io.StringIO()
    call_command("geocode", "somewhere in Texas", "--country", "US", stdout=stdout)
    out = json.loads(stdout.getvalue())
    assert out["precision"] == "region"
    assert out["name"] == "Texas, US"


def test_remote_backend_without_a_base_url_is_an_error(settings) -> None:
    settings.GEOCODER_BASE_URL = ""
    with pytest.raises(CommandError):
        call_command("geocode", "Philly", "--backend", "nominatim", stdout=io.StringIO())


def test_manage_py_runs_the_command_in_a_fresh_process() -> None:
    proc = subprocess.run(
        [sys.executable, "manage.py", "geocode", "NOLA", "--url", "https://x.example/y"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["name"] == "New Orleans, LA, US"
    assert out["source"] == "gazetteer"
