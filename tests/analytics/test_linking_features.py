"""Network features: movement between cities and identity rotation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from analytics.linking import network_features

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def _ad(day: float, city: str, phones: list[str], names: list[str], template: int | None = 1):
    return {
        "posted_at": T0 + timedelta(days=day),
        "city": city,
        "phones": phones,
        "names": names,
        "template": template,
    }


def test_a_touring_network_has_many_cities_per_week_and_rotating_names():
    ads = [
        _ad(0, "Las Vegas, NV", ["+17025550100"], ["Lola"]),
        _ad(3, "Las Vegas, NV", ["+17025550100"], ["Candy"]),
        _ad(7, "Phoenix, AZ", ["+17025550101"], ["Lola"], template=2),
        _ad(10, "San Diego, CA", ["+17025550101"], ["Jade"]),
        _ad(14, "Los Angeles, CA", ["+17025550101"], ["Candy"], template=2),
    ]
    f = network_features(ads)
    assert f["size"] == 5
    assert f["cities"] == 4
    assert f["span_days"] == 14.0
    assert f["cities_per_week"] == 2.0
    assert f["phones"] == 2 and f["names"] == 3
    assert f["max_names_per_phone"] == 3  # Lola, Jade, Candy behind +1...0101
    assert f["distinct_names_per_phone"] == 2.5
    assert f["phones_per_template"] == 1.5
    assert f["max_phones_per_template"] == 2


def test_a_single_local_poster_scores_low_on_every_feature():
    ads = [_ad(d, "Denver, CO", ["+13035550100"], ["Amber"]) for d in (0, 20, 40)]
    f = network_features(ads)
    assert f["cities"] == 1
    assert f["max_names_per_phone"] == 1
    assert f["cities_per_week"] < 0.2


def test_a_one_day_burst_gives_no_rate():
    ads = [_ad(0.1 * i, c, ["+1"], ["A"]) for i, c in enumerate(["A, AA", "B, BB", "C, CC"])]
    f = network_features(ads)
    assert f["cities_per_week"] is None
    assert f["dated"] == 3


def test_a_short_span_counts_as_a_week():
    ads = [_ad(i, c, ["+1"], ["A"]) for i, c in enumerate(["A, AA", "B, BB", "C, CC"])]
    assert network_features(ads)["cities_per_week"] == 3.0


def test_undated_ads_give_no_rate_however_many_cities():
    ads = [{**_ad(0, f"C{i}, ST", ["+1"], ["A"]), "posted_at": None} for i in range(27)]
    f = network_features(ads)
    assert f["cities"] == 27
    assert f["cities_per_week"] is None and f["dated"] == 0


def test_an_empty_network_has_zero_features():
    f = network_features([])
    assert f["size"] == 0 and f["cities"] == 0 and f["span_days"] == 0.0
