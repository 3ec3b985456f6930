"""The social network between clients, stored as CSR arrays.

Generators are vectorized numpy (networkx builds Python objects per node and is too slow at 10⁶):
``small_world`` (Watts & Strogatz 1998), ``random`` (Erdős–Rényi G(n, m)), ``scale_free``
(Chung & Lu 2002 expected-degree graph with a power-law weight, exponent 2.5) and ``full``
(everyone hears everyone: stored as no edges, counted from totals). Graphs are simple and
undirected: self-loops and duplicate edges are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from model.engine.kernels import network as kernels

__all__ = ["Network", "build_network"]

KINDS = ("small_world", "scale_free", "random", "full")


@dataclass(frozen=True)
class Network:
    """An undirected graph over ``n`` clients in CSR form.

    Attributes
    ----------
    kind : str
        Generator name; ``"full"`` means fully mixed with no stored edges.
    n : int
        Number of nodes (the whole market, prospects included).
    indptr : ndarray of int32 (int64 beyond 2³¹ edges), shape (n + 1,)
        Row pointers: the neighbours of node *i* are ``indices[indptr[i]:indptr[i+1]]``.
    indices : ndarray of int32
        Concatenated neighbour lists.
    adjacency : scipy.sparse.csr_array or None
        The same graph as a sparse 0/1 matrix sharing ``indptr`` and ``indices`` (its only storage
        of its own is a small-integer 1 per edge), for counting flagged neighbours by one
        compiled matrix-vector product. None when fully mixed.
    """

    kind: str
    n: int
    indptr: np.ndarray
    indices: np.ndarray
    adjacency: sp.csr_array | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Read-only: runs of one seed share their network (model.engine.sharing), alone or in
        # lockstep, and no phase writes it; a phase that tried would fail loudly here instead of
        # changing another run's numbers (and fails the same way in an unshared run).
        for array in (self.indptr, self.indices):
            array.flags.writeable = False
        if self.adjacency is not None:
            self.adjacency.data.flags.writeable = False

    def __setstate__(self, state: dict) -> None:
        # A copy or an unpickled network (a copied model's) is read-only too: models copied
        # together still share it.
        self.__dict__.update(state)
        self.__post_init__()

    @property
    def mean_degree(self) -> float:
        """Average number of contacts (n - 1 when fully mixed)."""
        if self.kind == "full":
            return float(self.n - 1)
        return float(self.indices.size) / max(self.n, 1)

    def degrees(self) -> np.ndarray:
        """Degree of every node (computed once)."""
        cached = self.__dict__.get("_degrees")
        if cached is None:
            if self.kind == "full":
                cached = np.full(self.n, self.n - 1, dtype=np.int64)
            else:
                cached = np.diff(self.indptr)
            cached.flags.writeable = False  # (kept on the shared network)
            self.__dict__["_degrees"] = cached
        return cached

    def matrix(self) -> sp.csr_array:
        """:attr:`adjacency`, built on first use for a graph constructed without it."""
        if self.adjacency is None:
            adjacency = _adjacency(self.n, self.indptr, self.indices)
            adjacency.data.flags.writeable = False
            object.__setattr__(self, "adjacency", adjacency)
        return self.adjacency

    def max_degree(self) -> int:
        """The largest degree (computed once: word of mouth asks every month)."""
        cached = self.__dict__.get("_max_degree")
        if cached is None:
            # From the row pointers unless the degrees are kept already: keeping them for a
            # maximum would hold an array per node (4 MB at 10⁶) for one number.
            degrees = self.__dict__.get("_degrees")
            if degrees is None:
                degrees = np.diff(self.indptr) if self.kind != "full" else np.array([self.n - 1])
            cached = self.__dict__["_max_degree"] = int(degrees.max(initial=0))
        return cached

    def nbytes(self) -> int:
        """Memory held by the CSR arrays (and the adjacency matrix's edge values)."""
        extra = self.adjacency.data.nbytes if self.adjacency is not None else 0
        # (Neighbour lists kept as a view of a longer edge array hold all of it.)
        held = self.indices.base if isinstance(self.indices.base, np.ndarray) else self.indices
        return int(self.indptr.nbytes + held.nbytes + extra)

    def count_flagged(self, flag: np.ndarray) -> np.ndarray:
        """For every node, how many of its neighbours have ``flag`` set.

        Returns
        -------
        ndarray of int (int16 or wider, depending on the largest degree), shape (n,)
        """
        if self.kind == "full":
            return (np.count_nonzero(flag) - flag).astype(np.int32)
        a = self.matrix()
        return a @ np.asarray(flag, dtype=a.dtype)

    def count_flagged_both(
        self, first: np.ndarray, second: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`count_flagged` for two flags at once (one pass over the edges when degrees allow).

        The flags are packed into one small integer per node, ``first + second·2⁸``: a node with
        fewer than 2⁷ neighbours cannot carry its first count into the second's bits, so one
        matrix-vector product counts both.
        """
        if self.kind == "full":
            return self.count_flagged(first), self.count_flagged(second)
        a = self.matrix()
        if a.dtype != np.int16 or self.max_degree() >= 1 << 7:
            return self.count_flagged(first), self.count_flagged(second)
        packed = np.left_shift(np.asarray(second, dtype=np.int16), 8)
        packed |= np.asarray(first, dtype=np.int16)
        both = a @ packed
        return both & 0xFF, both >> 8

    def pick_flagged(self, rows: np.ndarray, flag: np.ndarray, u: np.ndarray) -> np.ndarray:
        """For each node in ``rows``, one neighbour with ``flag`` set, chosen by uniform ``u``.

        Rows with no flagged neighbour get -1. A stored graph is walked by a compiled kernel
        (:meth:`pick_flagged_numpy` is its numpy reference).
        """
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0:
            return np.empty(0, dtype=np.int32)
        if self.kind == "full":
            senders = np.flatnonzero(flag)
            if senders.size == 0:
                return np.full(rows.size, -1, dtype=np.int32)
            # Exclude self by drawing among the others when the row itself is a sender.
            own = flag[rows].astype(np.int64)
            k = senders.size - own
            pick = np.minimum((u * np.maximum(k, 1)).astype(np.int64), np.maximum(k - 1, 0))
            pos = np.searchsorted(senders, rows)
            pick = pick + ((own == 1) & (pick >= pos))
            out = senders[np.minimum(pick, senders.size - 1)].astype(np.int32)
            out[k <= 0] = -1
            return out
        return kernels.pick_flagged_csr(self.indptr, self.indices, rows, flag, u)

    def pick_flagged_numpy(self, rows: np.ndarray, flag: np.ndarray, u: np.ndarray) -> np.ndarray:
        """:meth:`pick_flagged` for a stored graph in numpy, vectorized over rows and their edges:
        the readable reference of :func:`model.engine.kernels.pick_flagged_csr`."""
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0:
            return np.empty(0, dtype=np.int32)
        starts = self.indptr[rows]
        lengths = self.indptr[rows + 1] - starts
        first = np.cumsum(lengths) - lengths  # position of each row's first edge in the gather
        seg = np.repeat(np.arange(rows.size), lengths)
        edges = self.indices[np.repeat(starts - first, lengths) + np.arange(int(lengths.sum()))]
        hit = flag[edges].astype(np.int64)
        exclusive = np.cumsum(hit) - hit  # flagged edges before this one, over all rows
        rank = exclusive - exclusive[first[seg]] if hit.size else hit  # ... within its own row
        counts = np.bincount(seg, weights=hit, minlength=rows.size).astype(np.int64)
        want = np.minimum((u * counts).astype(np.int64), np.maximum(counts - 1, 0))
        chosen = (hit == 1) & (rank == want[seg])
        out = np.full(rows.size, -1, dtype=np.int32)
        out[seg[chosen]] = edges[chosen]
        return out


def build_network(
    kind: str, n: int, degree: float, rewiring: float, rng: np.random.Generator
) -> Network:
    """Build a network of ``n`` nodes with average degree ``degree``.

    Parameters
    ----------
    kind : {"small_world", "scale_free", "random", "full"}
    n : int
        Number of nodes.
    degree : float
        Target average degree (contacts per client).
    rewiring : float
        Watts–Strogatz rewiring probability (small world only).
    rng : numpy.random.Generator
        The source of randomness (derived from the run's seed).
    """
    if kind not in KINDS:
        raise ValueError(f"word_of_mouth.network: {kind!r} is not one of {', '.join(KINDS)}")
    empty = np.zeros(0, dtype=np.int32)
    if kind == "full" or n < 2:
        return Network("full" if kind == "full" else kind, n, np.zeros(n + 1, np.int64), empty)
    degree = min(float(degree), n - 1.0)
    # Endpoints in the narrowest integer that holds a node (and a ring neighbour's row + offset):
    # at 10⁶ nodes the edge lists are the build's largest arrays. The draws are numpy's int64
    # ones, narrowed one list at a time: the same graph as with int64 endpoints.
    half = max(1, round(degree / 2))
    node = np.int32 if n + half < np.iinfo(np.int32).max else np.int64
    if kind == "small_world":
        src = np.repeat(np.arange(n, dtype=node), half)
        dst = np.tile(np.arange(1, half + 1, dtype=node), n)
        dst += src  # (in place: (src + offset) % n without two more edge-long temporaries)
        dst %= node(n)
        rewire = _below(rng, src.size, rewiring)
        dst[rewire] = rng.integers(0, n, size=int(np.count_nonzero(rewire)))
    elif kind == "random":
        m = round(n * degree / 2)
        src = rng.integers(0, n, size=m).astype(node)
        dst = rng.integers(0, n, size=m).astype(node)
    else:  # scale_free: Chung–Lu with power-law weights w_i ∝ (i + i0)^(-1/(γ-1)), γ = 2.5
        gamma = 2.5
        w = (np.arange(n) + 1.0) ** (-1.0 / (gamma - 1.0))
        w = rng.permutation(w)
        p = w / w.sum()
        m = round(n * degree / 2)
        src = rng.choice(n, size=m, p=p).astype(node)
        dst = rng.choice(n, size=m, p=p).astype(node)
    return _csr(kind, n, src, dst)


#: Uniforms drawn at once by :func:`_below` (float64: 2 MiB a chunk).
_CHUNK = 1 << 18


def _below(rng: np.random.Generator, size: int, p: float) -> np.ndarray:
    """``rng.random(size) < p``, drawn a chunk at a time: the same flags (each uniform is one
    64-bit output of the stream, whatever the chunking), without a float64 per edge at once."""
    out = np.empty(size, dtype=bool)
    for start in range(0, size, _CHUNK):
        stop = min(start + _CHUNK, size)
        np.less(rng.random(stop - start), p, out=out[start:stop])
    return out


def _csr(kind: str, n: int, src: np.ndarray, dst: np.ndarray) -> Network:
    """Symmetrize, drop self-loops and duplicates, and pack as CSR.

    Counted into one bucket per node and each bucket sorted (compiled:
    :func:`model.engine.kernels.network.csr_from_edges`): the same arrays as :func:`csr_numpy`'s
    sort of all the edge keys, in linear time and about a third of its memory.
    """
    indptr, edges, m = kernels.csr_from_edges(n, src, dst)
    # Repeated edges are few in large graphs: keep the array (a view of its first m)
    # rather than hold a second edge-long copy at the build's peak; copy only when over a
    # sixteenth of it would be left unused. (nbytes counts what the view holds.)
    indices = edges[:m] if edges.size - m <= edges.size // 16 else edges[:m].copy()
    small = indices.size < np.iinfo(np.int32).max  # int32 row pointers while the edges fit
    return Network(kind, n, indptr.astype(np.int32 if small else np.int64), indices)


def csr_numpy(kind: str, n: int, src: np.ndarray, dst: np.ndarray) -> Network:
    """:func:`_csr` in numpy (its reference): symmetrize, drop self-loops and duplicates, and pack
    as CSR by one sort of both directions.

    Edges are sorted as keys ``row·n + column`` (both directions in one array); the row pointers
    are then where each row's keys begin, found by binary search rather than from a row array.
    Each step writes into memory it already holds, so the build peaks at about two keys per edge.
    """
    keep = src != dst
    # int64 before the keys are formed: row·n + column overflows int32 beyond 46,340 nodes.
    src, dst = src[keep].astype(np.int64, copy=False), dst[keep].astype(np.int64, copy=False)
    m = src.size
    key = np.empty(2 * m, dtype=np.int64)
    np.multiply(src, n, out=key[:m])
    key[:m] += dst
    np.multiply(dst, n, out=key[m:])
    key[m:] += src
    del src, dst
    key.sort()
    if key.size:
        first = np.empty(key.size, dtype=bool)
        first[0] = True
        np.not_equal(key[1:], key[:-1], out=first[1:])
        key = key[first]
        del first
    small = key.size < np.iinfo(np.int32).max  # int32 row pointers while the edges fit
    indptr = np.searchsorted(key, np.arange(n + 1, dtype=np.int64) * n)
    indptr = indptr.astype(np.int32 if small else np.int64)
    indices = np.remainder(key, n, out=key).astype(np.int32)
    del key
    return Network(kind, n, indptr, indices, _adjacency(n, indptr, indices))


def _adjacency(n: int, indptr: np.ndarray, indices: np.ndarray) -> sp.csr_array:
    """A 0/1 sparse matrix over the CSR arrays, its values in the narrowest integer that holds
    any node's count of neighbours (int16 unless a hub has 2¹⁵ or more)."""
    wide = indptr.dtype != indices.dtype or int(np.diff(indptr).max(initial=0)) >= 1 << 15
    ones = np.ones(indices.size, dtype=np.int32 if wide else np.int16)
    return sp.csr_array((ones, indices, indptr), shape=(n, n))
