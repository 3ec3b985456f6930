"""A claim's report (:func:`~experiments.reporting.report.write_report`: Markdown, JSON and
figures), its sections, and the index over every report (:mod:`~experiments.reporting.index`).

The top layer but the command line (:mod:`experiments.cli`): imports the layers below it.
"""
