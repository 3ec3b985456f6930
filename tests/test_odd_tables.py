"""docs/ODD.md's parameter tables, its uncertainties' table and §6.1's lists of levers and
settings are the declarations' (``scripts/odd_tables.py`` writes them): a reader never meets a
default, range or source the code does not hold, nor a setting taken for an uncertainty."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

import pytest

from model.scenario import PARAMS

_PATH = Path(__file__).resolve().parents[1] / "scripts" / "odd_tables.py"


@pytest.fixture(scope="module")
def odd_tables():
    spec = importlib.util.spec_from_file_location("odd_tables", _PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["odd_tables"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("odd_tables", None)


def test_the_odd_holds_the_declarations(odd_tables) -> None:
    text = odd_tables.ODD.read_text(encoding="utf-8")
    assert odd_tables.problems(text) == []
    assert odd_tables.refresh(text) == text, "run: python scripts/odd_tables.py"


def test_a_changed_declaration_is_caught(odd_tables, monkeypatch) -> None:
    text = odd_tables.ODD.read_text(encoding="utf-8")
    key = "service.fix_cost_mean"
    changed = dataclasses.replace(PARAMS[key], source="a source nobody wrote in the ODD")
    monkeypatch.setitem(odd_tables.PARAMS, key, changed)
    new = odd_tables.refresh(text)
    assert new != text
    assert odd_tables.parameter_row(changed) in new.split("\n")


def test_an_uncertainty_row_is_written_from_its_range(odd_tables) -> None:
    row = odd_tables.uncertainty_row(PARAMS["word_of_mouth.network"])
    assert row.startswith("| `word_of_mouth.network` | 'small_world' | small_world / scale_free")
    assert "\\|" not in row  # alternatives are joined with " / ", not a cell-ending bar


def test_a_parameter_missing_from_every_table_is_named(odd_tables) -> None:
    text = odd_tables.ODD.read_text(encoding="utf-8")
    row = odd_tables.parameter_row(PARAMS["staff.salary"])
    assert row in text.split("\n")
    found = odd_tables.problems(text.replace(row + "\n", ""))
    assert found == [
        "staff.salary: declared, in no parameter table; add a row | `staff.salary` | to its "
        "submodel's table (ODD §7 or §5), then run scripts/odd_tables.py"
    ]


def test_an_uncertainty_without_a_range_is_named(odd_tables, monkeypatch) -> None:
    import dataclasses

    text = odd_tables.ODD.read_text(encoding="utf-8")
    bare = dataclasses.replace(PARAMS["retain.base_churn"], plausible=None)
    monkeypatch.setitem(odd_tables.PARAMS, "retain.base_churn", bare)
    found = odd_tables.problems(text)
    assert found == [
        "retain.base_churn: an uncertainty without a plausible range; declare plausible= and "
        "plausible_source=, or role='setting' (CONTRIBUTING, 'Adding a parameter')"
    ]


def test_the_role_lists_are_each_roles_keys_in_declaration_order(odd_tables) -> None:
    text = odd_tables.ODD.read_text(encoding="utf-8")
    for opening, role in odd_tables.ROLE_LINES.items():
        line = next(x for x in text.split("\n") if x.startswith(opening))
        keys = [k.strip("`.") for k in line.removeprefix(opening).split(", ")]
        assert keys == [key for key, p in PARAMS.items() if p.role == role]


def test_a_bar_inside_a_cell_is_escaped(odd_tables) -> None:
    p = dataclasses.replace(PARAMS["staff.salary"], source="a | b")
    assert odd_tables.parameter_row(p).endswith("| a \\| b |")
