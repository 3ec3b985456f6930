"""Where a command's runs go: local processes, a running Dask scheduler or a Dask LocalCluster.

``retention sweep`` and ``retention experiment`` declare the same options
(:func:`add_where`) and hand the choice to :func:`model.studies.sweep.executor`
(:func:`where_of`); a ``tls://`` scheduler needs its three PEM files, and the files need it.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from model.interfaces.cli.inputs import address, input_file, ranged_int

__all__ = ["WHERE_FLAGS", "add_where", "where_given", "where_of"]


#: The options :func:`add_where` declares, by flag (their ``args`` names: dashes as underscores).
WHERE_FLAGS = (
    "--workers",
    "--scheduler",
    "--dask-local",
    "--tls-ca-file",
    "--tls-cert",
    "--tls-key",
)


def where_given(args: argparse.Namespace) -> list[str]:
    """The :data:`WHERE_FLAGS` given on the command line, in that order."""
    return [f for f in WHERE_FLAGS if getattr(args, f[2:].replace("-", "_")) is not None]


def add_where(p: argparse.ArgumentParser, workers: str, shared: str) -> None:
    """Declare ``--workers N | --scheduler ADDRESS | --dask-local N`` and the ``--tls-*`` files.

    Parameters
    ----------
    p : argparse.ArgumentParser
        The command's parser.
    workers : str
        The help text of ``--workers`` (its default differs between commands).
    shared : str
        What a remote scheduler's workers must see on a shared file system (``"STORE"``).
    """
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=ranged_int("--workers", 1, 1024), metavar="N", help=workers
    )
    where.add_argument(
        "--scheduler",
        type=address(),
        metavar="ADDRESS",
        help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786, or tls://HOST:PORT with the "
        f"--tls-* files (workers must see {shared} and have this version of the package "
        "installed)",
    )
    where.add_argument(
        "--dask-local",
        type=ranged_int("--dask-local", 1, 1024),
        metavar="N",
        help="start a Dask LocalCluster of N single-threaded workers on 127.0.0.1",
    )
    for flag, what in (
        ("--tls-ca-file", "the CA certificate that signed the scheduler's (PEM)"),
        ("--tls-cert", "this client's certificate (PEM)"),
        ("--tls-key", "this client's private key (PEM)"),
    ):
        p.add_argument(flag, type=input_file(flag), metavar="FILE", help=f"tls:// only: {what}")


def where_of(args: argparse.Namespace) -> dict[str, Any]:
    """:func:`model.studies.sweep.executor`'s arguments from the parsed options (at most one of
    workers, scheduler and dask_local set; ``tls`` the three files for a ``tls://`` scheduler)."""
    from model.studies.sweep import SweepError

    files = (args.tls_ca_file, args.tls_cert, args.tls_key)
    secure = str(args.scheduler or "").startswith("tls://")
    if secure and None in files:
        raise SweepError(
            f"--scheduler {args.scheduler}: a tls:// scheduler needs --tls-ca-file, --tls-cert "
            "and --tls-key (PEM files)"
        )
    if not secure and any(f is not None for f in files):
        raise SweepError(
            "--tls-ca-file, --tls-cert and --tls-key go with --scheduler tls://HOST:PORT"
        )
    tls: tuple[Path, Path, Path] | None = files if secure else None  # type: ignore[assignment]
    return {
        "workers": args.workers,
        "scheduler": args.scheduler,
        "dask_local": args.dask_local,
        "tls": tls,
    }
