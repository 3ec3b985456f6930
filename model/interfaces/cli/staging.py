"""Results folders written atomically: a folder appears whole, or the previous one stays.

Outputs are written into a temporary folder beside the target and renamed into place at the end,
so an interrupted or failed run never leaves a half-written results folder. Where the target's
parent cannot be written (or kept runs of a stopped command wait inside it), the temporary folder
is inside the target and each file is moved into place whole. A folder is replaced only if it
holds a previous output of the same kind of command.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from model.interfaces.cli.errors import PROG, CliError
from model.interfaces.cli.outputs import RUN_OUTPUTS
from model.studies.files import ordinary_mode

__all__ = [
    "DISCARDED",
    "FRESHENED",
    "RESUMABLE",
    "WRITTEN",
    "discarded",
    "placed",
    "staging_folder",
]


@contextmanager
def staging_folder(
    outdir: Path,
    outputs: tuple[str, ...] = RUN_OUTPUTS,
    made_by: str = "retention run",
    *,
    keep_runs: bool = False,
    fresh: bool = False,
    quiet: bool = False,
) -> Iterator[Path]:
    """A temporary folder beside ``outdir``, renamed to ``outdir`` only if the block succeeds
    (inside an existing ``outdir`` whose parent cannot be written, its files then moved into
    place one by one).

    Checks before yielding that ``outdir`` can be written: its parent is created if missing, and
    an existing ``outdir`` is replaced only if it is empty or holds a previous ``made_by``'s
    outputs — the named ``outputs`` and PNG figures — (so ``--out .`` cannot wipe a folder of
    other files). Every subcommand that writes a results folder uses it.

    With ``keep_runs`` the block's runs are kept as they finish in a hidden folder beside
    ``outdir`` (inside it where its parent cannot be written: :func:`_kept_runs`), so that the
    same command, stopped, resumes from them (``fresh``: discard them first; ``quiet``: say
    nothing of them).
    """
    given = str(outdir)  # (the messages name --out as the user wrote it)
    outdir = placed(outdir)  # (so that "." and ".." have a parent to stage beside)
    inside = False
    try:
        if outdir.exists():
            if not outdir.is_dir():
                raise CliError(f"--out {given!r}: exists and is not a folder")
            _remove_leftovers(outdir)
            inside = _stage_inside(outdir)
            # This tool's own hidden folders inside it count as its own only where it stages
            # there; beside, the folder is replaced whole, and they would go with it.
            mine = _ours_inside(outdir) if inside else set()
            entries = {p.name for p in outdir.iterdir()} - mine
            ours = entries & set(outputs) and all(_is_output(outdir / e, outputs) for e in entries)
            if entries and not ours:
                raise CliError(
                    f"--out {given!r}: folder exists and is not a previous output of "
                    f"'{made_by}'; allowed: a new or empty folder, or one written by '{made_by}'"
                )
        else:
            outdir.parent.mkdir(parents=True, exist_ok=True)
            _remove_leftovers(outdir)
        where = outdir if inside else outdir.parent
        staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(outdir, "partial"), dir=where))
        staging.chmod(ordinary_mode(folder=True))  # mkdtemp makes it private; results are not
    except (FileExistsError, NotADirectoryError):
        raise CliError(
            f"--out {given!r}: cannot be written, part of its path is a file; "
            "allowed: a folder path you can write to"
        ) from None
    except OSError as exc:
        raise CliError(
            f"--out {given!r}: cannot be written ({exc.strerror or exc}); "
            "allowed: a folder path you can write to"
        ) from None
    try:
        with _kept_runs(outdir, fresh, quiet, inside) if keep_runs else nullcontext():
            yield staging
            _swap_into_place(staging, outdir, outputs, in_place=inside)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _stage_inside(outdir: Path) -> bool:
    """Whether to stage inside the existing folder ``outdir``: where kept runs of a stopped
    command wait there (resumed where they were kept), or where its parent cannot be written
    (``--out .`` at the top of a mount, a folder under a read-only one); else beside it, to be
    renamed onto it. The files are then moved into place one by one (:func:`_fill_in_place`)."""
    if (outdir / f".{outdir.name}.kept").is_dir():
        return True
    try:
        probe = tempfile.mkdtemp(prefix=_staging_prefix(outdir, "partial"), dir=outdir.parent)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return True
        raise
    os.rmdir(probe)
    return False


def _ours_inside(outdir: Path) -> set[str]:
    """The folders of this tool's own inside ``outdir`` (:func:`_stage_inside`): its kept runs
    (``.NAME.kept``) and staging folders (``.NAME.partial-OWNER-PID-…``), folders only."""
    staging = re.compile(rf"^\.{re.escape(outdir.name)}\.partial-.+-\d+-")
    return {
        entry.name
        for entry in outdir.iterdir()
        if (entry.name == f".{outdir.name}.kept" or staging.match(entry.name))
        and entry.is_dir()
        and not entry.is_symlink()
    }


@contextmanager
def _kept_runs(outdir: Path, fresh: bool, quiet: bool, inside: bool = False) -> Iterator[None]:
    """Keep the block's runs in ``.NAME.kept`` beside ``outdir`` (inside it, with ``inside``:
    where its parent cannot be written) (:func:`model.studies.kept_runs.keep_runs`), and remove
    that folder, still holding it, once the block has put the results in place — or if it ends
    with nothing kept."""
    from model.studies.kept_runs import keep_runs

    outdir = placed(outdir)  # (so that --out . keeps them beside it, unless ``inside``)
    folder = (outdir if inside else outdir.parent) / f".{outdir.name}.kept"
    busy = (
        f"--out {str(outdir)!r}: another command is writing its results there now; allowed: one "
        "at a time (or another --out)"
    )
    with keep_runs(folder, fresh, busy=busy) as kept:
        RESUMABLE.append(folder)  # (a stop then says the finished runs are kept)
        done = False
        try:
            yield
            done = True
        finally:
            if kept.damaged and not quiet:
                names = ", ".join(kept.damaged)
                print(f"{PROG}: damaged kept runs removed from {folder}, their runs run again: "
                      f"{names}", file=sys.stderr)  # fmt: skip
            if kept.read_back and not quiet:
                said = f"{kept.read_back:,} finished runs read back from {folder}, not run again"
                print(f"{PROG}: {said}", file=sys.stderr)
            # Done, this command's runs go; another's, kept there by a command that was stopped,
            # stay for it to resume from (they are several to a file, by run).
            left = kept.release() if done else 0
            if left and not quiet:
                print(f"{PROG}: {left:,} runs another command kept in {folder} stay there (that "
                      "command, run again, reads them back; --fresh discards them)",
                      file=sys.stderr)  # fmt: skip
            if done or not any(folder.glob("*")):  # (glob: a folder removed meanwhile is empty)
                RESUMABLE.remove(folder)
                if not left:
                    shutil.rmtree(folder, ignore_errors=True)


def _staging_prefix(outdir: Path, kind: str) -> str:
    """``.NAME.partial-OWNER-PID-`` (or ``.old-``): whose folder it is, so that a later run can
    tell one left by a killed process from one a running process is still writing."""
    return f".{outdir.name}.{kind}-{_owner()}-{os.getpid()}-"


def _owner() -> str:
    """This machine and process namespace, as a name part: the host name and the PID
    namespace's inode (containers sharing a host name and a volume have their own PIDs), or
    the host name alone where there are no such namespaces."""
    host = re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname())[:64] or "host"
    try:
        return f"{host}_ns{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:
        return host


def _remove_leftovers(outdir: Path) -> None:
    """Remove the staging folders beside ``outdir`` that a killed process of this machine and
    PID namespace left (SIGKILL, a power cut); never another's, nor a live one's, nor a
    ``.old-`` folder (killed between its two renames, it may hold the only copy of the previous
    results). Only where PID namespaces can be told apart (Linux)."""
    owner = _owner()
    if "_ns" not in owner:
        return
    mine = re.compile(rf"^\.{re.escape(outdir.name)}\.partial-{re.escape(owner)}-(\d+)-")
    entries = []
    for folder in (outdir.parent, outdir):  # (inside: where the parent could not be written)
        try:
            entries += list(folder.iterdir())
        except OSError:
            continue
    for entry in entries:
        found = mine.match(entry.name)
        if found and entry.is_dir() and not _alive(int(found.group(1))):
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs in this PID namespace (another user's counts as running)."""
    if pid == os.getpid() or os.name == "nt":  # (Windows' os.kill would end the process)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # (another user's process, or no such pid number)
        return True
    return True


