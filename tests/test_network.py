"""The social network: CSR validity, degrees, and the neighbour queries word of mouth relies on."""

from __future__ import annotations

import copy
import pickle

import networkx as nx
import numpy as np
import pytest

from model.engine.network import KINDS, Network, _csr, build_network

SPARSE = ("small_world", "scale_free", "random")


def _net(kind: str, n: int = 600, degree: float = 8.0, seed: int = 3) -> Network:
    return build_network(kind, n, degree, 0.1, np.random.default_rng(seed))


def _neighbours(net: Network, i: int) -> np.ndarray:
    if net.kind == "full":
        return np.delete(np.arange(net.n), i)
    return net.indices[net.indptr[i] : net.indptr[i + 1]]


@pytest.mark.parametrize("kind", SPARSE)
def test_csr_is_valid_symmetric_simple(kind: str) -> None:
    net = _net(kind)
    assert net.indptr.shape == (net.n + 1,)
    assert net.indptr[0] == 0 and net.indptr[-1] == net.indices.size
    assert np.all(np.diff(net.indptr) >= 0)
    assert net.indices.min() >= 0 and net.indices.max() < net.n
    rows = np.repeat(np.arange(net.n), np.diff(net.indptr))
    assert not np.any(rows == net.indices), "self-loop"
    pairs = rows.astype(np.int64) * net.n + net.indices
    assert np.unique(pairs).size == pairs.size, "duplicate edge"
    reverse = np.sort(net.indices.astype(np.int64) * net.n + rows)
    assert np.array_equal(np.sort(pairs), reverse), "not symmetric"
    assert np.array_equal(net.degrees(), np.diff(net.indptr))


@pytest.mark.parametrize("kind", SPARSE)
@pytest.mark.parametrize("degree", [4.0, 10.0])
def test_mean_degree_near_target(kind: str, degree: float) -> None:
    n = 5000
    net = _net(kind, n=n, degree=degree)
    assert net.mean_degree == pytest.approx(net.indices.size / n)
    # Dropped self-loops and duplicate edges cost a little: the expected share of duplicates is
    # ~degree / n for random graphs, more for the hubs of scale-free (Chung-Lu clips at w_i w_j);
    # allow 10% for scale-free, 2% otherwise.
    slack = 0.10 if kind == "scale_free" else 0.02
    assert degree * (1 - slack) <= net.mean_degree <= degree + 1e-9


def test_small_world_ring_exact_without_rewiring() -> None:
    net = build_network("small_world", 50, 6, 0.0, np.random.default_rng(0))
    assert np.all(net.degrees() == 6)
    assert set(_neighbours(net, 0).tolist()) == {1, 2, 3, 47, 48, 49}


def test_full_network_is_everyone() -> None:
    net = _net("full", n=40)
    assert net.kind == "full" and net.indices.size == 0
    assert net.mean_degree == 39
    assert np.all(net.degrees() == 39)


def test_unknown_kind_is_named() -> None:
    with pytest.raises(ValueError, match=r"word_of_mouth\.network.*'lattice'"):
        build_network("lattice", 10, 4, 0.1, np.random.default_rng(0))


@pytest.mark.parametrize("kind", KINDS)
def test_count_flagged_matches_loop(kind: str) -> None:
    net = _net(kind, n=300)
    flag = np.random.default_rng(1).random(net.n) < 0.3
    counts = net.count_flagged(flag)
    expected = [int(flag[_neighbours(net, i)].sum()) for i in range(net.n)]
    assert counts.tolist() == expected


@pytest.mark.parametrize(
    ("kind", "n", "degree"),
    # Degrees below 2⁷ are counted in one packed pass; a hub of 300 (full: 399) is not.
    [("small_world", 300, 10), ("random", 300, 120), ("scale_free", 3000, 60), ("full", 400, 0)],
)
def test_count_flagged_both_matches_loop(kind: str, n: int, degree: int) -> None:
    net = build_network(kind, n, degree, 0.1, np.random.default_rng(3))
    rng = np.random.default_rng(4)
    first, second = rng.random(n) < 0.7, rng.random(n) < 0.4
    a, b = net.count_flagged_both(first, second)
    assert a.tolist() == [int(first[_neighbours(net, i)].sum()) for i in range(n)]
    assert b.tolist() == [int(second[_neighbours(net, i)].sum()) for i in range(n)]
    if kind == "scale_free":
        assert net.degrees().max() >= 1 << 7  # the unpacked path was the one tested


