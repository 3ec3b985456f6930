"""``retention calibrate``: data or targets → a fitted scenario file (registered in model.interfaces.cli.main)."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from model.interfaces.cli.errors import PROG, CliError
from model.interfaces.cli.inputs import (
    check_out,
    finite_float,
    input_file,
    output_path,
    ranged_int,
)
from model.studies.calibration.settings import MSMSettings

__all__ = ["add_calibrate", "cmd_calibrate"]


def add_calibrate(subparsers: argparse._SubParsersAction) -> None:
    """Declare ``retention calibrate``."""
    p = subparsers.add_parser(
        "calibrate",
        help="fit parameters to a survival table, a transaction log or targets",
        description="Fit the model to a firm's own data and write a scenario file with the fitted "
        "values, their 95% intervals, what the data cannot identify, and the fit's quality "
        "(in-sample and out-of-sample errors) as a comment block.",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "--survival",
        type=input_file("--survival"),
        metavar="FILE.csv",
        help="one cohort's survival table: columns year (or quarter/month, or period: "
        "--period-months long) and alive",
    )
    src.add_argument(
        "--transactions",
        type=input_file("--transactions"),
        metavar="LOG.csv",
        help="transaction log, one row per purchase: a client id, a date and an amount (columns "
        "named by --client-col/--date-col/--amount-col; --columns for a file without a header)",
    )
    src.add_argument(
        "--targets",
        type=input_file("--targets"),
        metavar="FILE.toml",
        help="targets (any subset): survival, retention_by_tenure + cohort_size, "
        "annual_retention, top20_share, mean_spend, cac, acquisition_rate, "
        "referral_share, nps",
    )
    p.add_argument(
        "--cohort-size",
        type=ranged_int("--cohort-size", 1, 10**12),  # (people: 100.5 was taken)
        metavar="N",
        help="survival: clients in the cohort at period 0 (needed for a percent/share column, or "
        "an alive column starting at 100)",
    )
    p.add_argument(
        "--fit-years",
        # (two parameters need two periods)
        type=ranged_int("--fit-years", 2, 10_000, also="and at most the table's last period"),
        metavar="N",
        help="survival: fit on periods 0..N and report the error on the rest",
    )
    p.add_argument(
        "--period-months",
        type=finite_float("--period-months", 0.0, 120.0, open_lo=True),
        metavar="M",
        help="transactions: the length of the periods counted from each client's first "
        "purchase (default 12): a client has churned in the first whole period in which it "
        "bought nothing, so the log must cover at least two whole periods; survival: the "
        "length of a 'period' column's periods (default 12)",
    )
    log = p.add_argument_group("transaction logs (--transactions)")
    log.add_argument("--client-col", metavar="NAME", help="client id column (default client)")
    log.add_argument("--date-col", metavar="NAME", help="purchase date column (default date)")
    log.add_argument(
        "--amount-col",
        metavar="NAME",
        help="amount column (currency per purchase; default amount); '' for a log without amounts",
    )
    log.add_argument(
        "--columns",
        metavar="A,B,...",
        help="names of the columns of a file without a header row, in order",
    )
    log.add_argument(
        "--date-format",
        metavar="FMT",
        help="strptime format of the dates (default: ISO, YYYYMMDD, or day-first with --dayfirst)",
    )
    log.add_argument("--dayfirst", action="store_true", help="read slashed dates as day/month/year")
    log.add_argument(
        "--returns",
        choices=("refuse", "net"),
        help="negative amounts: refuse (default, naming the row) or net into the same day",
    )
    log.add_argument(
        "--setting",
        choices=("auto", "contractual", "non-contractual"),
        help="contractual (clients seen to leave: sBG) or non-contractual (only purchases seen: "
        "BG/NBD, Pareto/NBD, Gamma-Gamma); default: inferred from the log and said",
    )
    log.add_argument(
        "--split",
        metavar="YYYY-MM-DD",
        help="non-contractual: last day of the calibration period (default: the log's middle day); "
        "the rest is the holdout",
    )
    log.add_argument(
        "--holdout-csv",
        type=output_path("--holdout-csv", file=True),
        metavar="FILE.csv",
        help="non-contractual: write the weekly tracking (actual and forecast repeat purchases)",
    )
    p.add_argument(
        "--base",
        type=_base_scenario,
        metavar="SCENARIO",
        help="scenario (a preset name or a TOML file) the fitted values are applied to "
        "(default: built-in defaults)",
    )
    # The simulated evaluations' options, each a whole number in a range (an analyst found
    # their size and window fixed at 1,000 people and months 13-36 whatever --base says, and
    # named only in the notes).
    d = MSMSettings  # (the defaults, declared once there)
    for flag, low, high, text in (
        ("--seeds", 1, 1000, f"seeds per simulated evaluation (default {len(d.seeds)}: "
         f"{d.seeds[0]}, {d.seeds[1]}, …)"),
        ("--replicates", 0, 100, f"refits with other seeds for the intervals (default "
         f"{d.replicates})"),
        ("--clients", 10, 10_000_000, f"people in each simulated evaluation (default {d.clients}: "
         "most run-to-run variance is the firm's, so more seeds help more than a bigger market)"),
        ("--months", 2, 1200, f"months each simulated evaluation runs (default {d.months})"),
        ("--burn-in", 0, 1199, f"first months left out of the moments (default {d.burn_in}; "
         "below --months): the targets are read as the months after it"),
    ):  # fmt: skip
        p.add_argument(flag, type=ranged_int(flag, low, high), metavar="N", help="targets: " + text)
    p.add_argument(
        "--out",
        type=output_path(file=True),
        required=True,
        metavar="FILE.toml",
        help="where to write the fitted scenario (a file another command wrote, or of your "
        "own, is replaced only with --force; an input never)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing --out or --holdout-csv that this command did not write",
    )
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(handler=cmd_calibrate)


def _transactions(args: argparse.Namespace, progress: Any):
    """A transaction log → calibration in the setting given or inferred (said in the output)."""
    from model.studies.calibration.from_log import calibrate_log
    from model.studies.calibration.logs import LogFormat

    if args.holdout_csv is not None and args.setting == "contractual":  # (as --split is)
        raise CliError(
            "--holdout-csv is not allowed with --setting contractual; a contractual log has "
            "renewals, no repeat purchases to hold out"
        )
    columns = tuple(c.strip() for c in args.columns.split(",")) if args.columns else None
    fmt = LogFormat(
        client=args.client_col or "client",
        date=args.date_col or "date",
        amount="amount" if args.amount_col is None else args.amount_col,
        columns=columns,
        date_format=args.date_format,
        dayfirst=args.dayfirst,
        returns=args.returns or "refuse",
    )
    result = calibrate_log(
        args.transactions,
        fmt,
        setting=args.setting or "auto",
        split=args.split,
        period_months=args.period_months,
        base=args.base,
        progress=progress,
    )
    progress.close()  # before printing: a bar redrawn under the text would garble it
    if not args.quiet:
        print(result.details["setting"].reason)
        if result.details.get("merged"):  # rows read vs purchases kept, duplicates counted
            print(result.details["merged"])
    hold = result.details.get("holdout")
    if hold is not None and not args.quiet:
        print("\nholdout (per-client repeat purchases; weekly totals):")
        print(hold.errors.round(3).to_string())
    if args.holdout_csv is not None:
        if hold is None:  # (a contractual log: renewals, no repeat purchases to hold out)
            print(
                f"{PROG}: warning: --holdout-csv {str(args.holdout_csv)!r}: not written, this "
                "log has no holdout (it is read as contractual)",
                file=sys.stderr,
            )
        else:
            from model.studies.files import write_atomic

            write_atomic(args.holdout_csv, hold.weekly.to_csv(index=False))
    return result


#: Options that only one source reads, by the source's flag (the rest were silently ignored).
_ONLY_WITH = {
    "--survival": (("--fit-years", "fit_years"), ("--cohort-size", "cohort_size")),
    "--transactions": (
        ("--client-col", "client_col"), ("--date-col", "date_col"), ("--amount-col", "amount_col"),
        ("--columns", "columns"), ("--date-format", "date_format"), ("--returns", "returns"),
        ("--setting", "setting"), ("--split", "split"), ("--holdout-csv", "holdout_csv"),
    ),
    "--targets": (
        ("--seeds", "seeds"), ("--replicates", "replicates"), ("--clients", "clients"),
        ("--months", "months"), ("--burn-in", "burn_in"),
    ),
}  # fmt: skip


def _refuse_unused(args: argparse.Namespace) -> None:
    """Refuse an option the chosen source does not read (it would be ignored: a --holdout-csv
    promised a file that was never written)."""

    source = next(flag for flag in _ONLY_WITH if getattr(args, flag[2:]) is not None)
    for flag, options in _ONLY_WITH.items():
        given = [name for name, attr in options if getattr(args, attr) is not None]
        if args.dayfirst and flag == "--transactions":
            given.append("--dayfirst")
        if given and flag != source:
            extra = " (in a targets file: cohort_size = N)" if "--cohort-size" in given else ""
            raise CliError(
                f"{', '.join(given)}: not used with {source}; allowed: with {flag} only{extra}"
            )
    if source == "--targets" and args.period_months is not None:  # (ignored there too)
        raise CliError("--period-months: not used with --targets; allowed: with --transactions "
                       "or --survival (in a targets file: period_months = M)")  # fmt: skip


def _check_fit_years(fit_years: int | None, last: int, source: Path) -> None:
    """``--fit-years`` no longer than the table: named as the flag, with this table's bound
    (the flag's own check allows up to 10,000 before the table is read)."""
    from model.studies.calibration.errors import CalibrationError

    if fit_years is not None and fit_years > last:
        raise CalibrationError(
            f"--fit-years: value {fit_years} is not allowed; allowed: 2 ≤ x ≤ {last} (the "
            f"last period of {str(source)!r})"
        )


def _check_replaced(args: argparse.Namespace) -> None:
    """Refuse, before any fitting, to write over an input of this command, or over a file this
    command did not write (a data file, a scenario of one's own) without ``--force``."""
    from model.studies.calibration.holdout import HOLDOUT_HEADER
    from model.studies.calibration.result import HEADER, written_by_calibration

    inputs = {
        flag: getattr(args, flag[2:].replace("-", "_"))
        for flag in ("--survival", "--transactions", "--targets", "--base")
    }
    outputs = {"--out": (args.out, HEADER)}
    if args.holdout_csv is not None:
        outputs["--holdout-csv"] = (args.holdout_csv, HOLDOUT_HEADER)
    if args.holdout_csv is not None and os.path.realpath(args.holdout_csv) == os.path.realpath(
        args.out
    ):  # (realpath: a symlink or a path through one to --out is --out)
        raise CliError(
            f"--holdout-csv {str(args.holdout_csv)!r}: is --out too; allowed: another file"
        )
    for flag, (path, first_line) in outputs.items():
        if not path.exists():
            continue
        for source, given in inputs.items():
            if given is not None and Path(given).exists() and path.samefile(given):
                raise CliError(
                    f"{flag} {str(path)!r}: is this command's {source} input; allowed: another file"
                )
        if not args.force and not written_by_calibration(path, first_line):
            raise CliError(
                f"{flag} {str(path)!r}: exists and was not written by 'retention calibrate'; "
                "allowed: a new file, one this command wrote, or --force to replace it"
            )


def _base_scenario(text: str) -> Path:
    """``--base``: a readable scenario file, else a preset's file (``retention presets``)."""
    from model.scenario import ScenarioError, preset_path

    if not Path(text).exists():
        try:
            return preset_path(text)
        except ScenarioError as exc:  # neither: say so, presets included (and a near miss)
            raise argparse.ArgumentTypeError(str(exc)) from None
    return input_file("--base")(text)  # a file that exists: is it readable?


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run the calibration; bad input becomes one line and exit status 2 (via CliError)."""
    from model.interfaces.progress import bar
    from model.studies.calibration.data import read_survival
    from model.studies.calibration.errors import CalibrationError
    from model.studies.calibration.fit import calibrate_survival, calibrate_targets

    check_out(args.out, file=True)  # before any fitting
    if getattr(args, "holdout_csv", None) is not None:
        check_out(args.holdout_csv, "--holdout-csv", file=True)
    _refuse_unused(args)
    _check_replaced(args)
    try:
        # Up from the first second: a log's reading and a simulated fit take a while.
        with bar(None, "calibrate", unit="run", enabled=not args.quiet) as progress:
            if args.survival is not None:
                alive, months = read_survival(args.survival, args.cohort_size, args.period_months)
                _check_fit_years(args.fit_years, alive.size - 1, args.survival)
                # (The cohort size again: a column of percentages is rescaled, not whole counts.)
                result = calibrate_survival(
                    alive,
                    period_months=months,
                    fit_periods=args.fit_years,
                    base=args.base,
                    cohort_size=args.cohort_size,
                )
            elif args.transactions is not None:
                result = _transactions(args, progress)
            else:
                d, first = MSMSettings, MSMSettings.seeds[0]
                seeds, replicates = (
                    args.seeds or len(d.seeds),
                    d.replicates if args.replicates is None else args.replicates,
                )
                sized = {
                    k: v
                    for k in ("clients", "months", "burn_in")
                    if (v := getattr(args, k)) is not None
                }
                window = {**{"months": MSMSettings.months, "burn_in": MSMSettings.burn_in}, **sized}
                if window["burn_in"] >= window["months"]:  # (named as given, not as a field)
                    raise CliError(
                        f"--burn-in: value {window['burn_in']} is not allowed; allowed: 0 ≤ x < "
                        f"--months ({window['months']}): the moments are read after it"
                    )
                settings = MSMSettings(
                    seeds=tuple(range(first, first + seeds)), replicates=replicates, **sized
                )
                result = calibrate_targets(
                    args.targets, base=args.base, settings=settings, progress=progress
                )
        if args.out.exists() and args.out.is_dir():
            raise CalibrationError(f"--out {str(args.out)!r} is a folder; give a file name")
        try:
            result.write(args.out, shlex.join([PROG, *args.argv]), force=args.force)
        except OSError as exc:
            raise CalibrationError(f"--out {str(args.out)!r} cannot be written: {exc}") from None
    except CalibrationError as exc:
        raise CliError(str(exc)) from None
    if not args.quiet:
        print(result.summary())
        print(f"\nwrote {args.out}")
    return 0
