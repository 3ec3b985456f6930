"""docs/ODD.md §6.1 lists the levers and the settings; everything else is an uncertainty with a
plausible range. The lists are the parameters' declared roles, so a reader does not take a
setting for an uncertainty without a range."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from model.scenario.catalogue import PARAMS

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"


@pytest.mark.parametrize(("heading", "role"), [("Levers", "lever"), ("Settings", "setting")])
def test_the_odd_lists_each_role_as_declared(heading: str, role: str) -> None:
    line = next(x for x in ODD.read_text(encoding="utf-8").splitlines() if x.startswith(heading))
    listed = re.findall(r"`([a-z_]+\.[a-z_0-9]+)`", line)
    assert listed == [key for key, info in PARAMS.items() if info.role == role]
