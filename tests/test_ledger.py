"""Every ledger line is declared once with how it reaches the clients' attributed profit
(model.engine.ledger), and the code that splits money reads that declaration: a contributor's new
line was left out of the per-client values, which then no longer summed to the firm's profit."""

from __future__ import annotations

from model.engine import ledger
from model.engine.context import LEDGER_LINES, SPEND_LINES
from model.engine.phases.account import cost_shares


def test_every_line_is_charged_one_known_way_and_the_groups_partition_the_ledger() -> None:
    assert tuple(ledger.CHARGED) == LEDGER_LINES == ledger.LEDGER_LINES
    assert set(ledger.CHARGED.values()) <= {"direct", "acquisition", "equal", "revenue"}
    groups = ledger.ACQUISITION_LINES + ledger.EQUAL_LINES + ledger.REVENUE_LINES
    direct = [k for k in LEDGER_LINES if ledger.CHARGED[k] == "direct"]
    assert sorted(groups + tuple(direct)) == sorted(LEDGER_LINES)
    assert ledger.ACQUISITION_LINES == ("marketing", "onboarding")
    assert tuple(k for k in LEDGER_LINES if k != "cogs") == SPEND_LINES


def test_the_shared_costs_are_split_by_the_declaration() -> None:
    """Each shared line, alone in a month's ledger, reaches the clients served as declared."""
    for line in LEDGER_LINES:
        led = dict.fromkeys(LEDGER_LINES, 0.0)
        led[line] = 120.0
        way = ledger.CHARGED[line]
        per_client, per_revenue, unattributed = cost_shares(led, 4, 600.0, joiners=0)
        # (nobody joined: acquisition falls to the clients served, equally)
        expected = {
            "direct": (0.0, 0.0),
            "acquisition": (30.0, 0.0),
            "equal": (30.0, 0.0),
            "revenue": (0.0, 0.2),
        }[way]
        assert (per_client, per_revenue, unattributed) == (*expected, 0.0), line
        # With joiners, acquisition is theirs (charged in the ledger pass), not the served's.
        assert cost_shares(led, 4, 600.0, joiners=2)[0] == (30.0 if way == "equal" else 0.0)
    assert ledger.acquisition_spend({"marketing": 2.5, "onboarding": 0.5}) == 3.0
