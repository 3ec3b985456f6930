"""The phases of a month, in order. Each is ``step(ctx: Context) -> None`` (see ``model.engine.context``).

Phases compute from the state as it stood when they began and *request* stage changes; ``resolve``
applies them in one place at the end, so the order below decides what each phase can see.
"""

from __future__ import annotations

from collections.abc import Callable

from model.engine.context import Context
from model.engine.phases import (
    account,
    attract,
    innovate,
    resolve,
    retain,
    satisfaction,
    staff,
    win_back,
    word_of_mouth,
    work,
)

__all__ = ["PHASES", "Phase"]

Phase = Callable[[Context], None]

#: (name, step) in the order they run each month.
PHASES: tuple[tuple[str, Phase], ...] = (
    # Staff first: the internal client — engagement this month shapes the service delivered.
    ("staff", staff.step),
    # Work needs staff engagement, skill and budgets; it writes each served client's experience.
    ("work", work.step),
    # Satisfaction digests this month's experience against expectations.
    ("satisfaction", satisfaction.step),
    # Retain decides churn from the satisfaction just updated (this month's service counts).
    ("retain", retain.step),
    # Word of mouth: who talks depends on satisfaction; who listens includes prospects and lapsed.
    ("word_of_mouth", word_of_mouth.step),
    # Attract uses this month's messages: referrals make prospects aware, warnings put them off.
    ("attract", attract.step),
    # Win back uses the same messages for lapsed clients.
    ("win_back", win_back.step),
    # Innovate spends R&D out of last month's revenue and moves quality for next month.
    ("innovate", innovate.step),
    # Account books the month once every phase has spent its money.
    ("account", account.step),
    # Resolve applies the requested stage changes last, in one place.
    ("resolve", resolve.step),
)
