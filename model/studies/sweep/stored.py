"""A store's own spec: the sweep read back from its ``spec.json``, to resume it without its file.

A store keeps the spec twice (:mod:`model.studies.sweep.store`): ``spec.toml`` as written, whose
``[base] scenario`` path is relative to where the file was, and ``spec.json`` as validated, its
base scenario resolved in full. ``retention sweep --out STORE`` with no SPEC resumes from the
latter, so a store carried to a cluster or whose spec file moved can be finished as it is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from model.studies.sweep.spec import DesignSpec, ParamSpec, SweepError, SweepSpec
from model.studies.sweep.store import read_manifest

__all__ = ["stored_spec"]


def stored_spec(store: str | Path) -> SweepSpec:
    """The spec of the sweep in ``store``, read from its ``spec.json``.

    Raises :class:`~model.studies.sweep.spec.SweepError` when the folder is not a store, or when
    its ``spec.json`` cannot be read or is not the spec its manifest was written for (its digest
    differs: edited, or written by another version).
    """
    manifest = read_manifest(store)
    path = Path(store) / "spec.json"
    how = "give the sweep's SPEC file as well"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        design = data["design"]
        spec = SweepSpec(
            name=str(data["name"]),
            description=str(data.get("description", "")),
            base=data["base"],
            parameters=tuple(_parameter(p) for p in data["parameters"]),
            design=DesignSpec(
                str(design["kind"]), design["samples"], design["levels"], design["second_order"]
            ),
            months=data["months"],
            clients=data["clients"],
            replications=data["replications"],
            batch_size=data["batch_size"],
            seed=data["seed"],
            series=tuple(data["series"]),
            common_random_numbers=data["common_random_numbers"],
            base_set=tuple(data.get("base_set", ())),
        )
    except FileNotFoundError:
        raise SweepError(f"{str(path)!r}: missing, so the store's spec is unknown; {how}") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SweepError(f"{str(path)!r}: cannot be read ({exc!r}); {how}") from None
    if spec.digest() != manifest["spec_digest"]:
        raise SweepError(
            f"{str(path)!r}: is not the spec the store's manifest was written for (edited, "
            f"written by another version, or a growth of its replications cut short: the "
            f"command that grew it finishes it); {how}"
        )
    return spec


def _parameter(raw: dict[str, Any]) -> ParamSpec:
    values = raw["values"]
    return ParamSpec(
        key=str(raw["key"]),
        values=None if values is None else tuple(values),
        low=raw["low"],
        high=raw["high"],
        integer=raw["integer"],
    )
