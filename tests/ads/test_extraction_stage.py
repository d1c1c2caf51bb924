"""The extraction stage stores entities and their spans for every ad, and redoes them on edits."""

from __future__ import annotations

import pytest

from ads.models import PIPELINE_DONE, Ad, Entity, EntityOccurrence, StageRun
from ads.readers import records_from_payload
from ads.services import ads_ingest

pytestmark = pytest.mark.django_db(transaction=True)


def _ingest(source, body: str, ext: str = "1") -> Ad:
    ads_ingest(
        source=source,
        rows=records_from_payload([{"external_id": ext, "title": "Hi", "body": body}]),
    )
    return Ad.objects.get(source=source, external_id=ext)


def test_phones_and_emails_become_entities_with_spans_into_the_document(actors):
    ad = _ingest(
        actors.source_a, "Call SIX0TWO 555 zero1four3 or mail kandi at gmail dot com, 21yo"
    )
    assert ad.pipeline_stage == PIPELINE_DONE
    assert StageRun.objects.filter(ad=ad, stage="extract").count() == 1
    phone = Entity.objects.get(kind="phone")
    assert phone.value == "+16025550143"
    occurrence = EntityOccurrence.objects.get(entity=phone)
    assert ad.document[occurrence.start : occurrence.end].startswith("SIX0TWO")
    assert Entity.objects.filter(kind="email", value="kandi@gmail.com").exists()
    assert ad.extracted["ages"] == [21]
    assert ad.extracted["obscured_phone"] is True


def test_the_same_number_in_two_ads_is_one_entity(actors):
    _ingest(actors.source_a, "call 702-555-0143", ext="1")
    _ingest(actors.source_b, "txt (702) 555 0143 now", ext="2")
    phone = Entity.objects.get(kind="phone")
    assert phone.occurrences.count() == 2
    assert not Ad.objects.get(external_id="1").extracted["obscured_phone"]


def test_an_edited_ad_is_extracted_again_and_old_occurrences_stay_as_the_old_revisions(actors):
    _ingest(actors.source_a, "call 702-555-0143")
    ad = _ingest(actors.source_a, "new number 775-555-0199")
    current = EntityOccurrence.objects.current().filter(ad=ad)
    assert set(current.values_list("entity__value", "revision")) == {("+17755550199", 2)}
    # The old phone stays, marked by the revision that had it (issue #18).
    assert set(EntityOccurrence.objects.filter(ad=ad).values_list("entity__value", "revision")) == {
        ("+17025550143", 1),
        ("+17755550199", 2),
    }


def test_entities_are_visible_only_through_visible_ads(actors):
    _ingest(actors.source_a, "call 702-555-0143")
    assert Entity.objects.visible_to(actors.investigator_a).count() == 1
    assert Entity.objects.visible_to(actors.investigator_b).count() == 0
    assert Entity.objects.visible_to(actors.partner_x).count() == 0


def test_hostile_text_does_not_break_the_stage(actors):
    ad = _ingest(
        actors.source_a, "\u202e\u0000" + "9" * 50_000 + "<script>alert(1)</script>" + "a" * 100_000
    )
    assert ad.pipeline_stage == PIPELINE_DONE and ad.pipeline_error == ""
