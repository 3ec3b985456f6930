"""``retention sensitivity``: Sobol' / Morris indices of a finished sweep (table and figure)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from model.interfaces.cli.errors import CliError
from model.interfaces.cli.inputs import check_out, output_path
from model.interfaces.cli.outputs import check_replace
from model.interfaces.cli.staging import staging_folder

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SENSITIVITY_OUTPUTS", "add_sensitivity", "cmd_sensitivity"]

#: What the command writes into its folder (a folder holding anything else is not replaced).
SENSITIVITY_OUTPUTS = ("sensitivity.csv", "sensitivity.png", "sensitivity.json")


def add_sensitivity(subparsers: argparse._SubParsersAction) -> None:
    """Declare ``retention sensitivity STORE [--metric M ...] [--out DIR]``."""
    p = subparsers.add_parser(
        "sensitivity",
        help="Sobol' / Morris sensitivity indices of a finished sweep (table and figure)",
        description="For each outcome metric and varied parameter of a finished sobol, morris or "
        "lhs sweep, compute sensitivity indices (SALib) and write sensitivity.csv and "
        "sensitivity.png.",
    )
    # (Optional here only so that `--metric npv STORE`, whose --metric takes the store too, is
    # read as meant: cmd_sensitivity takes a last "metric" that is a folder as the store.)
    p.add_argument("store", nargs="?", type=output_path("STORE"), help="a finished sweep store")
    p.add_argument(
        "--metric",
        dest="metrics",
        action="extend",
        nargs="+",
        default=[],
        metavar="M",
        help="summary metrics to analyse (default: every finite metric that varies)",
    )
    p.add_argument(
        "--out",
        type=output_path(),
        metavar="DIR",
        help="output folder (default: STORE/sensitivity)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an output folder that holds another sweep store's indices",
    )
    p.add_argument(
        "--quiet",
        action="store_true",
        help="no progress, table or file list (errors, and warnings that change the reading, "
        "still print)",
    )
    p.set_defaults(handler=cmd_sensitivity)


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Compute, print and write the sensitivity table and figure."""
    import sys

    from model.interfaces.progress import bar
    from model.studies.sensitivity import analyze, caveats, write
    from model.studies.sweep.store import read_manifest

    if args.store is None:
        last = args.metrics[-1] if args.metrics else ""
        if not last or not Path(last).is_dir():  # (Path("") is the current folder)
            given = f"value {last!r} is not a folder" if "/" in last or "\\" in last else "missing"
            raise CliError(
                f"STORE: {given}; allowed: a finished sweep's folder, e.g. retention "
                "sensitivity out/sweeps/morris --metric npv"
            )
        args.store = output_path("STORE")(args.metrics.pop())
    manifest = read_manifest(args.store)  # a store, before --out is checked (a spec is not one)
    outdir = check_out(args.out if args.out is not None else args.store / "sensitivity")
    # Which store the indices are of: its folder and design. Another store's indices in --out
    # were replaced without a word (an analyst's Morris by a Sobol'); the same store's are
    # replaced as before, moved (the same design) or grown (the same folder).
    inputs = {
        "store": str(Path(args.store).resolve()),
        "spec_digest": manifest.get("spec_digest"),
        "runs": manifest.get("runs"),
        # (the runs' own code: a store run again with --fresh under other code has other runs)
        "source_hash": (manifest.get("code") or {}).get("source_hash"),
        "metrics": args.metrics or None,
    }
    check_replace(  # (the record "reads" as True, these inputs, when it is the same store's)
        outdir,
        "sensitivity.json",
        True,
        args.force,
        read=lambda old: _same_store(old.get("inputs") or {}, inputs),
        kind="sweep store's sensitivity analysis",
    )
    # (As every results folder: a folder of other files is refused, the results land whole.)
    with (
        staging_folder(outdir, SENSITIVITY_OUTPUTS, "retention sensitivity") as staging,
        bar(None, "sensitivity", unit="metric", enabled=not args.quiet) as progress,
    ):  # (the bar is up before the store is read: a large sweep's indices take a while)
        table = analyze(args.store, args.metrics or None, progress=progress)
        table, kept = _with_earlier(table, outdir, inputs)
        progress.set_description_str("sensitivity: drawing the figure")
        write(table, staging)
        (staging / "sensitivity.json").write_text(
            json.dumps({"inputs": inputs, "argv": args.argv}, indent=2) + "\n", encoding="utf-8"
        )
    csv, png = outdir / SENSITIVITY_OUTPUTS[0], outdir / SENSITIVITY_OUTPUTS[1]
    lines = caveats(table)  # warnings always, even with --quiet: they change the reading
    if args.quiet and len(lines) > 3:  # (one line an index: 90 of them under --quiet)
        lines = [*lines[:2], f"and {len(lines) - 2} more; run without --quiet to list them"]
    for line in lines:
        print(f"retention: warning: {line}", file=sys.stderr)
    if kept and not args.quiet:
        print(f"kept the earlier indices of {', '.join(kept)} (this store's; --metric replaces)")
    if not args.quiet:
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        print(f"\nwrote {csv}, {png} and {outdir / SENSITIVITY_OUTPUTS[2]} (its inputs)")
    return 0


def _with_earlier(table: pd.DataFrame, outdir: Path, inputs: dict) -> tuple[pd.DataFrame, list]:
    """``table`` with the earlier indices in ``outdir`` of the metrics it lacks, where they are
    of the same store and its same runs (an analyst's npv indices were dropped when one more
    metric was asked for), and those metrics; ``inputs["metrics"]`` then names them all."""
    import pandas as pd

    try:
        old = json.loads((outdir / "sensitivity.json").read_text(encoding="utf-8"))["inputs"]
        earlier = pd.read_csv(outdir / SENSITIVITY_OUTPUTS[0])
    except (OSError, ValueError, KeyError, TypeError, pd.errors.ParserError):
        return table, []
    if "flag" in earlier:  # (an empty flag is read back as NaN)
        earlier["flag"] = earlier["flag"].fillna("")
    same = all(old.get(k) == inputs[k] for k in ("spec_digest", "runs", "source_hash"))
    if not same or "metric" not in earlier or set(earlier.columns) != set(table.columns):
        return table, []
    earlier = earlier[~earlier["metric"].isin(table["metric"])]
    kept = list(dict.fromkeys(earlier["metric"]))
    if kept:
        attrs = dict(table.attrs)
        table = pd.concat([earlier.astype(table.dtypes.to_dict()), table], ignore_index=True)
        table.attrs.update(attrs)
        inputs["metrics"] = [*kept, *dict.fromkeys(table["metric"][len(earlier) :])]
    return table, kept


def _same_store(old: dict, new: dict) -> bool:
    """Whether a recorded analysis is of the same store as ``new``'s: the same folder (a store
    grown since) or the same design (a store moved or copied)."""
    return old.get("store") == new["store"] or old.get("spec_digest") == new["spec_digest"]
