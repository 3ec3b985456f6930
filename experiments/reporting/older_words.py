"""Which reports' words predate their claim's present declarations, and the index's note.

A claim's report is written from its runs and its declarations then; a declaration added since
(a scope, a diagnostic, values beside the readings, an assumed margin) changes no number, so the
report's code still matches, but the report lacks what was declared: the index names it.
"""

from __future__ import annotations

from experiments.verdicts.claim import Claim

__all__ = ["older_lines", "older_words"]


def older_words(claim: Claim, written: dict) -> bool:
    """Whether a report's words are an earlier version's: its summary, ``written``, lacks a
    scope, a diagnostic, the values beside the readings or the verdicts with an assumed margin
    halved and doubled that ``claim`` now declares."""
    return (
        written.get("scope", "") != claim.scope
        or set(written.get("diagnostics") or {}) != set(claim.diagnostics)
        or (bool(claim.beside) and "beside" not in written)
        or (any(r.assumed_margin for r in claim.readings) and "margins" not in written)
    )


def older_lines(older: list[str]) -> list[str]:
    """A paragraph naming the reports written before their claim's present wording (none: [])."""
    if not older:
        return []
    return [
        f"Written before their claim's present words: {', '.join(older)}. Their numbers are "
        "this code's (their code matches); the table above marks their scope and diagnostics "
        "as the claim now declares them, but the reports themselves lack what was declared "
        "since (a diagnostic mark, a scope, the values beside the readings, the verdicts with "
        "an assumed margin halved and doubled); the command above writes them again.",
        "",
    ]
