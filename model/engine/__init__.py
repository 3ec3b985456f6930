"""The engine: the client and staff state, random streams, the social network, the monthly phases,
metrics, the Mesa model (:class:`~model.engine.retention_model.RetentionModel`) and the per-agent
reference engine. It imports only :mod:`model.scenario`; nothing here knows about studies or
interfaces (docs/ODD.md §8).
"""
