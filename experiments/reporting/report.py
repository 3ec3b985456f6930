"""Write a claim's report: ``reports/NAME.md``, its figure and ``reports/NAME.json`` (for the index)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.analysis.evidence import UNDEFINED_BOX_SHARE, ClaimEvidence
from experiments.analysis.split import SplitReading
from experiments.reporting.cells import fmt, markdown_table, p_cell, share_text
from experiments.reporting.conditional_section import (
    along_figure,
    along_intro,
    along_level,
    along_numbers,
    along_rows,
    turn_marks,
)
from experiments.reporting.fact_section import fact_numbers, fact_rows, facts_intro
from experiments.reporting.margin_section import margin_lines, margin_numbers
from experiments.reporting.outputs import is_committed, reports_folder
from experiments.reporting.pin_section import pin_intro, pin_numbers, pin_rows
from experiments.reporting.prim_section import box_records, discovery_rows, where_text
from experiments.reporting.scale_section import scale_intro, scale_numbers, scale_rows
from experiments.reporting.side_note import side_lines, side_numbers
from experiments.reporting.split_section import split_lines, split_numbers, together_rows
from experiments.running.pins import pins_text
from experiments.running.sizes import Size
from experiments.running.store import claim_fingerprint
from experiments.verdicts.verdict_words import verdict_legend
from model.studies.files import atomic_file, write_atomic
from model.version import version_and_commit

__all__ = ["REPORTS", "code_version", "fmt", "summary_rows", "where_text", "write_report"]

REPORTS = Path(__file__).resolve().parents[1] / "reports"  # (experiments/reports)


def code_version() -> str:
    """Package version and, when run from a git checkout, the commit (``+dirty`` if modified):
    :func:`model.version.version_and_commit`."""
    return version_and_commit()


def summary_rows(ev: ClaimEvidence) -> list[dict[str, object]]:
    """One row per reading: what the index and the report's verdict table show."""
    rows = []
    level = along_level(len(ev.readings), ev.uncertainties)
    for r in ev.readings:
        v = r.verdict
        rows.append(
            {
                "reading": v.reading.name,
                "band": v.reading.band_text(),
                # (the share where it is undefined beside it: P(holds) is over the others)
                "P(holds) [95%]": p_cell(v),
                "verdict": v.words,
                # (shown in the verdict cell; kept apart in the JSON, whose index marks turns
                # at its own, stricter level)
                "turns": turn_marks(r, level),
                "in band / above / below / undefined": " / ".join(
                    share_text(v.shares[s]) for s in ("in band", "above", "below", "undefined")
                ),
                # (and of those, how many the interval counts out, then in: more replications
                # than the study's would place them)
                "near an edge (unresolved)": f"{share_text(v.shares['near an edge'])} "
                f"({v.unresolved})",
                "median effect [10%, 90%]": f"{fmt(v.quantiles[1])} [{fmt(v.quantiles[0])}, "
                f"{fmt(v.quantiles[2])}]"
                if np.isfinite(v.quantiles[1])
                else "—",
                "at the defaults": r.at_defaults.text(fmt, v.reading.band),
                "where it holds (PRIM)": where_text(r),
                "spreads the effect most (PAWN)": r.top_driver,
            }
        )
        if r.not_judged:  # (the verdict cell says why; no share of worlds was measured)
            rows[-1].update(dict.fromkeys(_MEASURED_CELLS, "—"))
    return rows


#: The cells of :func:`summary_rows` that a reading the study does not judge leaves empty.
_MEASURED_CELLS = (
    "P(holds) [95%]",
    "in band / above / below / undefined",
    "near an edge (unresolved)",
    "median effect [10%, 90%]",
    "at the defaults",
)


def _verdict_table(ev: ClaimEvidence) -> pd.DataFrame:
    """The report's verdict table: :func:`summary_rows` with each verdict cell followed by
    where the verdict turns."""
    table = pd.DataFrame(summary_rows(ev))
    if len(table):
        table["verdict"] = table["verdict"] + table.pop("turns")
    return table


def _waves_text(s: Size) -> str:
    """How the worlds were drawn: waves until a target is plausible, or a fixed number."""
    if s.target:
        return (
            f"waves of {s.wave:,} worlds until {s.target:,} are plausible (at most {s.max_waves})"
        )
    waves = "one wave" if s.max_waves == 1 else f"{s.max_waves} waves"
    return f"{waves} of {s.wave:,} worlds, every plausible one kept"


