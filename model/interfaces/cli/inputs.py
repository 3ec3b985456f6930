"""The command line's input boundary: every number, seed, flag, path and address a command reads.

Each ``argparse`` type here turns text into a checked value or raises
:class:`argparse.ArgumentTypeError` with one line naming the flag, the value and what is allowed;
the check functions raise :class:`~model.interfaces.cli.errors.CliError`. Subcommands call this
layer instead of ``int``/``float``/``Path`` so that no bad input reaches numpy, pydantic or the
operating system as a traceback. :func:`check_scenario_memory` and :func:`check_memory` compare
what a command is about to allocate with the memory of this machine *before* allocating it.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from model.engine.memory import (
    MEMORY_SHARE,
    available_memory,
    count_text,
    need_text,
    scenario_bytes,
    size_text,
)
from model.interfaces.cli.errors import CliError
from model.interfaces.labels import cut_with_digest

__all__ = [
    "MAX_DIGITS",
    "address",
    "available_memory",
    "check_design_memory",
    "check_memory",
    "check_out",
    "check_scenario_memory",
    "finite_float",
    "input_file",
    "output_path",
    "param_int",
    "ranged_int",
    "safe_name",
    "scenario_bytes",
    "seed",
]

#: Integers longer than this are refused before Python parses them (int() of 5,000 digits is slow
#: and the value is far outside every range anyway).
MAX_DIGITS = 30
#: The longest file or folder name most file systems allow (bytes, UTF-8).
NAME_MAX = 255
PATH_MAX = 4096


def _integer(flag: str, text: str, allowed: str) -> int:
    stripped = text.strip().replace("_", "")
    digits = stripped[1:] if stripped[:1] in "+-" else stripped
    if not digits.isdigit() or len(digits) > MAX_DIGITS or not digits.isascii():
        raise argparse.ArgumentTypeError(f"value {text[:40]!r} is not allowed; allowed: {allowed}")
    return int(stripped)


def ranged_int(flag: str, lo: int, hi: int | None = None, also: str = "") -> Callable[[str], int]:
    """An argparse type: an integer ``lo <= x <= hi`` (``hi`` None: no upper bound).

    ``also``: a bound that depends on other options or the input, checked after parsing and said
    here too, so that the first message does not allow what the second refuses.
    """
    allowed = f"an integer, {lo} ≤ x" + ("" if hi is None else f" ≤ {hi}")
    allowed += f", {also}" if also else ""

    def parse(text: str) -> int:
        value = _integer(flag, text, allowed)
        if value < lo or (hi is not None and value > hi):
            # (argparse puts "argument --flag:" before it)
            raise argparse.ArgumentTypeError(f"value {text!r} is not allowed; allowed: {allowed}")
        return value

    return parse


def param_int(key: str) -> Callable[[str], int]:
    """An argparse type: an integer within the declared range of parameter ``key``."""
    from model.scenario import PARAMS

    info = PARAMS[key]
    lo, hi = int(info.lower or 0), None if info.upper is None else int(info.upper)
    allowed = f"an integer, {info.allowed()} ({key}, {info.unit})"

    def parse(text: str) -> int:
        value = _integer(key, text, allowed)
        if value < lo or (hi is not None and value > hi):
            raise argparse.ArgumentTypeError(f"value {text!r} is not allowed; allowed: {allowed}")
        return value

    return parse


def seed(flag: str = "--seed") -> Callable[[str], int]:
    """An argparse type: a seed in ``run.seed``'s declared range (0 <= s < 2**64).

    The range is read from the declaration (:data:`model.scenario.sections.run.SEED_MAX`), so the
    flag and the scenario parameter can never disagree.
    """

    def parse(text: str) -> int:
        from model.scenario import PARAMS

        info = PARAMS["run.seed"]
        return ranged_int(flag, int(info.lower or 0), int(info.upper))(text)

    return parse


def finite_float(
    flag: str, lo: float | None = None, hi: float | None = None, *, open_lo: bool = False
) -> Callable[[str], float]:
    """An argparse type: a finite number within ``[lo, hi]`` (``open_lo``: ``lo < x``)."""
    parts = ["a finite number"]
    if lo is not None:
        parts.append(f"{lo:g} {'<' if open_lo else '≤'} x")
    if hi is not None:
        parts.append(f"x ≤ {hi:g}")
    allowed = ", ".join(parts)

    def parse(text: str) -> float:
        try:
            value = float(text) if len(text) <= 64 else math.nan
        except ValueError:
            value = math.nan
        bad = not math.isfinite(value)
        bad = bad or (lo is not None and (value <= lo if open_lo else value < lo))
        bad = bad or (hi is not None and value > hi)
        if bad:
            raise argparse.ArgumentTypeError(
                f"value {text[:40]!r} is not allowed; allowed: {allowed}"
            )
        return value

    return parse


def _path_problem(path: Path) -> str | None:
    text = str(path)
    if not text or "\0" in text:
        return "an empty path or one with a NUL character"
    if len(os.fsencode(text)) > PATH_MAX:
        return f"a path longer than {PATH_MAX} bytes"
    long = [p for p in path.parts if len(os.fsencode(p)) > NAME_MAX]
    if long:
        return f"a name longer than {NAME_MAX} bytes ({long[0][:20]}...)"
    return None


def reference(what: str = "a preset's name or a TOML file") -> Callable[[str], Path]:
    """An argparse type: a scenario or sweep spec given by preset name or file, as a path; an
    empty one is refused (``Path("")`` is ``.``, which was then said to be a folder)."""

    def parse(text: str) -> Path:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"value {text!r} is not allowed; allowed: {what}")
        return Path(text)

    return parse


def output_path(flag: str = "--out", *, file: bool = False) -> Callable[[str], Path]:
    """An argparse type: a path a file system can hold (names ≤ 255 bytes, no NUL); ``file``:
    the output is a file (its messages say so)."""

    def parse(text: str) -> Path:
        path = Path(text)
        # (Path("") is ".": an empty --out wrote into the current folder)
        problem = "an empty path" if not text.strip() else _path_problem(path)
        if problem:
            raise argparse.ArgumentTypeError(
                f"value {text[:40]!r} is not allowed ({problem}); allowed: a "
                f"{'file' if file else 'folder'} path with names of at most {NAME_MAX} bytes"
            )
        return path

    return parse


def check_out(path: Path, flag: str = "--out", *, file: bool = False) -> Path:
    """Check before any work that ``path`` can be created or replaced; returns it.

    A folder output must not be an existing file; its nearest existing ancestor must be a folder
    this process can write to. ``file``: the output is a file, which must not be a folder.
    """
    path = Path(path)
    problem = _path_problem(path)
    if problem:
        raise CliError(f"{flag} {str(path)[:40]!r}: not allowed ({problem})")
    if path.exists():
        if file and path.is_dir():
            raise CliError(f"{flag} {str(path)!r}: is a folder; allowed: a file path")
        if file and not path.is_file():  # (renamed over, /dev/null would become a file)
            raise CliError(
                f"{flag} {str(path)!r}: is a device, pipe or socket; allowed: a regular file path"
            )
        if not file and not path.is_dir():
            raise CliError(f"{flag} {str(path)!r}: exists and is not a folder")
    # (A file output is written beside itself and renamed over it: its folder must be writable.)
    ancestor = path if path.exists() and not file else path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    ancestor = ancestor if str(ancestor) else Path(".")
    if not ancestor.is_dir():
        raise CliError(
            f"{flag} {str(path)!r}: cannot be written, part of its path ({str(ancestor)!r}) is a "
            "file; allowed: a folder path you can write to"
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise CliError(
            f"{flag} {str(path)!r}: cannot be written ({str(ancestor)!r} is read-only for you); "
            "allowed: a folder path you can write to"
        )
    return path


def create_out(path: Path, flag: str = "--out") -> Path:
    """:func:`check_out`, then the folder made: a path the checks pass but the system refuses
    (``/proc/x``, even for root) is named with its flag, not a bare ``No such file``."""
    check_out(path, flag)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(
            f"{flag} {str(path)!r}: cannot be written ({exc.strerror or exc}); allowed: a folder "
            "path you can write to"
        ) from None
    return path


def safe_name(name: str) -> str:
    """A scenario name as one path component under ``out/`` (never ``..``, ``/`` or too long:
    at most 100 bytes of UTF-8, a letter of another script taking two to four: such a name,
    cut, ends with a digest of the whole, so that two names alike in their first 90 bytes keep
    apart; an ASCII name is cut at 100 characters, as it always was)."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".")
    cleaned = cleaned or "scenario"
    if cleaned.isascii():
        return cleaned[:100]  # (an ASCII name's folder as it always was)
    return cut_with_digest(cleaned, 100)


