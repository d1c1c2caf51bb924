"""The investigator guide: served from docs/guide.md, safely, and linked from every page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.markdown import render

pytestmark = pytest.mark.django_db


def test_the_guide_is_served_to_anyone_with_its_glossary():
    response = Client().get(reverse("guide"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="glossary"' in html and "<strong>Lead score</strong>" in html


def test_every_page_links_the_guide_from_its_footer(actors):
    client = Client()
    assert reverse("guide") in client.get(reverse("accounts:login")).content.decode()
    client.force_login(actors.investigator_a)
    for name in ("cases:queue", "cases:search", "maps:map", "cases:watchlists"):
        html = client.get(reverse(name)).content.decode()
        assert f'<footer class="site-footer small">\n    <a href="{reverse("guide")}"' in html, name


def test_the_reader_escapes_text_and_keeps_only_safe_links():
    html, headings = render(
        "# A <script>alert(1)</script> title\n\n"
        "See [home](/cases/), [bad](javascript:alert(1)), [other](//evil.test/x) and "
        '[quote](/a"onmouseover="x) **bold** `<b>`\n\n- one\n- two\n  wrapped'
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="/cases/">home</a>' in html
    assert 'href="javascript' not in html and 'href="//evil' not in html
    assert 'onmouseover="' not in html
    assert "<strong>bold</strong>" in html and "<code>&lt;b&gt;</code>" in html
    assert "<li>two wrapped</li>" in html
    assert headings[0].anchor == "a-scriptalert1script-title"