def _figure(ev: ClaimEvidence, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(ev.readings)
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 3.2), squeeze=False)
    for ax, r in zip(axes[0], ev.readings, strict=True):
        y = r.per_world["effect"].to_numpy(float)
        y = y[np.isfinite(y)]
        lo, hi = r.verdict.reading.band
        ends = ""
        if len(y):
            # The axis shows the middle 90% and the band (the 99th percentile of a profit change
            # ran to 3,500% and made a band of 25 to 95% a sliver): the worlds beyond are drawn
            # in its end bins, and the axis label says how many.
            q5, q95 = np.quantile(y, [0.05, 0.95])
            span = [
                min(q5, lo if np.isfinite(lo) else q5),
                max(q95, hi if np.isfinite(hi) else q95),
            ]
            ax.hist(np.clip(y, *span), bins=40, color="0.45")
            beyond = [int(np.count_nonzero(y < span[0])), int(np.count_nonzero(y > span[1]))]
            said = [f"{k} {side}" for k, side in zip(beyond, ("below", "above"), strict=True) if k]
            if said:
                ends = f"\n(worlds beyond the axis, in its end bins: {', '.join(said)})"
        open_side = " (open: it goes on past the axis)" if not np.isfinite(lo + hi) else ""
        edges = (
            lo if np.isfinite(lo) else ax.get_xlim()[0],
            hi if np.isfinite(hi) else ax.get_xlim()[1],
        )
        ax.axvspan(*edges, color="tab:green", alpha=0.2, label=f"the claim's band{open_side}")
        for edge in (lo, hi):  # (edges drawn: a narrow band hid under the defaults' line)
            if np.isfinite(edge):
                ax.axvline(edge, color="tab:green", lw=0.8, ls=":")
        if np.isfinite(r.at_defaults.effect):
            ax.axvline(r.at_defaults.effect, color="tab:red", lw=1.5, label="declared defaults")
        # (P(holds) is the study's estimate, each world's noise accounted for; the bars are the
        # worlds' measured effects, noise and all)
        ax.set_title(
            f"{r.verdict.reading.name}: P(holds) {r.verdict.p:.2f}\nbars: each world's measured "
            "effect",
            fontsize=8,
        )
        ax.set_xlabel(_axis_unit(r.verdict.reading.unit) + ends, fontsize=8)
        ax.legend(fontsize=6)
    axes[0][0].set_ylabel("plausible worlds with the effect defined", fontsize=8)
    fig.tight_layout()
    with atomic_file(path) as handle:
        fig.savefig(handle, format="png", dpi=100)
    plt.close(fig)


def _beside_lines(ev: ClaimEvidence) -> list[str]:
    """The report's *Measured beside the readings* (none: []): what the claim's arms produce
    that its verdicts hang on, over the kept worlds and at the defaults (not judged)."""
    if not ev.beside:
        return []
    rows = [
        {
            "measure": b["measure"],
            "what it is": f"{b['meaning']} ({b['unit']})",
            "median [10%, 90%] over the worlds": f"{b['median']:.4g} [{b['p10']:.4g}, "
            f"{b['p90']:.4g}] ({b['worlds']} worlds)"
            if b["worlds"]
            else "—",
            "at the defaults": "—" if b["at_defaults"] is None else f"{b['at_defaults']:.4g}",
        }
        for b in ev.beside
    ]
    intro = (
        "Values the arms produce beside the readings, which the verdicts above do not judge "
        "but hang on: each over the kept worlds' first replication (a world without a finite "
        f"value left out) and as the mean of the finite ones of the {ev.size.defaults} "
        "replications at the defaults."
    )
    return [
        "## Measured beside the readings",
        "",
        intro,
        "",
        markdown_table(pd.DataFrame(rows)),
        "",
    ]


def _axis_unit(unit: str) -> str:
    """A reading's unit as an axis label: ``x`` (times) as ``×``, a label read as the letter."""
    if unit == "x":
        return "× (times)"
    return "× " + unit[2:] if unit.startswith("x ") else unit