def _is_output(path: Path, outputs: tuple[str, ...]) -> bool:
    return path.is_file() and (path.name in outputs or path.suffix == ".png")


#: Results folders this process has put in place, in order: a stop that arrives after one landed
#: says so instead of "previous results are untouched" (:func:`model.interfaces.cli.main.main`).
WRITTEN: list[Path] = []
#: Stores this process writes each finished task into as it finishes (a sweep's, a claim study's):
#: a stop says those tasks are kept and that the same command resumes from them.
RESUMABLE: list[Path] = []
#: Stores a ``--fresh`` command may empty as it goes on, each with the names of the finished
#: tasks' files it held before: a stop says whether they are gone (:func:`discarded`), not that
#: the store is untouched.
FRESHENED: dict[Path, frozenset[str]] = {}
#: Stores a ``--fresh`` command has emptied of earlier results (``experiment --fresh`` clears
#: its study's store before it runs).
DISCARDED: list[Path] = []


def discarded() -> list[Path]:
    """The stores whose earlier results this command has discarded: :data:`DISCARDED`, and the
    :data:`FRESHENED` stores any of whose earlier tasks' files is gone."""
    gone = list(DISCARDED)
    for store, names in FRESHENED.items():
        if any(not (store / "batches" / name).exists() for name in names):
            gone.append(store)
    return gone


