"""One normaliser per identifier: watchlists, search and the partner API store and look up
exactly what extraction stores (issue #21, "facts kept in several places")."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ads.extraction import extract
from ads.models import EntityKind
from cases.models import WatchKind
from cases.services.watchlists import watch_value_normalise
from partners.services import IdentifierError, normalise_identifier

TEXT = "Call (702) 555-0134 or mail Kandi.Lane@Example.com"


def test_a_watch_and_a_partner_lookup_hold_what_extraction_stores() -> None:
    found = extract(TEXT)
    phone, email = found.phones[0], found.emails[0]
    for written in ("(702) 555-0134", "702.555.0134", "+1 702 555 0134"):
        assert watch_value_normalise(WatchKind.PHONE, written) == phone
        assert normalise_identifier(kind=EntityKind.PHONE, raw=written) == phone
    assert watch_value_normalise(WatchKind.EMAIL, " Kandi.Lane@Example.com ") == email
    assert normalise_identifier(kind=EntityKind.EMAIL, raw="KANDI.LANE@example.com") == email


def test_what_extraction_would_never_store_is_refused_everywhere() -> None:
    # A possible but invalid number: an old watch rule accepted it, extraction never stores it.
    assert extract("call 123-456-7890").phones == []
    with pytest.raises(ValidationError):
        watch_value_normalise(WatchKind.PHONE, "123-456-7890")
    with pytest.raises(IdentifierError):
        normalise_identifier(kind=EntityKind.PHONE, raw="123-456-7890")
    with pytest.raises(ValidationError):
        watch_value_normalise(WatchKind.EMAIL, "not-an-address")


def test_a_spelled_out_number_is_read_as_the_extractor_reads_it_everywhere() -> None:
    spelled = "seven oh two five five five zero one three four"
    phone = extract("call 702-555-0134").phones[0]
    assert watch_value_normalise(WatchKind.PHONE, spelled) == phone
    assert normalise_identifier(kind=EntityKind.PHONE, raw=spelled) == phone
    with pytest.raises(ValidationError):  # two numbers are not one watch
        watch_value_normalise(WatchKind.PHONE, "702 555 0134 or 702 555 0199")


@pytest.mark.django_db
def test_search_finds_an_ad_by_its_number_spelled_out(actors) -> None:
    from cases.selectors import search_ads
    from tests.cases.factories import make_ad

    ad = make_ad(actors.source_a, body="Call 702-555-0134 today")
    result = search_ads(
        user=actors.investigator_a,
        query="seven oh two 555 zero one three four",
    )
    assert result.mode == "phone" and list(result.ads) == [ad]