def write_report(
    ev: ClaimEvidence,
    out: Path | None = None,
    command: str = "",
    splits: list[SplitReading] | None = None,
) -> Path:
    """Write ``NAME.md``, ``NAME_effects.png``, ``NAME_along.png`` (where a reading has a deciding
    uncertainty to split by) and ``NAME.json`` into ``out``.

    ``out`` defaults to :func:`experiments.reporting.outputs.reports_folder`. ``splits``: the readings
    under the splits the reader chose (:func:`experiments.analysis.split.split_readings`), shown after the
    verdict (with ``NAME_split.png``).
    """
    # (The committed folder only for the committed study: a quick one run from Python replaced it.)
    out = reports_folder(out, committed=is_committed(ev.size_name, ev.seed, ev.size))
    out.mkdir(parents=True, exist_ok=True)
    c, s = ev.claim, ev.size
    figure = f"{c.name}_effects.png"
    if ev.kept:
        _figure(ev, out / figure)
    else:  # (no world: nothing to draw; an old figure would belong to other worlds)
        (out / figure).unlink(missing_ok=True)
    top = ev.rejections.iloc[0] if len(ev.rejections) else None
    lines = [
        f"# {c.title}",
        "",
        *([f"**Tested as:** {c.scope}", ""] if c.scope else []),
        f"*Code version {code_version()}. Command:* `{command or f'retention experiment {c.name}'}`",
        "",
        f"*Worlds drawn: {ev.drawn}; plausible and kept: {ev.kept}"
        + (
            f"; the fact that rejects most: {top['fact']} ({top['rejects']:.0%} of worlds)"
            if top is not None
            else ""
        )
        + f". Size '{ev.size_name}': {s.clients:,} people a market, {s.months} months; "
        f"{_waves_text(s)}; a second "
        f"replication in {min(s.pilot, ev.kept)} worlds, up to {s.max_reps} in every world near a band edge and "
        f"up to {s.deep_reps} in those still too noisy to place; "
        f"{s.defaults} at the defaults; seed {ev.seed}; {ev.seconds:,.0f} s for "
        "this writing (runs already stored are read, not run again)"
        + (f"; pinned in every world and at the defaults: {pins_text(s.pins)}" if s.pins else "")
        + ".*",
        "",
        # (the index beside the folder for the committed reports, inside it for any other)
        f"*The claim in one line, every check together: [its bottom line]"
        f"({'../' * (out.resolve() == REPORTS.resolve())}README.md#the-bottom-line-claim-by-claim).*",
        "",
        "## Verdict, per reading",
        "",
        verdict_legend(s.defaults),
        "",
        markdown_table(_verdict_table(ev)),
        "",
        *side_lines(ev),
        *c.diagnostic_lines(),
        f"![effects over the plausible worlds]({figure})" if ev.kept else "(no plausible world)",
        "",
        *split_lines(ev, splits or [], out),
        "## How much the verdict owes to the stylised facts",
        "",
        facts_intro(),
        "",
        markdown_table(pd.DataFrame(fact_rows(ev))),
        "",
        *margin_lines(ev),
    ]
    if ev.size.scale_clients:
        lines += [
            "## Does the verdict depend on the market's size?",
            "",
            scale_intro(ev),
            "",
            markdown_table(pd.DataFrame(scale_rows(ev))),
            "",
        ]
    if ev.size.pins:
        lines += [
            "## What pinning changed",
            "",
            pin_intro(ev),
            "",
            markdown_table(pd.DataFrame(pin_rows(ev))),
            "",
        ]
    lines += ["## The readings, as their sources mean them", ""]
    for r in ev.readings:
        rd = r.verdict.reading
        lines += [
            f"**{rd.name}** — {rd.words}. Band: {rd.band_text()}.",
            "",
            f"> {rd.estimand} ({rd.source})",
            "",
        ]
    lines += ["## Design", "", c.design, ""]
    lines += [f"- {n}" for n in c.notes] + ([""] if c.notes else [])
    lines += [
        "Each world is one Latin-hypercube draw of every declared uncertainty "
        "(`retention params` lists them with their ranges and sources); its arms run on the world's "
        "own seed, so its effect includes the noise of a finite market. A world is *near an edge* "
        "when a band edge lies within 1.96 standard errors of its effect (another seed could move "
        "it across); the standard error is the world's own noise over √replications: the "
        "spread of its replications, moderated toward that of the worlds of its size (docs/ODD.md "
        "§1.2); the first look, with one replication in most worlds, uses the typical "
        "within-world standard deviation (a median over the worlds with two or more "
        "replications, robust to the few whose ratio has a near-zero denominator). Worlds near "
        f"an edge after the first pass run up to {s.max_reps} replications and are judged on the mean of "
        "their defined ones (a world counts only where at least half of its replications are defined); "
        "so do those near an edge by their own noise, and those then still too noisy to place "
        f"(*unresolved*, counted out at P(holds)' low end and in at its high end) run up to "
        f"{s.deep_reps}. "
        f"The declared defaults are judged on their own {s.defaults} replications: *near an "
        "edge* when a band edge lies within their mean's 95% Student-t interval (one world's "
        "noise is not the typical world's, so the two sds below can differ; with fewer than two "
        "finite replications, the typical sd and the normal quantile):",
        "",
        markdown_table(
            pd.DataFrame(
                [
                    {
                        "reading": r.verdict.reading.name,
                        "typical within-world sd": r.verdict.se if r.verdict.worlds else "—",
                        "sd at the defaults": r.at_defaults.sd,
                        "censored worlds (bounds)": r.verdict.censored,
                    }
                    for r in ev.readings
                ]
            )
        ),
        "",
        *_beside_lines(ev),
        "## Where it holds: scenario discovery on held-out worlds",
        "",
        "PRIM looks for a box of at most three limits where the reading holds and one where it "
        "fails, on a random half of the worlds where it is defined; the other half measures "
        "the box (coverage, density) and tests it: confirmed when it still closes 15% of the "
        "gap to certainty there, measured and with each world's noise taken out (noise wider in "
        "one region moves more worlds across an edge there), and a one-sided Fisher exact test "
        "gives p < 0.025 (two boxes a reading, where it holds and where it fails: Bonferroni). "
        "A box of two or three limits also tests each limit on the held-out half: among the "
        "worlds its other limits keep, is the outcome more frequent inside this limit than "
        "outside it (the same one-sided test, with its counts)? A large p says only that those "
        "worlds, often few, do not confirm the limit; these tests are a reader's aid, not "
        "corrected for their number. "
        "A depth-3 classification tree grown on the same half says whether the "
        "uncertainties predict the outcome at all, against always guessing the commoner one. "
        f"Where a reading is undefined in {UNDEFINED_BOX_SHARE:.0%} of the worlds or more (e.g. "
        "a percentage of a profit the firm did not make), P(holds) and the boxes above describe "
        "only the worlds where it is defined; a third box, by the same rule over every world, "
        "says which those are (its own question, tested at the same level).",
        "",
        markdown_table(pd.DataFrame(discovery_rows(ev))),
        "",
        "## Which uncertainties spread the effect (PAWN, median KS distance)",
        "",
    ]
    for r in ev.readings:
        if not r.drivers.empty:
            lines += [f"**{r.verdict.reading.name}**", "", markdown_table(r.drivers), ""]
    if all(r.drivers.empty for r in ev.readings):
        lines += ["(no plausible world: nothing to rank)", ""]
    along = f"{c.name}_along.png"
    lines += [
        "## Where along its deciding uncertainties the verdict turns",
        "",
        along_intro(ev),
        "",
    ]
    if along_figure(ev, out / along):
        lines += [
            markdown_table(pd.DataFrame(along_rows(ev))),
            "",
            f"![P(holds) bin by bin]({along})",
            "",
        ]
    else:
        lines += ["(no reading has a deciding uncertainty above the noise floor to split by)", ""]
    lines += ["## Plausible worlds: the stylised facts", "", markdown_table(ev.rejections), ""]
    path = out / f"{c.name}.md"
    write_atomic(path, "\n".join(lines))
    summary = {
        "name": c.name,
        "title": c.title,
        "scope": c.scope,
        "diagnostics": c.diagnostics,
        "drawn": ev.drawn,
        "kept": ev.kept,
        "seconds": ev.seconds,
        "size": ev.size_name,
        "wanted": ev.size.target,  # (--worlds, --deep-reps: the index's command repeats them)
        "deep_reps": ev.size.deep_reps,
        "seed": ev.seed,
        "code": claim_fingerprint(c.name),  # (a reader tells whether it is its code's report)
        "rejections": ev.rejections.drop(columns="source").to_dict("records"),
        "rows": summary_rows(ev),
        "boxes": box_records(ev),
        "facts": fact_numbers(ev),
        "margins": margin_numbers(ev),
        "sides": side_numbers(ev),
        "scale": scale_numbers(ev),
        "scale_worlds": {
            "checked": len(ev.scale_worlds),
            "kept": int(ev.scale_worlds["plausible"].sum()) if len(ev.scale_worlds) else 0,
        },
        "pin": pin_numbers(ev),
        "uncertainties": ev.uncertainties,
        "along": along_numbers(ev),
        "beside": ev.beside,
        **({"split": split_numbers(splits)} if splits else {}),
        **({"split_together": together_rows(ev, splits)} if splits else {}),
    }
    write_atomic(out / f"{c.name}.json", json.dumps(summary, indent=1))
    return path
