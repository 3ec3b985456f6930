"""A many-run study (compare, optimize, a sweep) as a self-contained HTML page, like a run's.

:func:`study_report` lays out the study's notes, its figures (embedded) and its tables, and how
to reproduce it, in the run page's style (:mod:`model.interfaces.html_report`);
:func:`write_study_report` writes it from a results folder's CSV tables and PNGs.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from model.interfaces.html_report import STYLE, number_cell, reproduce_section, table_html
from model.studies.files import write_atomic

__all__ = ["study_report", "write_study_report"]


def study_report(
    title: str,
    lead: str,
    tables: Mapping[str, pd.DataFrame],
    figures: Mapping[str, bytes],
    notes: list[str] | None = None,
    meta: Mapping[str, Any] | None = None,
) -> str:
    """A self-contained page for a many-run study (compare, optimize, sweep), like a run's.

    Parameters
    ----------
    title, lead : str
        Heading and the sentence under it (what was run, on how many seeds).
    tables : mapping of str to DataFrame
        Tables by heading, numbers thousands-separated.
    figures : mapping of str to bytes
        PNG images by name, embedded.
    notes : list of str, optional
        Warnings to read with the tables.
    meta : mapping, optional
        How to reproduce it (command, version, git commit, created, wall seconds).
    """
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)} — Retention Lab</title><style>{STYLE}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="lead">{esc(lead)}</p>',
    ]
    if notes:
        parts.append("<h2>Read with care</h2><ul>")
        parts += [f"<li>{esc(n)}</li>" for n in notes]
        parts.append("</ul>")
    for name, png in figures.items():
        data = base64.b64encode(png).decode("ascii")
        parts.append(f'<img alt="{esc(name)}" src="data:image/png;base64,{data}">')
    for heading, frame in tables.items():
        numeric = {
            i for i, c in enumerate(frame.columns) if pd.api.types.is_numeric_dtype(frame[c])
        }
        rows = [[number_cell(v, 4) for v in row] for row in frame.itertuples(index=False)]
        # (scrolled in its own box: a comparison's twelve columns made a 1,628-px page that a
        # projector cut off; headers in words, as the CSV's names with spaces)
        parts += [
            f"<h2>{esc(heading)}</h2>",
            "<div style='overflow-x:auto'>",
            table_html([_header(str(c)) for c in frame.columns], rows, numeric),
            "</div>",
        ]
    parts += reproduce_section(meta)
    parts.append("</body></html>")
    return "\n".join(parts)


def _header(column: str) -> str:
    """A CSV column's name as a table's header: words, not snake case (``difference_pct`` →
    ``difference (%)``)."""
    words = column.removesuffix("_pct").replace("_", " ")
    return f"{words} (%)" if column.endswith("_pct") else words


def write_study_report(path: str | Path, folder: str | Path, title: str, lead: str,
                       notes: list[str] | None = None, meta: Mapping[str, Any] | None = None,
                       csvs: tuple[str, ...] = (),
                       first: Mapping[str, pd.DataFrame] | None = None) -> Path:  # fmt: skip
    """Write :func:`study_report` from a results folder: ``first`` (tables by heading, e.g. the
    headline result), then the named CSV tables, and the folder's PNGs."""
    folder = Path(folder)
    tables = dict(first or {}) | {name.removesuffix(".csv").replace("_", " "): pd.read_csv(
        folder / name) for name in csvs if (folder / name).is_file()}  # fmt: skip
    figures = {p.stem: p.read_bytes() for p in sorted(folder.glob("*.png"))}
    path = Path(path)
    write_atomic(path, study_report(title, lead, tables, figures, notes, meta))
    return path
