"""The live browser app a teacher can run a class with: presets, live levers, A vs B, export.

Start it with ``retention app`` (:mod:`model.interfaces.cli.app`); it listens on 127.0.0.1 unless
told otherwise and needs no internet: the front end comes from the ``solara-assets`` package
(docs/ODD.md §8). Solara serves this module (``solara run model.interfaces.app``) and renders
:func:`Page` once per browser page, so two people using the app at once never step each other's
firm. The page is our own (:mod:`model.interfaces.app.page`), not Mesa's generic controller.

Every control is generated from the declarations in :mod:`model.scenario` (default, unit, range), so
no default or range is typed twice; the app starts at the CLI's default size (10,000 people × 120
months). Levers move the running firm from the next month on, but for staffing, which applies on
Reset; the world (general overhead, loyal clients' spend growth), market size and seed apply on
Reset too, shared by firms A and B.
"""

from __future__ import annotations

from model.interfaces.app.app_model import AppModel, network_sample
from model.interfaces.app.controls import (
    APP_DEFAULTS,
    APP_KEYS,
    FIRM_RESET_KEYS,
    LIVE_KEYS,
    RESET_KEYS,
    app_scenario,
    control,
    model_params,
    presets,
)
from model.interfaces.app.memory import reclaim_on_kernel_close
from model.interfaces.app.page import RetentionApp, build_firms, export_csv, export_report

#: What Solara serves (one page; the submodules define no ``Page``, so no extra tabs).
Page = RetentionApp
reclaim_on_kernel_close()  # a closed session's memory goes back to the system

__all__ = [
    "APP_DEFAULTS",
    "APP_KEYS",
    "FIRM_RESET_KEYS",
    "LIVE_KEYS",
    "RESET_KEYS",
    "AppModel",
    "Page",
    "RetentionApp",
    "app_scenario",
    "build_firms",
    "control",
    "export_csv",
    "export_report",
    "model_params",
    "network_sample",
    "presets",
]
