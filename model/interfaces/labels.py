"""What a run is called: the scenario's name *and* its overrides, in titles, summaries and folders.

``retention run --set levers.service_level=wow`` is not "baseline": it is
``baseline + service_level=wow``, and its default folder is ``out/baseline--service_level=wow``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from model.scenario import Scenario
from model.scenario.changes import overrides_text

__all__ = ["cut_bytes", "cut_with_digest", "default_folder", "labelled", "overrides_text"]


def labelled(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """The scenario renamed to say what was overridden (its description says so too).

    Examples
    --------
    >>> s = labelled(Scenario().with_overrides({"levers.service_level": "wow"}),
    ...              {"levers.service_level": "wow"})
    >>> s.name
    'baseline + service_level=wow'
    """
    if not overrides:
        return scenario
    text = overrides_text(overrides)
    description = scenario.description.rstrip(". ")
    description = f"{description}; overridden: {text}" if description else f"overridden: {text}"
    return scenario.model_copy(
        update={"name": f"{scenario.name} + {text}", "description": description}
    )


def default_folder(
    scenario: Scenario,
    overrides: Mapping[str, Any],
    clean: Callable[[str], str] = lambda name: name,
    root: str = "out",
    tail: str = "",
) -> Path:
    """``out/<name>`` for a scenario as written, ``out/<name>--<overrides>`` for a changed one.

    ``clean`` makes the scenario's name one safe path component. A name too long is cut — to
    120 bytes (UTF-8: a name in Chinese is three a character), or fewer for a long tail, so
    that the whole stays within 140 (a staging folder beside it adds about 100: under the 255
    bytes a file system allows) — and ends with a digest of the whole, so that overrides cut
    off still tell folders apart. ``tail`` (``replications=5``) comes after the cut, so it
    always shows.
    """
    base = clean(scenario.name.split(" + ")[0])
    if not overrides:  # (``clean`` keeps a name within 100 bytes)
        return Path(root) / (f"{base}--{tail}" if tail else base)
    slug = re.sub(r"[^A-Za-z0-9_.=,-]+", "_", overrides_text(overrides, ","))
    name, cut = f"{base}--{slug}", min(120, 139 - len(tail)) if tail else 120
    name = cut_with_digest(name, cut)  # (another seed, cut off, shared a folder: refused there)
    return Path(root) / (name + (f",{tail}" if tail else ""))


def cut_bytes(text: str, most: int) -> str:
    """``text`` cut to at most ``most`` bytes of UTF-8, at a character's boundary."""
    return text.encode()[:most].decode(errors="ignore")


def cut_with_digest(text: str, most: int) -> str:
    """``text`` if it fits in ``most`` bytes of UTF-8, else cut and ended with ``_`` and a digest
    of the whole (8 hex digits), within ``most``: texts cut alike still differ."""
    if len(text.encode()) <= most:
        return text
    return f"{cut_bytes(text, most - 9)}_{hashlib.sha256(text.encode()).hexdigest()[:8]}"