def test_count_flagged_counts_hubs_past_int16() -> None:
    """A star with 40,000 leaves: the centre's count needs more than 16 bits."""
    n = 40_001
    net = _csr_star(n)
    flag = np.ones(n, dtype=bool)
    counts = net.count_flagged(flag)
    assert int(counts[0]) == n - 1 and np.all(counts[1:] == 1)


def _csr_star(n: int):
    leaves = np.arange(1, n, dtype=np.int64)
    return _csr("random", n, np.zeros(n - 1, dtype=np.int64), leaves)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("share", [0.0, 0.05, 0.5, 1.0])
def test_pick_flagged_matches_loop(kind: str, share: float) -> None:
    """The picked neighbour is the ⌊u·k⌋-th flagged neighbour in CSR order (or -1 if none)."""
    net = _net(kind, n=300)
    rng = np.random.default_rng(2)
    flag = rng.random(net.n) < share
    rows = np.sort(rng.choice(net.n, size=120, replace=False))
    u = rng.random(rows.size)
    picked = net.pick_flagged(rows, flag, u)
    for r, ui, got in zip(rows, u, picked, strict=True):
        candidates = [j for j in _neighbours(net, r) if flag[j]]
        if not candidates:
            assert got == -1
        else:
            assert got == candidates[min(int(ui * len(candidates)), len(candidates) - 1)]


@pytest.mark.parametrize("kind", KINDS)
def test_pick_flagged_is_uniform_among_flagged(kind: str) -> None:
    """Over many uniforms every flagged neighbour of a row is picked about equally often."""
    net = _net(kind, n=60, degree=10)
    flag = np.zeros(net.n, bool)
    flag[::3] = True
    row = int(np.argmax(net.count_flagged(flag)))
    k = int(net.count_flagged(flag)[row])
    draws = 6000
    u = np.random.default_rng(4).random(draws)
    picked = net.pick_flagged(np.full(draws, row), flag, u)
    counts = np.bincount(picked, minlength=net.n)[flag & (np.arange(net.n) != row)]
    counts = counts[counts > 0]
    assert counts.size == k
    # Each count is Binomial(draws, 1/k): 4 standard errors either side of draws/k.
    se = np.sqrt(draws * (1 / k) * (1 - 1 / k))
    assert np.all(np.abs(counts - draws / k) < 4 * se)


def test_pick_flagged_empty_rows() -> None:
    net = _net("random")
    assert net.pick_flagged(np.array([], int), np.ones(net.n, bool), np.array([])).size == 0


def test_small_world_is_clustered() -> None:
    """Watts–Strogatz keeps the ring's triangles: clustering far above a random graph's ~k/n."""
    n, k = 2000, 10
    sw, er = _net("small_world", n=n, degree=k), _net("random", n=n, degree=k)

    def clustering(net: Network) -> float:
        g = nx.Graph()
        g.add_nodes_from(range(n))
        rows = np.repeat(np.arange(n), np.diff(net.indptr))
        g.add_edges_from(zip(rows.tolist(), net.indices.tolist(), strict=True))
        return nx.average_clustering(g)

    c_sw, c_er = clustering(sw), clustering(er)
    # Ring lattice: C = 3(k-2)/(4(k-1)) = 0.67; rewiring 0.1 keeps ~(1-0.1)^3 of it (≈0.49).
    # Random graph: C ≈ k/n = 0.005.
    assert c_sw > 0.35
    assert c_er < 0.02
    assert c_sw > 10 * c_er


def test_same_rng_same_graph() -> None:
    a, b = _net("scale_free", seed=9), _net("scale_free", seed=9)
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)


def test_csr_accepts_int32_endpoints_past_the_int32_key_range() -> None:
    """Keys are row·n + column: with 100,000 nodes they pass 2³¹, so they are formed in int64."""

    n = 100_000
    rng = np.random.default_rng(5)
    src, dst = rng.integers(0, n, 50_000), rng.integers(0, n, 50_000)
    wide = _csr("random", n, src, dst)
    narrow = _csr("random", n, src.astype(np.int32), dst.astype(np.int32))
    assert np.array_equal(wide.indptr, narrow.indptr)
    assert np.array_equal(wide.indices, narrow.indices)


def test_a_graph_built_without_its_matrix_counts_the_same() -> None:
    net = _net("small_world", n=300)
    bare = Network(net.kind, net.n, net.indptr, net.indices)
    flag = np.random.default_rng(6).random(net.n) < 0.4
    assert np.array_equal(bare.count_flagged(flag), net.count_flagged(flag))
    assert bare.nbytes() == net.nbytes()  # the matrix now built, and counted