def _swap_into_place(
    staging: Path, outdir: Path, outputs: tuple[str, ...] = (), *, in_place: bool = False
) -> None:
    """Rename ``staging`` to ``outdir``; a previous ``outdir`` is moved aside first, then removed.

    A folder that holds the working directory (``--out .``) is filled in place instead
    (:func:`_fill_in_place`): moved aside, it would leave the user's shell in a removed folder;
    so is one whose staging folder is inside it (``in_place``: its parent cannot be written).
    """
    if in_place or _holds_cwd(outdir):
        _fill_in_place(staging, outdir, outputs)
        WRITTEN.append(outdir)
        return
    old = None
    if outdir.exists():
        old = Path(tempfile.mkdtemp(prefix=_staging_prefix(outdir, "old"), dir=outdir.parent))
        try:
            os.replace(outdir, old / outdir.name)
        except OSError:  # nothing moved: the empty folder for it goes
            shutil.rmtree(old, ignore_errors=True)
            raise
    try:
        os.replace(staging, outdir)
        WRITTEN.append(outdir)
    except OSError:
        if old is not None:  # put the previous results back
            os.replace(old / outdir.name, outdir)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def placed(path: Path) -> Path:
    """``path`` made absolute as the system resolves it: its folder's symlinks and ``..`` resolved
    (``os.path.abspath`` would drop ``link/..`` as text, and write elsewhere than the checks
    looked), its last part kept, so a symlink there stays one; ``.`` and ``..`` resolved whole."""
    path = Path(path)
    if path.name in ("", ".", ".."):
        return Path(os.path.realpath(path))
    return Path(os.path.realpath(path.parent)) / path.name


def _holds_cwd(outdir: Path) -> bool:
    """Whether ``outdir`` is the working directory or one of its parents."""
    try:
        here, there = Path(os.path.realpath(os.getcwd())), Path(os.path.realpath(outdir))
    except OSError:  # a working directory removed meanwhile
        return False
    return here == there or there in here.parents


def _fill_in_place(staging: Path, outdir: Path, outputs: tuple[str, ...]) -> None:
    """Move each file of ``staging`` into ``outdir`` (each one atomically, ``os.replace``), then
    remove the previous ``outputs`` (and figures) it did not rewrite, and nothing else. Unlike
    the swap, a failure part-way can leave new files beside old ones; each file is whole."""
    new = {entry.name for entry in staging.iterdir()}
    try:
        for name in sorted(new):
            _move(staging / name, outdir / name)
    except OSError:
        raise
    except BaseException:  # a stop mid-way: the few renames left are finished, then it stops
        for name in sorted(new):
            if (staging / name).exists():
                _move(staging / name, outdir / name)
        WRITTEN.append(outdir)
        raise
    for entry in outdir.iterdir():
        if entry.name not in new and _is_output(entry, outputs):
            entry.unlink()


def _move(source: Path, target: Path) -> None:
    """``os.replace``, or where ``target``'s folder is another file system (a working folder
    that is a mount: the staging folder is in its parent) a copy beside ``target``, renamed."""
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        temporary = target.with_name(f".{target.name}.partial-{os.getpid()}")
        try:
            shutil.copyfile(source, temporary)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        source.unlink()
