"""Running a claim study: the worlds' paired runs and where they are kept.

The runs a claim reads (:mod:`~experiments.running.baseline`, :mod:`~experiments.running.arms`,
:mod:`~experiments.running.lifetime`, run together by :mod:`~experiments.running.together` and
batched by :mod:`~experiments.running.tasks`), the study's sizes, stages and looks, its store
(:mod:`~experiments.running.store`: resumable, refused when the code that decides its numbers
changed), control studies' pins (:mod:`~experiments.running.pins`) and the driver
(:mod:`~experiments.running.study`).

Imports :mod:`experiments.verdicts` (a look asks which worlds lie near a band edge), nothing above.
"""
