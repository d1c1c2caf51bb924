"""The one CSV escaping function covers every way a spreadsheet finds a formula (issue #19 L8)."""

from __future__ import annotations

import pytest

from core.csv_safety import safe_cell, safe_row


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://x")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "\n=1+1",
        " =1+1",
        "   +cmd",
        "\u200b=1+1",
        "\ufeff=1+1",
        "\u2060@x",
        "\uff1d1+1",  # fullwidth equals sign
        "\uff0bcmd",  # fullwidth plus
        " \uff1d1",
        "|cmd",
        "%0A",
    ],
)
def test_text_a_spreadsheet_could_run_is_quoted(text: str) -> None:
    assert safe_cell(text).startswith("'")


@pytest.mark.parametrize("text", ["Call me", "hello = world", "a+b", "2024-01-01", "", "  "])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert safe_cell(text) == text


def test_numbers_and_none_keep_their_type() -> None:
    assert safe_row([None, 3, 2.5, True]) == ["", 3, 2.5, "True"]


def test_bidirectional_overrides_are_written_visibly() -> None:
    assert safe_cell("invoice\u202etxt.exe") == "invoice[U+202E]txt.exe"
    assert "\u2066" not in safe_cell("a\u2066b")
