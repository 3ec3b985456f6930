"""From a study's values to a claim's evidence: :func:`~experiments.analysis.evidence.run_claim`.

Where a verdict holds and where it turns (:mod:`~experiments.analysis.conditional`, its shift
tests, PRIM and CART in :mod:`~experiments.analysis.discovery`, PAWN sensitivity), the checks of
a verdict against a larger market (:mod:`~experiments.analysis.scale_check`), a control study
(:mod:`~experiments.analysis.pin_check`) and its own held-out half
(:mod:`~experiments.analysis.split`), and the coverage check of P(holds)' interval
(:mod:`~experiments.analysis.coverage`).

Imports :mod:`experiments.running` and :mod:`experiments.verdicts`, nothing above.
"""