def address(flag: str = "--scheduler") -> Callable[[str], str]:
    """An argparse type: a Dask scheduler address, ``tcp://HOST:PORT``, ``tls://HOST:PORT`` or
    ``HOST:PORT`` (tcp)."""

    def parse(text: str) -> str:
        scheme, sep, rest = text.partition("://")
        if not sep:
            scheme, rest = "tcp", text
        host, colon, port = rest.rpartition(":")
        ok = scheme in ("tcp", "tls") and colon and host and port.isdigit()
        ok = ok and 0 < int(port) < 65536
        if not ok:
            why = (
                f"the {scheme}:// protocol is not supported (no UCX or websocket options here)"
                if scheme not in ("tcp", "tls")
                else "not an address"
            )
            raise argparse.ArgumentTypeError(
                f"value {text[:60]!r} is not allowed ({why}); allowed: tcp://HOST:PORT, or "
                "tls://HOST:PORT with --tls-ca-file, --tls-cert and --tls-key"
            )
        return f"{scheme}://{rest}"

    return parse


# ==================================================================================== memory
def check_memory(need: float, what: str, way_around: str) -> None:
    """Refuse, in one line with the limit and ``way_around``, a plan needing more than we have."""
    have = available_memory() * MEMORY_SHARE
    if not need <= have:  # also NaN / inf
        raise CliError(
            f"{what} needs {need_text(need)}; this machine has {size_text(have)} to spare "
            f"({MEMORY_SHARE:.0%} of what is available); {way_around}"
        )


