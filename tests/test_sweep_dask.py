"""A sweep on Dask over TLS: ``--scheduler tls://HOST:PORT`` with a CA, a certificate and a key.

The test makes a throw-away CA and one certificate it signs (``openssl``), starts a Dask cluster
in this process that speaks only TLS, and runs ``retention sweep`` against it: the store must
equal a serial run's. Before, ``--scheduler`` took tcp:// only (``tls://`` was refused as
unsupported). The TLS files are all-or-none and only with a tls:// address (one line, exit 2).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import cli

from model.studies.sweep import load, load_spec, run_sweep

SPEC = """
name = "tls"
seed = 3
months = 3
clients = 200
replications = 2
batch_size = 2
[parameters]
"levers.service_level" = ["low", "wow"]
"""


@pytest.fixture
def certs(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, certificate, key): a CA of one day and a certificate it signed."""
    if shutil.which("openssl") is None:
        if os.environ.get("CI"):
            pytest.fail("openssl is missing under CI")
        pytest.skip("no openssl to make test certificates")
    ca, ca_key = tmp_path / "ca.pem", tmp_path / "ca.key"
    cert, key, csr = tmp_path / "node.pem", tmp_path / "node.key", tmp_path / "node.csr"
    steps = [
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
         "-days", "1", "-subj", "/CN=retention-test-ca"],
        ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
         "-subj", "/CN=127.0.0.1"],
        ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
         "-out", cert, "-days", "1"],
    ]  # fmt: skip
    for step in steps:
        subprocess.run(["openssl", *map(str, step)], check=True, capture_output=True)
    return ca, cert, key


@pytest.mark.slow
def test_a_sweep_runs_on_a_tls_only_scheduler(tmp_path, certs, capsys):
    pytest.importorskip("distributed")
    from distributed import LocalCluster
    from distributed.security import Security

    ca, cert, key = map(str, certs)
    security = Security(
        tls_ca_file=ca,
        tls_scheduler_cert=cert,
        tls_scheduler_key=key,
        tls_worker_cert=cert,
        tls_worker_key=key,
        tls_client_cert=cert,
        tls_client_key=key,
        require_encryption=True,
    )
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tls",
        host="127.0.0.1",
        security=security,
        dashboard_address="127.0.0.1:0",  # a free port (None still takes 8787)
        scheduler_kwargs={"dashboard": False},
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tls://")
        tls = ["--tls-ca-file", ca, "--tls-cert", cert, "--tls-key", key]
        store = tmp_path / "store"
        assert cli("sweep", spec, "--out", store, "--scheduler", address, *tls, "--quiet") == 0
    run_sweep(load_spec(spec), tmp_path / "serial", progress=False)
    pd.testing.assert_frame_equal(load(store), load(tmp_path / "serial"))


def test_tls_files_go_with_a_tls_address_all_or_none(tmp_path, certs, capsys):
    ca, cert, key = certs
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    cases = [
        ("--scheduler", "tls://127.0.0.1:1"),  # no files
        ("--scheduler", "tls://127.0.0.1:1", "--tls-ca-file", ca),  # not all three
        ("--scheduler", "tcp://127.0.0.1:1", "--tls-ca-file", ca, "--tls-cert", cert,
         "--tls-key", key),  # files with plain tcp
        ("--workers", "1", "--tls-cert", cert),
        ("--scheduler", "tls://127.0.0.1:1", "--tls-ca-file", tmp_path / "missing.pem",
         "--tls-cert", cert, "--tls-key", key),
    ]  # fmt: skip
    for args in cases:
        assert cli("sweep", spec, "--out", tmp_path / "s", *args, "--quiet") == 2, args
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "Traceback" not in err[0], err
        assert "--tls" in err[0] or "tls" in err[0], err
        assert not (tmp_path / "s").exists()


def _thread_name() -> str:
    """A 'code digest' that differs between this process's main thread and a worker's."""
    import threading

    return threading.current_thread().name


def _plus_one(x: int) -> int:
    return x + 1


def test_a_task_on_a_worker_running_other_code_fails_before_it_runs(tmp_path):
    """A worker whose code differs would store its runs as this code's: each task checks its
    worker first (in the task: a worker that joins late is asked as well) and fails, naming it,
    before it runs."""
    distributed = pytest.importorskip("distributed")
    from model.studies.sweep import SweepError
    from model.studies.sweep.executors import executor

    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
        dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False},
    ) as cluster:  # fmt: skip
        address = cluster.scheduler_address
        with executor(scheduler=address) as (pool, slots, _):  # the same code: it runs
            assert slots == 1 and pool.submit(_plus_one, 41).result() == 42
        with executor(scheduler=address, code=_thread_name) as (pool, _, _):
            futures = [pool.submit(_plus_one, i) for i in range(4)]
            for future in futures:
                with pytest.raises(SweepError, match="runs other model code") as err:
                    future.result()
                assert any(w in str(err.value) for w in cluster.scheduler_info["workers"])


def _code_and_thread_class() -> str:
    """The real code digest with a 'numerics class' that differs between this process's main
    thread and a worker's (as on a machine whose numpy computes exp to other last bits)."""
    from model.studies.sweep.store import simulation_digest

    return f"{simulation_digest(newlines=True)}/{_thread_name()}"


def test_a_worker_of_another_numerics_class_is_refused_by_name(tmp_path):
    """The same code on a machine whose numpy gives other last bits would store other numbers
    for the same seeds (docs/ODD.md §8): its tasks fail before they run, saying why."""
    distributed = pytest.importorskip("distributed")
    from model.engine.numerics import numerics_class
    from model.studies.sweep import SweepError
    from model.studies.sweep.executors import _simulation_code, executor

    assert _simulation_code().endswith("/" + numerics_class())  # the default check includes it
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
        dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False},
    )  # fmt: skip
    address = cluster.scheduler_address
    with cluster, executor(scheduler=address, code=_code_and_thread_class) as (pool, _, _):
        with pytest.raises(SweepError, match="other last bits") as err:
            pool.submit(_plus_one, 1).result()
        assert "NPY_DISABLE_CPU_FEATURES" in str(err.value)
