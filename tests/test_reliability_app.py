"""Reliability of the servers the command starts: the browser app and a Dask LocalCluster.

The app refuses a port in use before starting, prints the real port of ``--port 0``, warns when
it listens beyond this machine, serves every asset itself (KaTeX included) without connecting
out, releases kernels and caps them, gives a closed session's memory back, and exits 0 on
SIGTERM. ``--dask-local`` serves no dashboard or info pages.

The two server-load tests start the app as ``retention app`` does and read its kernel count from
Solara's ``/resourcez`` (aggregates only). 40 websockets without a cookie (a script, not a
browser) may hold at most ``MAX_KERNELS`` kernels, and none is left 30 s (the cull) after they
close; before, each kept a kernel for Solara's default 24 h. After 20 browser sessions open and
close, the server's memory is back within 10 % of what it held idle; before, it kept every
session's firms (RSS 280 MB idle → 490 MB, unchanged after the tabs closed).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import psutil
import pytest
from conftest import cli

from model.interfaces.cli import app


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
    # An address a student can open: this machine's name, not 0.0.0.0.
    assert f"http://{socket.gethostname()}:" in out and "0.0.0.0:" not in out
    assert "on every address of this machine" in out


def test_a_port_taken_between_its_check_and_the_server_is_one_line(monkeypatch):
    """Two apps started within a second: the second passed the check, then its server failed
    to bind with exit 3 and nothing said what to do."""
    from model.interfaces.cli.errors import CliError

    class Failing(FakeServer):
        def wait(self, timeout=None):
            return 3  # the server could not bind

    checks = []

    def bind(info):
        checks.append(info)
        if len(checks) > 1:  # by now another program holds it
            raise OSError(errno.EADDRINUSE, "Address already in use")
        return 8801

    monkeypatch.setattr(app, "_bound_port", bind)
    monkeypatch.setattr(app.subprocess, "Popen", lambda c, env: Failing(c, env))
    with pytest.raises(
        CliError, match="--port 8801: taken by another program after it was checked"
    ):
        app.serve("127.0.0.1", 8801)
    checks.clear()
    monkeypatch.setattr(app, "_bound_port", lambda info: 8801)  # free again: the server's code
    assert app.serve("127.0.0.1", 8801) == 3


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


# ============================================================================ the server under load
CULL_S = 30  # OFFLINE_ENV's SOLARA_KERNEL_CULL_TIMEOUT
SESSIONS = 20
MEMORY_SLACK = 0.10  # back within 10 % of idle


@contextlib.contextmanager
def app_server(tmp_path) -> Iterator[tuple[str, psutil.Process]]:
    """The app server as ``retention app`` starts it (offline settings), on a free port."""
    pytest.importorskip("solara")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(
        app.serve_command("127.0.0.1", port),
        env=app.serve_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            try:
                urllib.request.urlopen(url, timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the app did not start"
                time.sleep(0.25)
        yield url, psutil.Process(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def live_kernels(url: str) -> int:
    with urllib.request.urlopen(url + "resourcez", timeout=10) as answer:
        return json.load(answer)["kernels"]["total"]


def wait_until(condition, seconds: float, step: float = 0.5) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


@pytest.mark.slow
def test_cookieless_websockets_are_capped_and_released(tmp_path):
    websockets = pytest.importorskip("websockets.sync.client")
    with app_server(tmp_path) as (url, _), contextlib.ExitStack() as sockets:
        ws_url = url.replace("http://", "ws://") + "jupyter/api/kernels/{}/channels?session_id={}"
        for _ in range(40):  # no cookie: each is a session of its own
            sockets.enter_context(
                websockets.connect(ws_url.format(uuid.uuid4(), uuid.uuid4()), open_timeout=20)
            )
        assert wait_until(lambda: live_kernels(url) >= app.MAX_KERNELS, 30)
        time.sleep(2)  # the other 8 wait for a free slot instead of starting kernels
        assert live_kernels(url) == app.MAX_KERNELS
        sockets.close()
        closed = time.monotonic()
        assert wait_until(lambda: live_kernels(url) == 0, CULL_S + 20), live_kernels(url)
        print(f"\n40 cookie-less websockets: {app.MAX_KERNELS} kernels at most, none left "
              f"{time.monotonic() - closed:.0f} s after they closed")  # fmt: skip


@pytest.mark.browser
def test_memory_is_back_after_20_sessions_and_no_page_asks_for_katex(tmp_path):
    from playwright.sync_api import sync_playwright
    from test_app_browser import CHROMIUM_ARGS, _chromium

    chromium = _chromium()
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("no Chromium under CI, which installs it")
        pytest.skip("no Chromium: set RETENTION_CHROMIUM or install chromium-headless-shell")
    with app_server(tmp_path) as (url, server), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        requests: list[str] = []

        def open_session():
            context = browser.new_context()
            page = context.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url)
            page.get_by_text(re.compile(r"^Month: 0 of ")).wait_for(timeout=60_000)
            page.wait_for_function(
                "() => [...document.querySelectorAll('main img')]"
                ".filter(i => i.complete && i.naturalWidth > 100).length >= 4",
                timeout=60_000,
            )
            return context, page

        def close(context, page) -> None:  # as a closed tab: the page says so as it unloads
            page.close(run_before_unload=True)
            time.sleep(0.2)
            context.close()

        def rss_mb() -> float:
            return server.memory_info().rss / 2**20

        def settled_rss() -> float:
            readings = [rss_mb()]
            for _ in range(20):
                time.sleep(1)
                readings.append(rss_mb())
                if abs(readings[-1] - readings[-2]) < 1:
                    break
            return readings[-1]

        close(*open_session())  # the first page loads what every later one reuses
        assert wait_until(lambda: live_kernels(url) == 0, CULL_S + 20)
        idle = settled_rss()
        opened = [open_session() for _ in range(SESSIONS)]
        assert live_kernels(url) == SESSIONS
        peak = rss_mb()
        for context, page in opened:
            close(context, page)
        closed = time.monotonic()
        assert wait_until(lambda: live_kernels(url) == 0, CULL_S + 20), live_kernels(url)
        back = wait_until(lambda: rss_mb() <= (1 + MEMORY_SLACK) * idle, 30, step=1)
        after = rss_mb()
        print(f"\napp server RSS: idle {idle:.0f} MB, {SESSIONS} sessions {peak:.0f} MB, "
              f"{after:.0f} MB {time.monotonic() - closed:.0f} s after they closed")  # fmt: skip
        assert back, f"RSS {after:.0f} MB after {SESSIONS} sessions closed; idle {idle:.0f} MB"
        browser.close()
    origin = url.rstrip("/")
    assert [u for u in requests if "katex" in u.lower()] == []  # the app shows no math
    assert [u for u in requests if u.startswith("http") and not u.startswith(origin)] == []


def test_the_app_takes_scenario_files_and_refuses_a_missing_one(tmp_path, capsys, monkeypatch):
    """A teacher could not show an edited scenario file: ``retention app FILE`` was refused."""
    firm = tmp_path / "myfirm.toml"
    firm.write_text('name = "myfirm"\n[market]\nclients = 500\n')
    given = []
    monkeypatch.setattr(app, "serve", lambda host, port, files: given.append(files) or 0)
    assert cli("app", str(firm), "teaching/delighter") == 0
    assert [p.name for p in given[0]] == ["myfirm.toml", "delighter.toml"]
    env = app.serve_env({}, assets=str(tmp_path), scenarios=given[0])
    assert env[app.SCENARIOS_ENV].split(os.pathsep)[0] == str(firm.resolve())
    assert cli("app", str(tmp_path / "none.toml")) == 2  # read before serving: one line
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "none.toml' does not exist" in err[0] and len(given) == 1


def test_the_kernels_are_compiled_before_the_server_starts_where_the_cache_lacks_them(
    monkeypatch, capsys
):
    """After installing, a class's first Step waited 25 s on numba with no sign of work: the
    command compiles first, saying so, and only where the cache lacks the kernels."""
    import model.engine.kernels as kernels
    from model.engine.retention_model import RetentionModel

    ran = []
    monkeypatch.setattr(RetentionModel, "run", lambda self, *a, **k: ran.append(self.clients.n))
    monkeypatch.setattr(kernels, "compiled_on_disk", lambda: True)
    app._compiled_first()
    assert ran == [] and capsys.readouterr().out == ""
    monkeypatch.setattr(kernels, "compiled_on_disk", lambda: False)
    app._compiled_first()
    assert ran == [200]
    assert capsys.readouterr().out.startswith(kernels.FIRST_COMPILE_NOTE + ", before the app")