def check_scenario_memory(scenario: Any, copies: int = 1, clients: str = "--clients") -> None:
    """Refuse a scenario (run ``copies`` at a time) that would not fit in this machine's memory;
    ``clients`` says where the market size is set."""
    per_run = scenario_bytes(scenario)
    staff = scenario.market.clients * scenario.levers.staffing / scenario.staff.capacity
    check_memory(
        per_run * copies,
        f"{scenario.name!r} ({scenario.market.clients:,} clients, degree "
        f"{scenario.word_of_mouth.degree:g}, up to {count_text(staff)} staff at staff.capacity "
        f"{scenario.staff.capacity:g}" + (f", {copies} at a time" if copies > 1 else "") + ")",
        f"use fewer clients ({clients}), a lower word_of_mouth.degree, a larger staff.capacity"
        + (" or fewer --workers" if copies > 1 else ""),
    )


#: The largest data file (a transaction log) a command reads.
MAX_DATA_BYTES = 4 * 1024**3


def input_file(flag: str) -> Callable[[str], Path]:
    """An argparse type: an existing regular file (no device, FIFO or folder) of sane size."""

    def parse(text: str) -> Path:
        import stat

        path = Path(text)
        problem = "an empty path" if not text.strip() else _path_problem(path)
        if problem is None:
            try:
                info = path.stat()
            except FileNotFoundError:
                problem = "it does not exist"
            except OSError as exc:
                problem = f"it cannot be read: {exc.strerror or exc}"
            else:
                if stat.S_ISDIR(info.st_mode):
                    problem = "it is a folder"
                elif not stat.S_ISREG(info.st_mode):
                    problem = "it is a device, pipe or socket"
                elif info.st_size > MAX_DATA_BYTES:
                    problem = f"it is larger than {size_text(MAX_DATA_BYTES)}"
                elif not os.access(path, os.R_OK):
                    problem = "it is not readable"
        if problem:
            raise argparse.ArgumentTypeError(
                f"value {text[:60]!r} is not allowed ({problem}); allowed: a readable file"
            )
        return path

    return parse


#: Parameters that raise a run's memory as they grow (+1) or shrink (-1).
MEMORY_KEYS = {
    "market.clients": 1,
    "word_of_mouth.degree": 1,
    "levers.staffing": 1,
    "staff.capacity": -1,
    "run.months": 1,
    "run.track_clients": 1,
}


def check_design_memory(base: Any, design: Any, copies: int = 1) -> None:
    """Refuse a sweep whose most demanding design point would not fit ``copies`` at a time.

    ``design`` is the design table (one column per varied parameter); the worst point is the base
    scenario with every memory-raising column at its extreme.
    """
    worst = {}
    for key, sign in MEMORY_KEYS.items():
        if key in getattr(design, "columns", ()):
            column = design[key]
            value = column.max() if sign > 0 else column.min()
            worst[key] = value.item() if hasattr(value, "item") else value
    check_scenario_memory(
        base.with_overrides(worst) if worst else base, copies, clients="the spec's clients"
    )
