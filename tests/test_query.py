"""One reader per kind of query value, shared by the queue's and the map's filters."""

from __future__ import annotations

from django.http import QueryDict

from cases.selectors import QueueFilters
from core.query import query_flag, query_indicator_code
from maps.selectors.filters import MapFilters


def test_a_flag_is_on_only_for_the_true_spellings():
    params = QueryDict("a=1&b=on&c=true&d=yes&e=0&f=")
    assert [query_flag(params, n) for n in "abcdefg"] == [True, True, True] + [False] * 4


def test_an_indicator_code_keeps_only_the_characters_of_a_code():
    params = QueryDict("indicator=Youth_Cue<script>%20x:1-" + "z" * 80)
    code = query_indicator_code(params)
    assert code.startswith("youth_cuescriptx:1-")
    assert len(code) == 60


def test_the_queue_and_the_map_read_the_same_query_the_same_way():
    params = QueryDict("indicator=Cash_Only!&possible_minor=on")
    queue, map_ = QueueFilters.from_query(params), MapFilters.from_query(params)
    assert queue.indicator == map_.indicator == "cash_only"
    assert queue.possible_minor is map_.possible_minor is True
