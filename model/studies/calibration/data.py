"""Reading a firm's data: survival tables and transaction logs, checked with one-line errors.

Survival table (CSV): a period column named ``year``, ``quarter``, ``month`` or ``period`` (the name
sets the period length; ``period`` is as long as ``period_months`` says, years unless told) and an
``alive`` column —
clients of one cohort still there at the start of each period, counts not shares (the intervals
depend on how many clients there were), starting at period 0 and never rising.

Transaction log (CSV): ``client``, ``date`` (ISO dates, e.g. 2021-03-31) and ``amount``
(currency, ≥ 0). Other columns are ignored; ``client_id``/``customer_id`` are accepted for client.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from model.scenario.arguments import shown
from model.studies.calibration.errors import CalibrationError, cell
from model.studies.calibration.sbg import check_period_months

__all__ = [
    "PERIOD_MONTHS",
    "check_transactions",
    "fader_hardie",
    "read_survival",
    "read_transactions",
    "survival_table",
]

#: Period column name -> its length in months.
PERIOD_MONTHS: dict[str, float] = {"year": 12.0, "quarter": 3.0, "month": 1.0, "period": 12.0}
_CLIENT_NAMES = ("client", "client_id", "customer", "customer_id", "id")


def _read_csv(path: str | Path, what: str) -> pd.DataFrame:
    path = Path(path)
    try:
        return pd.read_csv(path, skipinitialspace=True)
    except FileNotFoundError:
        raise CalibrationError(f"{what} file {str(path)!r} does not exist") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        raise CalibrationError(f"{what} file {str(path)!r} cannot be read as CSV: {exc}") from None


#: The most clients a cohort may count (as ``--cohort-size`` and a targets file allow).
MAX_COHORT = 1e12


def survival_table(
    alive: np.ndarray | list[float],
    *,
    origin: str = "survival table",
    cohort_size: float | None = None,
) -> np.ndarray:
    """Check a survival column: finite counts ≥ 0, at least 3 periods, never rising, first > 0.

    With ``cohort_size`` the column may be percentages or shares of the cohort (rescaled to counts
    of ``cohort_size`` clients; a column that already starts at ``cohort_size``, such as one this
    function returned, is kept as it is); without it, a column starting at exactly 100 is refused
    as ambiguous (100 clients counted, or percentages?).
    """
    if isinstance(alive, pd.DataFrame):  # (a year/alive table, as the command line reads one)
        raise CalibrationError(
            f"{origin}: alive: a table with columns {list(map(str, alive.columns))} is not "
            "allowed; allowed: one column of counts in period order, e.g. table['alive'] "
            "(read_survival(path) reads a CSV table and checks its periods)"
        )
    try:
        a = np.asarray(alive, dtype=np.float64)
    except (ValueError, TypeError):
        raise CalibrationError(
            f"{origin}: alive: value {shown(alive)} is not allowed; allowed: numbers (a count of "
            "clients alive for each period)"
        ) from None
    if a.ndim != 1:
        raise CalibrationError(
            f"{origin}: alive: value {shown(alive)} (of shape {a.shape}) is not allowed; allowed: "
            "one column (the clients alive at t = 0, 1, 2, …)"
        )
    given = a  # the column as given: its errors quote what the user wrote, not the rescaling
    if cohort_size is not None:
        if not (np.isfinite(cohort_size) and 1 <= cohort_size <= MAX_COHORT):
            raise CalibrationError(
                f"cohort_size: value {cohort_size!r} is not allowed; allowed: a count, "
                f"1 ≤ x ≤ {MAX_COHORT:.0e}"
            )
        if a.size and np.isfinite(a[0]) and 0 < a[0] != cohort_size:  # (once: see above)
            a = a / a[0] * float(cohort_size)
    if a.size < 3:
        raise CalibrationError(
            f"{origin}: alive: need at least 3 periods (0, 1, 2) to estimate two parameters; got {a.size}"
        )
    bad = ~np.isfinite(a) | (a < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        shown_value = "empty" if np.isnan(given[i]) else f"value {float(given[i])!r}"
        raise CalibrationError(
            f"{origin}: alive: {shown_value} for period {i} is not allowed; allowed: a count ≥ 0"
        )
    if a[0] <= 0:
        raise CalibrationError(
            f"{origin}: alive: the cohort size (period 0) must be > 0; got {float(a[0])!r}"
        )
    if a[0] > MAX_COHORT:  # (1e308 clients fitted with overflow warnings and a 300-digit size)
        raise CalibrationError(
            f"{origin}: alive: value {float(given[0])!r} for period 0 is not allowed; allowed: "
            f"a count ≤ {MAX_COHORT:.0e} (the cohort size --cohort-size takes at most)"
        )
    rise = np.flatnonzero(np.diff(a) > 0)
    if rise.size:
        i = int(rise[0]) + 1
        raise CalibrationError(
            f"{origin}: alive: survival must not rise, but period {i} has {given[i]:g} > "
            f"{given[i - 1]:g} the period before, as given (one cohort only; no new clients)"
        )
    if cohort_size is None and a[0] == 100.0:
        raise CalibrationError(
            f"{origin}: alive: starts at exactly 100 — a cohort of 100 clients, or percentages? "
            "give the cohort size (--cohort-size N, or cohort_size = N in a targets file; N = 100 if "
            "100 clients were counted)"
        )
    if a[0] <= 1.0 and np.any((a > 0) & (a < 1)):
        raise CalibrationError(
            f"{origin}: alive: looks like shares (first value {a[0]:g}); give counts "
            "(e.g. multiply by the cohort size) so the intervals reflect how many clients there were"
        )
    part = np.flatnonzero(a != np.round(a)) if cohort_size is None else ()
    if len(part):  # (counted clients are whole; rescaled shares need not be)
        i = int(part[0])
        raise CalibrationError(
            f"{origin}: alive: value {float(a[i])!r} for period {i} is not allowed; allowed: a whole "
            "count (or shares of the cohort with its size: --cohort-size N)"
        )
    return a


def read_survival(
    path: str | Path, cohort_size: float | None = None, period_months: float | None = None
) -> tuple[np.ndarray, float]:
    """Read a survival table: returns (alive counts at t = 0, 1, …, period length in months).

    The second column is ``alive`` (counts), or ``percent``/``share`` (of the cohort at t = 0),
    which need ``cohort_size`` (the intervals depend on how many clients there were). An ``alive``
    column starting at exactly 100 is ambiguous (100 clients, or percentages?) and is refused
    unless ``cohort_size`` says how many clients there were.

    ``period_months`` is the length of a ``period`` column's periods (default 12); with a ``year``,
    ``quarter`` or ``month`` column, whose name says its length, a different value is refused
    rather than ignored.
    """
    df = _read_csv(path, "survival table")
    cols = {c.strip().lower(): c for c in df.columns}
    period = next((name for name in PERIOD_MONTHS if name in cols), None)
    unit = next((u for u in ("alive", "percent", "share") if u in cols), None)
    if period is None or unit is None:
        raise CalibrationError(
            f"survival table {str(path)!r}: columns {list(df.columns)} lack "
            f"{'a period column (year, quarter, month or period)' if period is None else 'alive'}; "
            "expected e.g. 'year,alive' (counts) or 'year,percent' with a cohort size"
        )
    months = _period_months(path, period, period_months)
    t = pd.to_numeric(df[cols[period]], errors="coerce").to_numpy()
    if np.any(~np.isfinite(t)) or not np.array_equal(t, np.arange(t.size)):
        raise CalibrationError(
            f"survival table {str(path)!r}: {period}: values {t.tolist()[:6]}… are not allowed; "
            "allowed: consecutive periods 0, 1, 2, …"
        )
    origin = f"survival table {str(path)!r}"
    raw = df[cols[unit]]
    numbers = pd.to_numeric(raw, errors="coerce")
    text = np.flatnonzero(numbers.isna().to_numpy() & raw.notna().to_numpy())
    if text.size:  # the cell as written, not the NaN it became
        i = int(text[0])
        raise CalibrationError(
            f"{origin}: {unit}: value {str(raw.iloc[i])!r} for period {i} is not allowed; "
            "allowed: a number"
        )
    values = numbers.to_numpy(dtype=np.float64)
    if unit != "alive" and cohort_size is None:
        raise CalibrationError(
            f"{origin}: {unit}: the table gives shares of the cohort, not counts; give the cohort "
            "size (--cohort-size N) so the intervals reflect how many clients there were"
        )
    return survival_table(values, origin=origin, cohort_size=cohort_size), months


def _period_months(path: str | Path, period: str, given: float | None) -> float:
    """The length in months of the periods of a column named ``period``; ``given`` sets it for a
    ``period`` column and must agree with any other (it was silently ignored)."""
    if given is not None:
        check_period_months(given)  # (the sBG fit's own limit, checked before the file is read on)
    if period == "period":
        return PERIOD_MONTHS[period] if given is None else float(given)
    months = PERIOD_MONTHS[period]
    if given is not None and given != months:
        raise CalibrationError(
            f"survival table {str(path)!r}: --period-months {given:g} is not used with a "
            f"{period!r} column (its periods are {months:g} month{'s' * (months != 1)}); allowed: "
            f"{months:g} or none, or name the column 'period' for periods of --period-months"
        )
    return months


def fader_hardie(segment: str = "regular") -> np.ndarray:
    """Fader & Hardie (2007, Table 1) survival of 1,000 clients, years 0-12: 'regular' or 'high_end'."""
    if segment not in ("regular", "high_end"):
        raise CalibrationError(
            f"segment: value {segment!r} is not allowed; allowed: 'regular', 'high_end'"
        )
    ref = resources.files("model") / "data" / f"fader_hardie_{segment}.csv"
    with resources.as_file(ref) as path:
        alive, _ = read_survival(path)
    return alive


def read_transactions(path: str | Path) -> pd.DataFrame:
    """Read and check a transaction log; returns columns client (str), date (datetime64), amount."""
    df = _read_csv(path, "transaction log")
    return check_transactions(df, origin=f"transaction log {str(path)!r}")


def check_transactions(df: pd.DataFrame, *, origin: str = "transaction log") -> pd.DataFrame:
    """Validate a transaction table (client, date, amount) and return it cleaned and sorted."""
    cols = {str(c).strip().lower(): c for c in df.columns}
    client = next((cols[n] for n in _CLIENT_NAMES if n in cols), None)
    missing = [
        name
        for name, col in (
            ("client", client),
            ("date", cols.get("date")),
            ("amount", cols.get("amount")),
        )
        if col is None
    ]
    if missing:
        raise CalibrationError(
            f"{origin}: missing column(s) {', '.join(missing)}; found {list(df.columns)}; "
            "expected client,date,amount"
        )
    if df.empty:
        raise CalibrationError(f"{origin}: no rows")
    dates = pd.to_datetime(df[cols["date"]], errors="coerce", format="ISO8601")
    if dates.isna().any():
        i = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise CalibrationError(
            f"{origin}: date: {cell(df[cols['date']].iloc[i])} at row {i + 1} is not a date; "
            "allowed: ISO dates such as 2021-03-31"
        )
    amount = pd.to_numeric(df[cols["amount"]], errors="coerce")
    bad = amount.isna() | ~np.isfinite(amount) | (amount < 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise CalibrationError(
            f"{origin}: amount: {cell(df[cols['amount']].iloc[i])} at row {i + 1} is not allowed; "
            "allowed: a number ≥ 0 (refunds: net them into the purchase)"
        )
    ids = df[client]
    if ids.isna().any():
        i = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise CalibrationError(
            f"{origin}: client: empty at row {i + 1}; every row needs a client id"
        )
    out = pd.DataFrame({"client": ids.astype(str), "date": dates, "amount": amount.astype(float)})
    return out.sort_values(["client", "date"], kind="stable").reset_index(drop=True)
