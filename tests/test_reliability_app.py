"""Reliability of the servers the command starts: the browser app and a Dask LocalCluster.

The app refuses a port in use before starting, prints the real port of ``--port 0``, warns when
it listens beyond this machine, serves every asset itself (KaTeX included) without connecting
out, releases kernels and caps them, and exits 0 on SIGTERM. ``--dask-local`` serves no
dashboard or info pages.
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psutil
import pytest

from model.interfaces.cli import app
from model.interfaces.cli.main import main


def cli(*args: object) -> int:
    try:
        return main([str(a) for a in args])
    except SystemExit as exc:
        return int(exc.code or 0)


def test_a_port_in_use_is_one_line_before_anything_starts(capsys, monkeypatch):
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pytest.fail("server started"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli("app", "--port", port) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"--port {port}" in err[0] and "--port 0" in err[0]


class FakeServer:
    def __init__(self, command, env):
        self.command, self.env = command, env

    def wait(self, timeout=None):
        return 0


def test_port_zero_prints_the_real_port_and_other_hosts_warn(capsys, monkeypatch):
    started = []
    monkeypatch.setattr(subprocess, "Popen", lambda c, env: started.append(FakeServer(c, env)))
    monkeypatch.setattr(app.subprocess, "Popen", lambda c, env: FakeServer(c, env))
    assert app.serve("127.0.0.1", 0) == 0
    out, err = capsys.readouterr()
    port = int(re.search(r"127\.0\.0\.1:(\d+)/", out).group(1))
    assert port > 0 and "warning" not in err
    assert app.serve("0.0.0.0", 0) == 0
    out, err = capsys.readouterr()
    assert "warning" in err and "anyone on the network" in err


def test_the_server_environment_is_offline_and_bounded(tmp_path):
    env = app.serve_env({}, assets=app.offline_assets(tmp_path))
    assert env["SOLARA_ASSETS_CDN"].startswith("http://127.0.0.1:")  # a miss never leaves
    assert env["SOLARA_KERNEL_CULL_TIMEOUT"] == "30s"
    assert int(env["SOLARA_KERNEL_MAX_COUNT"]) == app.MAX_KERNELS
    assert len(env["SOLARA_RESOURCEZ_TOKEN"]) >= 32  # /resourcez details closed
    for rel in app.OFFLINE_ASSETS:
        assert (tmp_path / rel).is_file()


@pytest.mark.slow
def test_app_serves_katex_itself_connects_nowhere_and_exits_0_on_sigterm():
    pytest.importorskip("solara")
    proc = subprocess.Popen(
        [sys.executable, "-m", "model", "app", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(re.search(r":(\d+)/", proc.stdout.readline()).group(1))
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                assert urllib.request.urlopen(base + "/", timeout=5).status == 200
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the app did not start"
                time.sleep(0.5)
        for rel in app.OFFLINE_ASSETS:
            body = urllib.request.urlopen(f"{base}/_solara/cdn/{rel}", timeout=20).read()
            assert body == app.OFFLINE_ASSETS[rel].encode()
        with pytest.raises(urllib.error.HTTPError):  # a miss is answered here, not fetched
            urllib.request.urlopen(f"{base}/_solara/cdn/left-pad@1/index.js", timeout=20)
        servers = psutil.Process(proc.pid).children(recursive=True)
        outbound = [
            c.raddr
            for s in servers
            for c in s.net_connections(kind="inet")
            if c.raddr and not str(c.raddr.ip).startswith(("127.", "::1"))
        ]
        assert outbound == []
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
        _, alive = psutil.wait_procs(servers, timeout=10)
        assert alive == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_dask_local_serves_no_dashboard_or_info_pages():
    pytest.importorskip("distributed")
    from model.studies.sweep import executor

    with executor(dask_local=1) as (pool, slots, where):
        client = pool._client
        port = client.scheduler_info()["services"].get("dashboard")
        host = client.scheduler.address.split("://")[1].rsplit(":", 1)[0]
        assert slots == 1 and "LocalCluster" in where and host == "127.0.0.1"
        if port:  # Dask always listens for HTTP; it must serve nothing there
            for path in ("/", "/status", "/info/main/workers.html", "/health", "/metrics"):
                with pytest.raises(urllib.error.HTTPError) as answer:
                    urllib.request.urlopen(f"http://{host}:{port}{path}", timeout=10)
                assert answer.value.code == 404
