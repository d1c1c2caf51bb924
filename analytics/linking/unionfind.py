"""Union-find (disjoint sets) over dense integer ids, for networks that grow as ads arrive."""

from __future__ import annotations

from collections import defaultdict

__all__ = ["UnionFind"]


class UnionFind:
    """Disjoint sets with path compression (halving) and union by size.

    Elements are the integers 0..len-1, added with `add()`; both `find` and `union` are
    amortised near-constant, so linking a million ads costs about a million cheap steps.
    """

    __slots__ = ("_parent", "_size")

    def __init__(self, n: int = 0) -> None:
        self._parent: list[int] = list(range(n))
        self._size: list[int] = [1] * n

    def __len__(self) -> int:
        return len(self._parent)

    def add(self) -> int:
        """A new singleton set; returns its element."""
        x = len(self._parent)
        self._parent.append(x)
        self._size.append(1)
        return x

    def find(self, x: int) -> int:
        """The representative (root) of x's set."""
        parent = self._parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> int:
        """Merge the sets of a and b; returns the root of the merged set."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if self._size[ra] < self._size[rb]:
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._size[ra] += self._size[rb]
        return ra

    def connected(self, a: int, b: int) -> bool:
        """True when a and b are in the same set."""
        return self.find(a) == self.find(b)

    def size_of(self, x: int) -> int:
        """How many elements share x's set."""
        return self._size[self.find(x)]

    def groups(self, min_size: int = 1) -> dict[int, list[int]]:
        """Every set with at least `min_size` elements, keyed by its root."""
        out: dict[int, list[int]] = defaultdict(list)
        for x in range(len(self._parent)):
            out[self.find(x)].append(x)
        return {r: members for r, members in out.items() if len(members) >= min_size}

    def labels(self) -> list[int]:
        """The root of every element, in element order (a flat clustering)."""
        return [self.find(x) for x in range(len(self._parent))]
