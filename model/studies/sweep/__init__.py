"""Batch parameter sweeps, from a laptop to a Dask cluster, resumable (docs/ODD.md §8).

A TOML spec (:mod:`model.studies.sweep.spec`) names a base scenario, the parameters to vary, a design
(:mod:`model.studies.sweep.designs`: grid, Latin hypercube, Sobol', Morris), the market and horizon, and the
replications. :func:`run_sweep` (:mod:`model.studies.sweep.runner`) submits batches of replicates to any
``concurrent.futures`` executor; each finished batch lands in the store
(:mod:`model.studies.sweep.store`) as its own Parquet file, so a killed sweep resumes where it stopped.

Examples
--------
A full sweep takes minutes, so this is shown rather than run (``tests/test_sweep.py`` runs small
ones). In a script, the pool's worker processes import the script again, so the sweep must sit
under ``if __name__ == "__main__":`` (as for any ``multiprocessing`` program; a notebook needs
no guard)::

    from model.scenario import preset_path
    from model.studies.sweep import executor, load, load_spec, run_sweep

    if __name__ == "__main__":
        spec = load_spec(preset_path("sweeps/example", kind="sweep"))
        with executor(workers=2) as (pool, slots, _):  # or executor(dask_local=2): Dask
            run_sweep(spec, "out/example-sweep", pool=pool, slots=slots)
        print(load("out/example-sweep"))  # one row per run
        # later, or elsewhere, with the store alone: stored_spec(store) is the spec it was run from
"""

from __future__ import annotations

from model.studies.sweep.designs import build_design
from model.studies.sweep.parsing import load_spec, parse_spec
from model.studies.sweep.results import load, load_series
from model.studies.sweep.runner import executor, replicate, run_batch, run_sweep, seed_for
from model.studies.sweep.spec import SweepError, SweepSpec, run_count_text
from model.studies.sweep.status import status
from model.studies.sweep.store import code_version
from model.studies.sweep.stored import stored_spec

__all__ = [
    "SweepError",
    "SweepSpec",
    "build_design",
    "code_version",
    "executor",
    "load",
    "load_series",
    "load_spec",
    "parse_spec",
    "replicate",
    "run_batch",
    "run_count_text",
    "run_sweep",
    "seed_for",
    "status",
    "stored_spec",
]
