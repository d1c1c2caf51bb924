"""Production settings: `check --deploy` is clean, and unsafe settings refuse to start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECRETS = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k" * 30 + "-production-secret-for-the-test-only-1234567890",
    "AUDIT_HMAC_KEY": "a" * 40,
    "PARTNER_HMAC_KEY": "p" * 40,
    "ALLOWED_HOSTS": "leads.example.org",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS and k != "DJANGO_DEBUG"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy_with_no_warnings(tmp_path):
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", **SECRETS, VAR_DIR=str(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_debug_a_missing_secret_or_missing_hmac_keys(tmp_path):
    base = {**SECRETS, "VAR_DIR": str(tmp_path)}
    assert "DJANGO_DEBUG must be off" in _manage("check", **base, DJANGO_DEBUG="1").stderr
    assert "SECRET_KEY" in _manage("check", **{**base, "SECRET_KEY": ""}).stderr
    assert "HMAC_KEY" in _manage("check", **{**base, "AUDIT_HMAC_KEY": ""}).stderr


def test_production_refuses_one_key_for_audit_and_partners_and_a_wildcard_host(tmp_path):
    base = {**SECRETS, "VAR_DIR": str(tmp_path)}
    same = {**base, "PARTNER_HMAC_KEY": base["AUDIT_HMAC_KEY"]}
    assert "AUDIT_HMAC_KEY must differ" in _manage("check", "--deploy", **same).stderr
    assert "ALLOWED_HOSTS" in _manage("check", "--deploy", **{**base, "ALLOWED_HOSTS": "*"}).stderr
    assert "ALLOWED_HOSTS" in _manage("check", **{**base, "ALLOWED_HOSTS": ".example.org,*"}).stderr
