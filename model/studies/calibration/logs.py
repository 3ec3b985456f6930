"""Reading real transaction logs: columns named by option, common date formats, returns.

A log is one row per purchase (or per line of a purchase) with a client id, a date and an amount.
Real exports differ, so everything is an option of :class:`LogFormat`:

- columns by name (``client``, ``date``, ``amount``); a file without a header gets its column names
  from ``columns`` (the CDNOW sample is whitespace-separated with none);
- the separator is sniffed from the first line (comma, semicolon, tab, else whitespace);
- dates: ISO (2021-03-31, with or without a time), ``YYYYMMDD`` integers, or day-first
  (31/03/2021) with ``dayfirst=True``, or any ``strptime`` format; a date that does not parse is
  refused naming its row and value;
- returns (negative amounts): ``returns="refuse"`` (default) stops at the first one naming the row;
  ``"net"`` nets them into the same client's purchases of the same day, and a day whose net is
  ≤ 0 is not a purchase;
- a date after today (the machine's date) is refused naming its row and value: a typo in the year
  (2092 for 2022) would otherwise stretch the observation period and make every client look lapsed.

Several rows of one client on one day are one purchase (their amounts added), as in the
customer-base literature (Fader, Hardie & Lee 2005 count purchase days). How many rows were merged,
and how many of them repeat an earlier row exactly (a double export doubles the spend), is kept in
the result's ``attrs`` and said by :func:`merge_notice`.
"""

from __future__ import annotations

import csv
import datetime
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model.studies.calibration.errors import CalibrationError, cell

__all__ = ["ClientIds", "LogFormat", "merge_notice", "purchases", "read_log"]

_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_YMD = re.compile(r"^\d{8}$")
_SLASHED = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$")


@dataclass(frozen=True)
class LogFormat:
    """How to read a transaction log.

    Attributes
    ----------
    client, date, amount : str
        Column names (case-insensitive). ``amount`` may be ``""``: no amounts (spend not fitted).
    columns : tuple of str, optional
        Names for the columns of a file without a header row, in order.
    date_format : str, optional
        A ``strptime`` format, e.g. ``"%d.%m.%Y"``; otherwise ISO, YYYYMMDD or (``dayfirst``)
        day/month/year are recognised.
    dayfirst : bool
        Read slashed dates as day/month/year (31/03/2021) rather than refusing them as ambiguous.
    returns : {"refuse", "net"}
        What to do with negative amounts.
    """

    client: str = "client"
    date: str = "date"
    amount: str = "amount"
    columns: tuple[str, ...] | None = None
    date_format: str | None = None
    dayfirst: bool = False
    returns: str = "refuse"


def _first_lines(path: Path, k: int = 2) -> list[str]:
    """The file's first ``k`` lines that are not blank (pandas skips blank lines), without their
    ends or a byte-order mark (split on whitespace, a BOM was a field of its own)."""
    out: list[str] = []
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        for line in fh:
            if line.strip():
                out.append(line.rstrip("\r\n"))
                if len(out) == k:
                    break
    return out


def _sep(first: str, second: str = "") -> str:
    """The separator of a file whose first lines of data are ``first`` and ``second``: of comma,
    semicolon and tab, the one that splits both into as many fields (quotes heeded), most fields
    first (a header ``client;date;amount (EUR, gross)`` is semicolon-separated, a header
    ``client,"date (y;m;d)",amount`` comma-separated); with one line, the one that splits it
    most; whitespace where none splits it."""

    def width(line: str, sep: str) -> int:
        return len(next(csv.reader([line], delimiter=sep))) if line else 0

    widths = {sep: (width(first, sep), width(second, sep)) for sep in (",", ";", "\t")}
    agree = {sep: a for sep, (a, b) in widths.items() if a > 1 and (not second or a == b)}
    if agree:
        return max(agree, key=lambda sep: agree[sep])  # (ties: the first, comma)
    split = {sep: a for sep, (a, _b) in widths.items() if a > 1}
    return max(split, key=lambda sep: split[sep]) if split else r"\s+"


def _check_width(path: Path, first: str, sep: str, columns: tuple[str, ...]) -> None:
    """Refuse ``columns`` that do not name every field of ``first``, the file's first line of
    data (pandas would warn and shift or drop fields)."""
    # (csv's reader: a quoted field may hold the separator; a trailing one ends an empty field)
    width = len(first.split()) if sep == r"\s+" else len(next(csv.reader([first], delimiter=sep)))
    if first and width != len(columns):
        raise CalibrationError(
            f"columns: value {','.join(columns)!r} is not allowed; allowed: {width} names, one "
            f"for each column of {str(path)!r} (its first line has {width})"
        )


