"""Studies built from runs of the engine: one run (:mod:`~model.studies.run`), paired comparison,
the budget optimiser, sweeps, sensitivity, calibration, closed forms, diffusion and the value of
word of mouth. They import the engine and the scenario, never the interfaces.
"""
