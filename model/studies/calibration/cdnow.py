"""The CDNOW sample: 2,357 clients' CD purchases, 1997-01-01 to 1998-06-30 (Fader & Hardie).

The standard data set of the customer-base literature: 1/10 of the clients who first bought at the
online retailer CDNOW in the first quarter of 1997, every purchase until June 1998. It is loaded
from the installed ``lifetimes`` package (MIT; it ships ``lifetimes/datasets/CDNOW_sample.txt``),
located without importing that package, and never downloaded (provenance: model/data/SOURCES.md).

The raw file has no header and five whitespace-separated columns: the client's id in the full
data set, its id in the sample (1-2357), the date (YYYYMMDD), the number of CDs and the dollar
value. :data:`COLUMNS` names them; :data:`FORMAT` reads it with :func:`~model.studies.calibration.logs.read_log`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from model.studies.calibration.errors import CalibrationError
from model.studies.calibration.logs import LogFormat, read_log

__all__ = ["CALIBRATION_END", "COLUMNS", "FORMAT", "PUBLISHED", "load", "path"]

COLUMNS = ("master_id", "client", "date", "cds", "amount")
FORMAT = LogFormat(client="client", date="date", amount="amount", columns=COLUMNS)
#: The 39-week calibration period of the literature ends on this day (inclusive).
CALIBRATION_END = "1997-09-30"

#: Published estimates on this sample, weeks as the time unit.
PUBLISHED: dict[str, dict[str, float]] = {
    # Fader, Hardie & Lee (2005), "Counting your customers the easy way", Marketing Science 24(2).
    "bgnbd": {"r": 0.243, "α": 4.414, "a": 0.793, "b": 2.426, "loglik": -9582.4},
    # Fader, Hardie & Lee (2005), "RFM and CLV", J. Marketing Research 42(4) (also SMC 1987's model).
    "pareto_nbd": {"r": 0.55, "α": 10.58, "s": 0.61, "β": 11.67, "loglik": -9595.0},
    # Fader, Hardie & Lee (2005), "RFM and CLV"; Fader & Hardie (2013) gamma-gamma note.
    "gamma_gamma": {"p": 6.25, "q": 3.74, "γ": 15.44},
}


def path() -> Path:
    """Where the installed ``lifetimes`` package keeps ``CDNOW_sample.txt``.

    Raises
    ------
    CalibrationError
        ``lifetimes`` is not installed (it is a dependency of this project: reinstall it).
    """
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        raise CalibrationError(
            "the CDNOW sample ships with the 'lifetimes' package, which is not installed "
            "(pip install lifetimes)"
        )
    file = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "CDNOW_sample.txt"
    if not file.exists():
        raise CalibrationError(f"the CDNOW sample is missing from the installed lifetimes: {file}")
    return file


def load() -> pd.DataFrame:
    """The CDNOW sample as purchases (one row per client-day; see :func:`read_log`)."""
    return read_log(path(), FORMAT)
