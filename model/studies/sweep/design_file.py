"""A sweep store's ``design.parquet``: read back, or made again where it was lost or damaged.

The design is generated from the spec (and the store's code), so a store whose spec and code
are this sweep's can have its design file written again — where every finished task's runs
have the generated design's point values, which proves it the design they ran. Advising
``--fresh`` instead discarded every finished run (an analyst's pass).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.studies.files import atomic_file, raise_unless_damaged
from model.studies.sweep.spec import SweepError

__all__ = ["stored_design"]


def stored_design(store: Path, design: pd.DataFrame) -> pd.DataFrame:
    """The store's design as written, or ``design`` written in its place where the file is lost
    or damaged and the finished tasks' runs agree with it (a :class:`SweepError` where they do
    not: the design generated now is another)."""
    path = store / "design.parquet"
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # ArrowInvalid is a ValueError
        raise_unless_damaged(exc, path)  # (the system's error: the file may be whole, so kept)
    by_point = design.set_index("point")
    for batch in sorted((store / "batches").glob("batch-*.parquet")):
        try:
            runs = pd.read_parquet(batch, columns=list(design.columns)).drop_duplicates("point")
        except (OSError, ValueError) as exc:
            raise_unless_damaged(exc, batch)
            continue  # (a damaged task file: the sweep's check of finished tasks redoes it)
        known = runs["point"].isin(by_point.index).all()
        if not (known and runs.set_index("point").equals(by_point.loc[runs["point"]])):
            raise SweepError(
                f"{str(store)!r}: design.parquet is lost or damaged, and the design generated now "
                f"is not its runs' ({batch.name}); use --fresh to start the sweep again"
            )
    with atomic_file(path) as handle:
        design.to_parquet(handle, index=False)
    return design