def _int64_build(kind: str, n: int, degree: float, rewiring: float, seed: int) -> Network:
    """The generators as they stood with int64 endpoints and one draw of every uniform: the
    reference the narrow, chunked build must equal."""
    from model.engine.network import csr_numpy

    rng = np.random.default_rng(seed)
    degree = min(float(degree), n - 1.0)
    if kind == "small_world":
        half = max(1, round(degree / 2))
        src = np.repeat(np.arange(n, dtype=np.int64), half)
        dst = (src + np.tile(np.arange(1, half + 1, dtype=np.int64), n)) % n
        rewire = rng.random(src.size) < rewiring
        dst[rewire] = rng.integers(0, n, size=int(rewire.sum()))
    elif kind == "random":
        m = round(n * degree / 2)
        src, dst = rng.integers(0, n, size=m), rng.integers(0, n, size=m)
    else:
        w = rng.permutation((np.arange(n) + 1.0) ** (-1.0 / 1.5))
        p, m = w / w.sum(), round(n * degree / 2)
        src, dst = rng.choice(n, size=m, p=p), rng.choice(n, size=m, p=p)
    return csr_numpy(kind, n, src, dst)


@pytest.mark.parametrize("kind", ["small_world", "random", "scale_free"])
@pytest.mark.parametrize(
    ("n", "degree", "rewiring"), [(997, 6, 0.1), (3000, 11, 0.6), (50, 49, 1.0)]
)
def test_narrow_chunked_build_equals_the_int64_build(
    monkeypatch: pytest.MonkeyPatch, kind: str, n: int, degree: float, rewiring: float
) -> None:
    """int32 endpoints, in-place ring offsets and rewiring uniforms drawn a chunk at a time
    (a chunk of 100 here, so that every build crosses chunk edges) change no edge."""
    import model.engine.network as network

    monkeypatch.setattr(network, "_CHUNK", 100)
    got = build_network(kind, n, degree, rewiring, np.random.default_rng(11))
    want = _int64_build(kind, n, degree, rewiring, 11)
    assert np.array_equal(got.indptr, want.indptr) and np.array_equal(got.indices, want.indices)


def test_csr_is_canonical_whether_it_keeps_or_copies_the_edge_array() -> None:
    """Few repeated edges (the edge array kept, a view of its start) or many (a compact copy):
    the same arrays as the numpy reference either way, and nbytes counts what is held."""
    from model.engine.network import csr_numpy

    ring = np.arange(1000, dtype=np.int32)
    for repeats in (3, 1000):  # under and over a sixteenth of the edge array left unused
        src = np.concatenate([ring, ring[:repeats]])
        dst = np.concatenate([(ring + 1) % 1000, (ring[:repeats] + 1) % 1000])
        got, want = _csr("random", 1000, src, dst), csr_numpy("random", 1000, src, dst)
        assert np.array_equal(got.indptr, want.indptr)
        assert np.array_equal(got.indices, want.indices) and got.indices.size == 2000
        held = 2 * (1000 + repeats) if repeats == 3 else 2000  # the view holds the whole array
        assert got.nbytes() == got.indptr.nbytes + 4 * held


@pytest.mark.parametrize("kind", (*SPARSE, "full"))
def test_a_network_is_read_only(kind: str) -> None:
    """Runs of one seed share their network (model.engine.sharing): writing it must fail
    loudly, not change another run's numbers."""
    net = _net(kind, n=200)
    for array in (net.indptr, net.indices):
        with pytest.raises(ValueError, match="read-only"):
            array[:1] = 0
    if kind != "full":
        with pytest.raises(ValueError, match="read-only"):
            net.matrix().data[:1] = 0
        bare = Network(net.kind, net.n, net.indptr.copy(), net.indices.copy())
        assert not bare.indices.flags.writeable  # frozen whoever builds it
        assert not bare.matrix().data.flags.writeable
    assert not net.degrees().flags.writeable
    for copied in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert np.array_equal(copied.indices, net.indices)
        assert not copied.indptr.flags.writeable and not copied.indices.flags.writeable


def test_a_phase_that_rewires_the_shared_network_fails_loudly() -> None:
    from model import RetentionModel
    from model.engine.phases import PHASES
    from model.scenario import Scenario

    def rewire(ctx) -> None:
        ctx.network.indices[0] = ctx.network.indices[-1]

    scenario = Scenario().with_overrides({"market.clients": 300, "run.months": 2, "run.seed": 4})
    untouched = RetentionModel(scenario)
    before = untouched.network.indices.copy()
    rogue = RetentionModel(scenario, phases=(*PHASES, ("rewire", rewire)))
    assert rogue.network is untouched.network  # shared: one seed, one network
    with pytest.raises(ValueError, match="read-only"):
        rogue.run()
    assert np.array_equal(untouched.network.indices, before)
