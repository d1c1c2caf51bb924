"""A network's confidence: identifiers hold it at 1.0, a chain is as strong as its weakest join."""

from __future__ import annotations

from analytics.linking import network_confidence


def test_a_network_held_by_identifiers_alone_is_certain_and_says_what_ties_it():
    links = [
        (1, 2, "phone", "phone:+17025550101", 1.0),
        (2, 3, "phone", "phone:+17025550101", 1.0),
        (3, 4, "email", "email:x@example.com", 1.0),
    ]
    c = network_confidence([1, 2, 3, 4], links)
    assert c["value"] == 1.0 and c["level"] == "high" and c["groups"] == 1
    assert c["ties"] == ["3 ads share one phone number", "2 ads share one e-mail address"]
    assert "+1702" not in " ".join(c["ties"]) + c["weakest"]  # kinds and counts, never values


def test_two_phone_groups_joined_by_one_text_link_are_low_confidence():
    links = [
        (1, 2, "phone", "phone:a", 1.0),
        (3, 4, "phone", "phone:b", 1.0),
        (2, 3, "text", "b01", 0.55),
    ]
    c = network_confidence([1, 2, 3, 4], links)
    assert c["value"] == 0.55 and c["level"] == "low" and c["groups"] == 2
    assert "1 text link (similarity up to 0.55)" in c["weakest"]


def test_several_independent_text_links_make_a_stronger_join():
    links = [
        (1, 2, "phone", "phone:a", 1.0),
        (3, 4, "phone", "phone:b", 1.0),
        (1, 3, "text", "b01", 0.6),
        (2, 4, "text", "b02", 0.6),
    ]
    c = network_confidence([1, 2, 3, 4], links)
    assert c["value"] == 0.84 and c["level"] == "medium"


def test_the_weakest_join_of_a_chain_decides():
    links = [
        (1, 2, "text", "b01", 0.95),
        (2, 3, "text", "b02", 0.52),
    ]
    c = network_confidence([1, 2, 3], links)
    assert c["value"] == 0.52 and c["groups"] == 3
