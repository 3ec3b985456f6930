"""The installed package's version (``retention --version``; recorded in every summary and report).

The version comes from git tags when the package is built (setuptools-scm, see ``pyproject.toml``):
``0.2.0`` at a release tag, ``0.3.0.devN+g<commit>`` between releases.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = [
    "CODE_PATHS",
    "__version__",
    "checkout_root",
    "git_commit",
    "shown_version",
    "version_and_commit",
    "version_record",
]

try:
    __version__ = version("retention-lab")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+local"


def checkout_root() -> Path | None:
    """The repository checkout the running package comes from, or ``None`` for an installed wheel.

    A checkout is the folder above ``model/`` when it holds ``pyproject.toml`` and git metadata
    (an editable install or a source tree); its git commit is recorded beside results, and
    repository-only outputs (the committed experiment reports) are written there.
    """
    root = Path(__file__).resolve().parents[1]
    return root if (root / "pyproject.toml").is_file() and (root / ".git").exists() else None


#: What counts as the code that ran, for ``+dirty`` (git pathspecs from the checkout's root,
#: where ``*`` also matches ``/``): everything in the package, and every Python file under
#: ``experiments/`` and ``benchmarks/`` — not what runs write there (the committed reports and
#: the benchmark results).
CODE_PATHS = ("model", "experiments/*.py", "benchmarks/*.py")


def git_commit(short: bool = False) -> str | None:
    """The commit of the checkout the code runs from, with ``+dirty`` when a file of
    :data:`CODE_PATHS` has uncommitted changes or is new and not ignored; ``None`` for an
    installed wheel (whose version names its commit) or where git cannot tell.

    Recorded beside every result: a checkout's ``__version__`` is the one computed when it was
    installed (an editable install keeps it while commits come and go), its commit is current.

    Parameters
    ----------
    short : bool
        The abbreviated hash (as git abbreviates it) instead of the full one.
    """
    import subprocess  # (here: `import model` stays light)

    root = checkout_root()
    if root is None:  # (site-packages may sit inside some other git repository)
        return None
    head = ["git", "rev-parse", *(["--short"] if short else []), "HEAD"]
    # New files listed whatever the user's status.showUntrackedFiles says.
    status = ["git", "status", "--porcelain", "--untracked-files=normal", "--", *CODE_PATHS]
    text = {"capture_output": True, "encoding": "utf-8", "errors": "replace", "timeout": 5}
    try:
        commit = subprocess.run(head, cwd=root, **text)
        dirty = subprocess.run(status, cwd=root, **text)
    except (OSError, subprocess.SubprocessError):
        return None
    if commit.returncode != 0 or dirty.returncode != 0:  # (a failed status is not a clean one)
        return None
    return commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def version_and_commit() -> str:
    """``__version__``, and in a checkout its short commit: ``"0.2.0.dev564+g33285911b (git
    3328591)"`` — what ``retention --version`` prints and experiment reports cite.

    A checkout's ``__version__`` was computed when it was installed; once HEAD has moved on, its
    development number and ``+g<commit>`` name an older commit than the one running, so they
    are left out (``"0.2.0.dev (git 09896b0)"``): the git commit alone says which code ran.
    """
    commit = git_commit(short=True)
    return _shown(commit) if commit is None else f"{_shown(commit)} (git {commit})"


def shown_version() -> str:
    """The version as :func:`version_and_commit` shows it, without the commit: for headers
    that give the full commit on a line of their own."""
    return _shown(git_commit(short=True))


def version_record() -> dict[str, str | None]:
    """``{"version": ..., "git_commit": ...}``: which code ran, for a record (summary.json, a
    sweep's store, the benchmarks) — the version as ``--version`` shows it and the full commit
    (None outside a checkout), from one reading of git."""
    commit = git_commit()
    return {"version": _shown(commit), "git_commit": commit}


def _shown(commit: str | None) -> str:
    """``__version__`` as shown beside ``commit`` (None: no checkout, the version alone)."""
    return __version__ if commit is None else _current_part(__version__, commit)


def _current_part(installed: str, commit: str) -> str:
    """``installed`` where its ``+g<hash>`` is ``commit``'s (or it names none); else its release
    and ``.dev`` alone, without the development number and hash of an older install."""
    release, plus, local = installed.partition("+g")
    installed_at = local.split(".")[0]  # (a dirty install adds ".dYYYYMMDD")
    head = commit.removesuffix("+dirty")
    if not plus or installed_at.startswith(head) or head.startswith(installed_at):
        return installed
    base, dev, _number = release.partition(".dev")
    return f"{base}.dev" if dev else base
