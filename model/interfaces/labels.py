"""What a run is called: the scenario's name *and* its overrides, in titles, summaries and folders.

``retention run --set levers.service_level=wow`` is not "baseline": it is
``baseline + service_level=wow``, and its default folder is ``out/baseline--service_level=wow``.
Nor is an edited copy of a preset that kept the preset's name (``retention presets --copy``): its
title says what it changes from the preset too (its folder is told apart by ``copy=``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from model.scenario import Scenario
from model.scenario.changes import changed_from_preset, changes_text, overrides_text

__all__ = ["cut_bytes", "cut_with_digest", "default_folder", "labelled", "overrides_text"]


def labelled(scenario: Scenario, overrides: Mapping[str, Any], most: int = 3) -> Scenario:
    """The scenario renamed to say what was overridden (its description says so too), and what
    it changes from the preset whose name it carries, if any (an edited copy: first, at most
    ``most`` of them, as :class:`~model.studies.run.RunResult` names one).

    Examples
    --------
    >>> s = labelled(Scenario().with_overrides({"levers.service_level": "wow"}),
    ...              {"levers.service_level": "wow"})
    >>> s.name
    'baseline + service_level=wow'
    """
    edited = {k: v for k, v in changed_from_preset(scenario).items() if k not in overrides}
    if not overrides and not edited:
        return scenario
    said = changes_text(edited, most)
    text = ", ".join(filter(None, (said, overrides_text(overrides))))
    description = scenario.description.rstrip(". ")
    # (an edited copy kept the preset's description beside its changes: they are said too)
    for what, it in (("changed from the preset", said), ("overridden", overrides_text(overrides))):
        if it:
            description = f"{description}; {what}: {it}" if description else f"{what}: {it}"
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
