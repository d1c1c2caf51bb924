"""Union-find: merges are transitive, incremental and keep sizes right."""

from __future__ import annotations

from analytics.linking import UnionFind


def test_new_elements_stand_alone():
    uf = UnionFind(3)
    assert not uf.connected(0, 1)
    assert uf.size_of(2) == 1


def test_merging_is_transitive_and_sizes_add_up():
    uf = UnionFind(5)
    uf.union(0, 1)
    uf.union(3, 4)
    assert not uf.connected(1, 3)
    uf.union(1, 4)
    assert uf.connected(0, 3)
    assert uf.size_of(0) == 4
    assert uf.groups(min_size=2) == {uf.find(0): [0, 1, 3, 4]}


def test_elements_added_later_merge_into_existing_sets():
    uf = UnionFind(2)
    uf.union(0, 1)
    x = uf.add()
    assert x == 2 and not uf.connected(0, x)
    uf.union(x, 1)
    assert uf.size_of(x) == 3


def test_the_smaller_set_joins_the_larger():
    uf = UnionFind(4)
    uf.union(0, 1)
    uf.union(0, 2)
    root = uf.find(0)
    assert uf.union(3, 0) == root


def test_long_chains_are_compressed_without_recursion():
    n = 200_000
    uf = UnionFind(n)
    for i in range(1, n):
        uf.union(i, i - 1)
    assert uf.size_of(n - 1) == n
    assert len(set(uf.labels())) == 1
