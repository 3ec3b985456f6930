"""How a verdict's numbers print in a claim report's cells: a share, P(holds) with its interval."""

from __future__ import annotations

import numpy as np

from experiments.framework import ReadingVerdict

__all__ = ["p_cell", "share_text"]


def p_cell(v: ReadingVerdict) -> str:
    """P(holds) [its interval], with the share of worlds where the reading is undefined beside
    it when there is one (P(holds) is over the others)."""
    undefined = v.shares["undefined"]  # (NaN with no world: nothing to add)
    return v.p_text() + (f"; {share_text(undefined)} undefined" if undefined > 0 else "")


def share_text(share: float) -> str:
    """A share as a whole percentage, "<1%" rather than "0%" when it is not nothing; "—" for
    none (no plausible world to share)."""
    if np.isnan(share):
        return "—"
    return "<1%" if 0 < share < 0.005 else f"{share:.0%}"
