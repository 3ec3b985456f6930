"""What a claim says and how a verdict on it is judged: a claim's readings and bands
(:mod:`~experiments.verdicts.claim`), P(holds) and its interval over worlds
(:mod:`~experiments.verdicts.holds`), the Monte-Carlo noise of an effect
(:mod:`~experiments.verdicts.noise`), the verdict's words (:mod:`~experiments.verdicts.verdict_words`)
and the judgement itself (:mod:`~experiments.verdicts.framework`).

The bottom layer of :mod:`experiments`: it imports nothing else of the package.
"""