def _frame(path: Path, fmt: LogFormat) -> pd.DataFrame:
    if not path.exists():
        raise CalibrationError(f"transaction log {str(path)!r} does not exist")
    if not path.is_file():
        raise CalibrationError(
            f"transaction log {str(path)!r} is a folder or a device; allowed: a CSV file"
        )
    first, *rest = _first_lines(path) or [""]
    sep = _sep(first, rest[0] if rest else "")
    kw = {"sep": sep, "dtype": str}
    if sep != r"\s+":
        kw["engine"] = "pyarrow"  # several times faster on 10^6 rows; C engine for whitespace
    else:
        kw["skipinitialspace"] = True
    if fmt.columns:
        _check_width(path, first, sep, fmt.columns)
        kw.update(header=None, names=list(fmt.columns))
        if sep == r"\s+":
            kw["index_col"] = False
    try:
        df = pd.read_csv(path, **kw)
        if kw.get("engine") == "pyarrow":
            df.columns = [str(c).strip() for c in df.columns]
        return df
    except (ValueError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        raise CalibrationError(
            f"transaction log {str(path)!r} cannot be read as a table: {exc}"
        ) from None


def _dates(raw: pd.Series, fmt: LogFormat, origin: str) -> pd.Series:
    s = raw.astype(str).str.strip()
    blank = (raw.isna() | (s == "")).to_numpy()
    if blank.any():  # (before the format is read off row 1: an empty one is no format)
        raise CalibrationError(
            f"{origin}: date: empty at row {int(np.flatnonzero(blank)[0]) + 1}; every row needs "
            "a purchase date"
        )
    sample = s.iloc[0]
    instants = None  # (ISO stamps' UTC instants, for the future check)
    if fmt.date_format:
        try:
            out, how = pd.to_datetime(s, format=fmt.date_format, errors="coerce"), fmt.date_format
        except ValueError as exc:  # a directive strptime does not know ('%Q')
            raise CalibrationError(
                f"{origin}: --date-format {fmt.date_format!r} is not a date format ({exc}); "
                "allowed: strptime directives, e.g. '%d/%m/%Y'"
            ) from None
    elif _YMD.match(sample):
        out, how = pd.to_datetime(s, format="%Y%m%d", errors="coerce"), "YYYYMMDD"
    elif _ISO.match(sample):
        out, how, instants = _iso(s, origin), "ISO (YYYY-MM-DD)", _utc(s)
    elif _SLASHED.match(sample):
        if not fmt.dayfirst:
            raise CalibrationError(
                f"{origin}: date: value {sample!r} at row 1 is ambiguous (day/month or month/day); "
                "give --dayfirst for 31/03/2021, or --date-format '%m/%d/%Y'"
            )
        sep = re.findall(r"[/.-]", sample)[0]
        year = "%Y" if len(sample.split(sep)[-1]) == 4 else "%y"
        out = pd.to_datetime(s, format=f"%d{sep}%m{sep}{year}", errors="coerce")
        how = "day-first"
    else:
        out, how, instants = _iso(s, origin), "ISO (YYYY-MM-DD)", _utc(s)
    bad = out.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CalibrationError(
            f"{origin}: date: {cell(s.iloc[i])} at row {i + 1} is not a date in the format {how} "
            "of the first row; allowed: ISO (2021-03-31), YYYYMMDD, day-first with --dayfirst, "
            "or --date-format"
        )
    # (Whether a time is in the future is a question of instants: those with an offset as UTC.)
    _not_future(out if instants is None else instants, s, origin)
    return out


def _iso(s: pd.Series, origin: str) -> pd.Series:
    """ISO 8601 dates and times as written: a time's offset (``Z``, ``-05:00``, `` +0000``) is
    dropped, so a purchase falls on its local day. Converted to UTC, two purchases of one evening
    at 18:00 and 20:00 at −05:00 fell on two days; and a log mixing offsets, or times with and
    without one, failed inside pandas ("Mixed timezones detected")."""
    local = s.str.replace(_OFFSET, r"\1", regex=True)
    try:
        out = pd.to_datetime(local, format="ISO8601", errors="coerce")
    except ValueError as exc:  # (an offset the pattern does not know, mixed with others)
        raise CalibrationError(
            f"{origin}: date: the times' UTC offsets cannot be read ({exc}); allowed: ISO 8601 "
            "times ending in Z, +HH:MM, +HHMM or +HH"
        ) from None
    return out.dt.tz_localize(None) if out.dt.tz is not None else out


def _utc(s: pd.Series) -> pd.Series:
    """ISO 8601 stamps as UTC instants (those without an offset as written): for the check that
    no purchase lies in the future."""
    return pd.to_datetime(s, format="ISO8601", errors="coerce", utc=True)


#: An ISO 8601 stamp whose time ends in a UTC offset (``Z``, ``+09:00``, ``-0500``, ``+09``, after
#: a space too): the stamp without it is group 1. (A date alone has no offset: ``2022-03-01``
#: keeps its ``-01``.)
_OFFSET = r"^(.*[T ]\d{2}(?::?\d{2}){0,2}(?:[.,]\d+)?)\s?(?:Z|[+-]\d{2}(?::?\d{2})?)$"


#: The largest amount one purchase may hold, in the log's currency (a trillion: beyond it, an
#: id or a misread cell rather than a sale).
MAX_AMOUNT = 1e12

#: The earliest purchase date a log may hold (a year typed as 0202 or 1021 is a typo).
EARLIEST = datetime.date(1900, 1, 1)


def _not_future(out: pd.Series, s: pd.Series, origin: str) -> None:
    """Refuse a date after today: the log's last date is where observation stops, so one typo in a
    year (2092), or a placeholder for no date (9999-12-31), would make every client look long
    lapsed; and one before :data:`EARLIEST` (a year typed 0202), which, like 9999, lies outside
    what pandas' nanosecond dates can hold further on."""
    # Compared as days (a time later today is not the future), against the later of the local
    # and the UTC date: times with an offset are checked as UTC instants, and a purchase an hour
    # ago, west of Greenwich, can already fall on tomorrow's UTC date. (Days taken in the parsed
    # unit: a year 9999 read in microseconds does not fit nanoseconds.)
    today = max(datetime.date.today(), datetime.datetime.now(datetime.UTC).date())
    plain = out.dt.tz_convert(None) if out.dt.tz is not None else out
    days = plain.to_numpy().astype("datetime64[D]")
    for wrong, says in (
        (days > np.datetime64(today, "D"), f"is after today ({today})"),
        (days < np.datetime64(EARLIEST, "D"), f"is before {EARLIEST}"),
    ):
        if wrong.any():
            i = int(np.flatnonzero(wrong)[0])
            raise CalibrationError(
                f"{origin}: date: value {s.iloc[i]!r} at row {i + 1} {says}; allowed: dates "
                f"from {EARLIEST} up to today (a typo in the year? a placeholder such as "
                "9999-12-31 for no date?)"
            )


def _column(df: pd.DataFrame, name: str, option: str, origin: str) -> str:
    cols = {str(c).strip().lower(): c for c in df.columns}
    if name.strip().lower() not in cols:
        raise CalibrationError(
            f"{origin}: missing column {name!r} ({option}); columns are {list(map(str, df.columns))}"
            + (
                ""
                if option != "--client-col"
                else " (name them with --columns if the file has no header)"
            )
        )
    return cols[name.strip().lower()]


def read_log(source: str | Path | pd.DataFrame, fmt: LogFormat | None = None) -> pd.DataFrame:
    """Read and check a log: returns one row per client-day purchase (client, date, amount).

    ``client`` comes back as integer codes in order of first appearance with the original ids in
    ``attrs["client_ids"]``; dates are day-resolution ``datetime64``; amounts are floats (NaN when
    the log has no amount column). Sorted by client, then date.

    Raises
    ------
    CalibrationError
        A missing column, an empty log, a date or amount that does not parse, a date after today,
        an empty client id, or (``returns="refuse"``) a negative amount — naming the row (1 = first
        data row).
    """
    fmt = fmt or LogFormat()
    if fmt.returns not in ("refuse", "net"):
        raise CalibrationError(
            f"returns: value {fmt.returns!r} is not allowed; allowed: 'refuse', 'net'"
        )
    if isinstance(source, pd.DataFrame):
        df, origin = source, "transaction log"
    else:
        path = Path(source)
        df, origin = _frame(path, fmt), f"transaction log {str(path)!r}"
    if df.empty:
        raise CalibrationError(f"{origin}: no rows")
    c_col = _column(df, fmt.client, "--client-col", origin)
    d_col = _column(df, fmt.date, "--date-col", origin)
    ids = df[c_col]
    if ids.isna().any():
        i = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise CalibrationError(
            f"{origin}: client: empty at row {i + 1}; every row needs a client id"
        )
    dates = _dates(df[d_col], fmt, origin)
    if fmt.amount:
        a_col = _column(df, fmt.amount, "--amount-col", origin)
        raw = df[a_col]
        amount = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(amount)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise CalibrationError(
                f"{origin}: amount: {cell(raw.iloc[i])} at row {i + 1} is not a number"
            )
        huge = np.abs(amount) > MAX_AMOUNT
        if huge.any():  # (one 1e300 silently dropped the whole spend fit as "heavy-tailed")
            i = int(np.flatnonzero(huge)[0])
            raise CalibrationError(
                f"{origin}: amount: {cell(raw.iloc[i])} at row {i + 1} is not allowed; allowed: "
                f"at most {MAX_AMOUNT:.0e} in absolute value (a misread cell or an id?)"
            )
        neg = amount < 0
        if neg.any() and fmt.returns == "refuse":
            i = int(np.flatnonzero(neg)[0])
            raise CalibrationError(
                f"{origin}: amount: value {str(raw.iloc[i])!r} at row {i + 1} is negative (a "
                "return?); allowed: ≥ 0, or returns='net' (--returns net) to net returns into the same "
                "day's purchases"
            )
    else:
        amount = np.full(len(df), np.nan)
    codes, uniques = pd.factorize(ids.astype(str).str.strip(), sort=False)
    return purchases(codes, dates.to_numpy(dtype="datetime64[ns]"), amount, uniques)


class ClientIds(np.ndarray):
    """The original client ids (``ids[code]``), kept in ``DataFrame.attrs`` without being copied.

    pandas deep-copies ``attrs`` whenever a column is taken; a plain array of 10⁵ ids made every
    column access cost a copy (measured: 10 s of a 15 s read of 10⁶ rows).
    """

    def __deepcopy__(self, memo):
        return self


def purchases(
    codes: np.ndarray, dates: np.ndarray, amount: np.ndarray, ids: np.ndarray
) -> pd.DataFrame:
    """One row per client and day, amounts added; a day with a return that nets to ≤ 0 is dropped.

    ``attrs`` says what that did: ``rows`` read, ``merged_rows`` (added into an earlier row of the
    same client and day), ``duplicate_rows`` (of those, exact repeats of an earlier row: same
    client, date and amount) and ``dropped_days`` (netted to ≤ 0).
    """
    day = np.asarray(dates).astype("datetime64[D]").astype(np.int64)
    frame = pd.DataFrame({"client": codes, "day": day, "amount": amount})
    grouped = frame.groupby(["client", "day"], sort=True)["amount"]
    g = grouped.sum(min_count=1).reset_index()
    merged = len(frame) - len(g)
    duplicates = 0
    if merged:  # (only then can a row repeat another; the full date, so 10:00 and 11:00 differ)
        exact = frame.assign(day=np.asarray(dates).astype("datetime64[ns]").astype(np.int64))
        duplicates = int(exact.duplicated().sum())
    returned = grouped.min().to_numpy() < 0  # NaN (no amounts) compares False
    g = g[~(returned & (g["amount"].to_numpy() <= 0))]
    out = pd.DataFrame(
        {
            "client": g["client"].to_numpy(),
            "date": g["day"].to_numpy().astype("datetime64[D]").astype("datetime64[ns]"),
            "amount": g["amount"].to_numpy(dtype=np.float64),
        }
    )
    out.attrs["client_ids"] = np.asarray(ids).view(ClientIds)
    out.attrs.update(
        rows=len(frame),
        merged_rows=merged,
        duplicate_rows=duplicates,
        dropped_days=len(frame) - merged - len(out),
    )
    return out


def merge_notice(log: pd.DataFrame) -> str | None:
    """One line on what reading ``log`` (from :func:`read_log`) merged, or None if nothing was.

    A double export adds every amount twice without a single error, so the count of exact
    duplicates is said rather than left to be guessed from a doubled spend.
    """
    a = log.attrs
    if not (a.get("merged_rows") or a.get("dropped_days")):
        return None
    if log["amount"].isna().all():  # a log without amounts: nothing is added, nothing doubles
        line = (
            f"Log: {a['rows']:,} rows read, {len(log):,} purchases kept (one per client and day): "
            f"{a['merged_rows']:,} rows merged into the same client's purchase that day"
        )
        return line + "."
    line = (
        f"Log: {a['rows']:,} rows read, {len(log):,} purchases kept (one per client and day): "
        f"{a['merged_rows']:,} rows merged into the same client's purchase that day (amounts "
        f"added), {a['duplicate_rows']:,} of them exact duplicates (same client, date and amount: "
        "exported twice?)"
    )
    if a["dropped_days"]:
        line += f"; {a['dropped_days']:,} days whose returns netted to ≤ 0 dropped"
    return line + "."
