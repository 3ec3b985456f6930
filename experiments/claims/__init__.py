"""The claims of the practitioner articles, one module each (docs/ODD.md §1.2).

Each declares a :class:`~experiments.verdicts.claim.Claim` (its readings, bands and source) as
``CLAIM`` and ``measure(baseline, seed)``, which gives each reading in one world from that world's
runs (:mod:`experiments.running`). :data:`experiments.EXPERIMENTS` lists them in order;
:func:`experiments.analysis.evidence.run_claim` judges one.

Imports :mod:`experiments.running` and :mod:`experiments.verdicts`; nothing imports a claim
module but by its name in :data:`experiments.EXPERIMENTS`.
"""
