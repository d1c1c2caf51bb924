"""Every admin save and delete of a sensitive model is audited with its changed fields; changes to
who sees what are flagged; nobody reads a TOTP seed (issue #19 M2, L7)."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.forms.models import model_to_dict
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Unit
from ads.models import Source
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _last(action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action).order_by("-pk").first()
    assert event is not None
    return event


def test_moving_a_source_to_another_unit_is_an_audited_permission_change(actors) -> None:
    client = actors.client_for("admin")
    source = actors.source_a
    data = {k: ("" if v is None else v) for k, v in model_to_dict(source).items()}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    for name, value in list(data.items()):
        if isinstance(value, datetime):  # the admin splits date and time into two inputs
            data.pop(name)
            data[f"{name}_0"], data[f"{name}_1"] = f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"
    data["unit"] = actors.unit_b.pk
    response = client.post(f"/admin/ads/source/{source.pk}/change/", data)
    assert response.status_code == 302
    event = _last("permission.change")
    assert event.object_type == "ads.source" and event.object_id == str(source.pk)
    assert event.detail["visibility_changed"] == ["unit"]
    assert event.detail["changed"]["unit"] == {
        "from": str(actors.unit_a.pk),
        "to": str(actors.unit_b.pk),
    }
    page = client.get("/admin/audit/auditevent/anomalies/")
    assert b"ads.source" in page.content


def test_editing_a_unit_writes_a_change_event_with_the_changed_field(actors) -> None:
    client = actors.client_for("admin")
    unit = actors.unit_a
    response = client.post(
        f"/admin/accounts/unit/{unit.pk}/change/", {"name": "Renamed", "code": unit.code}
    )
    assert response.status_code == 302
    event = _last("record.change")
    assert event.detail["changed"] == {"name": {"from": "Unit A", "to": "Renamed"}}
    assert event.detail["admin"] == "change"


def test_deleting_through_the_admin_is_audited(actors) -> None:
    client = actors.client_for("admin")
    unit = Unit.objects.create(name="Temp", code="tmp")
    response = client.post(f"/admin/accounts/unit/{unit.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    event = _last("record.change")
    assert event.detail["admin"] == "delete" and event.object_id == str(unit.pk)


def test_no_admin_reads_a_totp_seed_and_every_look_is_audited(actors) -> None:
    device = TOTPDevice.objects.create(user=actors.auditor, name="phone", confirmed=True)
    client = actors.client_for("admin")
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key.encode() not in page.content
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403
    assert client.get("/admin/otp_totp/totpdevice/999999/config/").status_code == 403
    looks = AuditEvent.objects.filter(object_type="otp_device").values_list("detail", flat=True)
    assert sorted(d["view"] for d in looks) == ["config", "config", "device", "qrcode"]


def test_sources_are_still_listed_for_admins(actors) -> None:
    assert Source.objects.count() == 3
    assert actors.client_for("admin").get("/admin/ads/source/").status_code == 200
