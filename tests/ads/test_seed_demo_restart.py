"""`./dev run` on a restart: the demo keeps its password and partner token and prints them again."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db


def _seed(**options: object) -> str:
    out = io.StringIO()
    call_command("seed_demo", ads=0, no_progress=True, stdout=out, **options)
    return out.getvalue()


def _credentials(text: str) -> tuple[str, str]:
    password = re.search(r"Sign in as\s+demo / (\S+)", text).group(1)
    token = re.search(r"Partner API token for ngo: (\S+)", text).group(1)
    return password, token


def test_a_second_run_keeps_the_password_and_the_token_and_prints_them(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first_password, first_token = _credentials(_seed())
    second = _seed()
    assert _credentials(second) == (first_password, first_token)
    assert "kept from the last run" in second
    assert User.objects.get(username="demo").check_password(first_password)
    assert ApiToken.objects.filter(user__username="ngo", revoked_at__isnull=True).count() == 1
    assert (tmp_path / "demo-credentials.json").stat().st_mode & 0o077 == 0


def test_a_password_changed_by_hand_is_left_alone(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    _seed()
    user = User.objects.get(username="supervisor")
    user.set_password("changed-by-hand")
    user.save()
    _seed()
    assert User.objects.get(username="supervisor").check_password("changed-by-hand")


def test_without_the_remembered_file_a_new_token_replaces_the_lost_one(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    _, old_token = _credentials(_seed())
    (tmp_path / "demo-credentials.json").unlink()
    password, token = _credentials(_seed(password="given-pass"))
    assert password == "given-pass" and token != old_token
    active = ApiToken.objects.filter(user__username="ngo", revoked_at__isnull=True)
    assert [t.prefix for t in active] == [token.partition(".")[0]]
