"""``retention app``: serve the browser app (:mod:`model.interfaces.app`) with Solara, offline, on 127.0.0.1.

Kept apart from :mod:`model.interfaces.app` on purpose: this module imports nothing heavy, so the command line
stays quick to start; the app itself (Solara, Mesa's visualisation, matplotlib) loads in the server
process.
"""

from __future__ import annotations

import argparse
import errno
import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = [
    "OFFLINE_ENV",
    "SCENARIOS_ENV",
    "add_app",
    "check_address",
    "cmd_app",
    "offline_assets",
    "serve",
    "serve_command",
    "serve_env",
]

#: Solara settings that keep the app offline and its memory bounded. The front end is served by
#: the server itself from the ``solara-assets`` package; the few files Solara fetches through its
#: CDN proxy (KaTeX, which solara.Markdown loads; the app's page uses none) are answered from a
#: local folder (:func:`offline_assets`), and a miss goes to an address on this machine that
#: refuses, never to the public CDN. A closed tab's kernel is released at once (its page says so
#: as it closes), a dropped connection's 30 s later; at most ``MAX_KERNELS`` live at once, 16 per
#: browser (more tabs wait for a free one). ``PYTHONMALLOC=malloc`` lets a closed session's memory
#: go back to the system (:mod:`model.interfaces.app.memory`). No usage telemetry is sent.
#: (Solara warns that a plain-http cookie cannot be ``samesite=none``; on 127.0.0.1 that is
#: expected, so the warning is silenced.)
MAX_KERNELS = 32
OFFLINE_ENV: dict[str, str] = {
    "SOLARA_ASSETS_PROXY": "true",
    "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/offline/",
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "SOLARA_KERNEL_CULL_TIMEOUT": "30s",
    "SOLARA_KERNEL_MAX_COUNT": str(MAX_KERNELS),
    "SOLARA_KERNEL_MAX_PER_SESSION": "16",
    "PYTHONMALLOC": "malloc",
    "PYTHONWARNINGS": "ignore:Cookies with samesite=none require https",
}
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
LOOPBACK = ("127.0.0.1", "localhost", "::1")

#: What solara.Markdown asks the CDN proxy for, answered locally by a stand-in, not KaTeX: the
#: app shows no math (its page uses no solara.Markdown, and the browser test checks that no page
#: asks for KaTeX at all), so bundling KaTeX's 1 MB of scripts and fonts would serve nothing. A
#: component that did load it would get valid modules that show TeX as its source text.
KATEX = "katex@0.16.9/dist"
_STAND_IN = "/* Retention Lab: offline stand-in for KaTeX (the app shows no math) */\n"
_KATEX_JS = (
    _STAND_IN
    + "(function(root,factory){if(typeof define==='function'&&define.amd){define([],factory);}"
    "else{root.katex=factory();}})(this,function(){return {"
    "render:function(tex,el){el.textContent=tex;},"
    "renderToString:function(tex){var d=document.createElement('span');d.textContent=tex;"
    "return d.innerHTML;}};});\n"
)
_AUTO_RENDER_JS = (
    _STAND_IN
    + "(function(root,factory){if(typeof define==='function'&&define.amd){define([],factory);}"
    "else{root.renderMathInElement=factory();}})(this,function(){"
    "return function renderMathInElement(){};});\n"
)
OFFLINE_ASSETS: dict[str, str] = {
    f"{KATEX}/katex.min.js": _KATEX_JS,
    f"{KATEX}/katex.min.css": _STAND_IN,
    f"{KATEX}/contrib/auto-render.min.js": _AUTO_RENDER_JS,
}


def offline_assets(folder: str | os.PathLike[str] | None = None) -> str:
    """The proxy's cache folder: the assets ``solara-assets`` installed, plus :data:`OFFLINE_ASSETS`.

    Written into ``folder`` (default: a new temporary one); returns it.
    """
    root = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="retention-app-"))
    bundled = Path(sys.prefix) / "share" / "solara" / "cdn"  # what solara-assets installed
    if bundled.is_dir():
        for entry in bundled.iterdir():  # linked, not copied (Solara does not follow them out)
            if not (root / entry.name).exists():
                (root / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    for rel, text in OFFLINE_ASSETS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return str(root)


#: The environment variable ``retention app SCENARIO ...`` gives the server its scenario files in
#: (absolute paths, joined by ``os.pathsep``; read by :func:`model.interfaces.app.controls.presets`).
SCENARIOS_ENV = "RETENTION_APP_SCENARIOS"


def serve_command(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> list[str]:
    """The command that serves the app (``solara run model.interfaces.app``), for a subprocess."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        # As a module, not a file: solara runs a file as __main__ and would import it twice.
        "model.interfaces.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",  # the version check asks PyPI: no network calls from the app
        "--log-level",
        "warning",
    ]


def serve_env(
    base: Mapping[str, str] | None = None,
    assets: str | None = None,
    scenarios: Sequence[Path] = (),
) -> dict[str, str]:
    """The environment for :func:`serve_command`: ``base`` (default: this process's) + offline.

    ``assets``: the folder of :func:`offline_assets` (default: written now to a new one).
    """
    env = dict(os.environ if base is None else base)
    warnings = [w for w in (env.get("PYTHONWARNINGS"), OFFLINE_ENV["PYTHONWARNINGS"]) if w]
    cache = assets if assets is not None else offline_assets()
    return {
        **env,
        **OFFLINE_ENV,
        "SOLARA_ASSETS_PROXY_CACHE_DIR": cache,
        # /resourcez shows only aggregates unless asked with this token, which nobody is given.
        "SOLARA_RESOURCEZ_TOKEN": secrets.token_urlsafe(32),
        "PYTHONWARNINGS": ",".join(warnings),
        # The scenario files to offer first (model.interfaces.app.controls.presets).
        SCENARIOS_ENV: os.pathsep.join(str(Path(p).resolve()) for p in scenarios),
    }


def check_address(host: str, port: int) -> int:
    """Check that ``host:port`` can be listened on (a free port when 0); returns the port.

    Raises :class:`~model.interfaces.cli.errors.CliError` for a port in use or an address this
    machine does not have, before the server starts.
    """
    from model.interfaces.cli.errors import CliError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise CliError(f"--host {host!r}: not an address of this machine ({exc})") from None
    try:
        return _bound_port(infos[0])
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise CliError(
                f"--port {port}: already in use on {host}; allowed: a free port, or --port 0 "
                "to let the system pick one"
            ) from None
        raise CliError(
            f"--host {host!r} --port {port}: cannot listen there ({exc.strerror})"
        ) from None


def _bound_port(info: tuple) -> int:
    """The port a socket bound (and released) at ``info`` (a :func:`socket.getaddrinfo` entry)
    gets; the OSError of a refused bind."""
    family, kind, proto, _, address = info
    with socket.socket(family, kind, proto) as sock:
        sock.bind(address)
        return sock.getsockname()[1]


def _compiled_first() -> None:
    """Compile the engine's kernels before the server starts, where numba's cache lacks them
    (after installing or upgrading): a class's first Step otherwise waited 25 s with no sign of
    work. The server's process then loads them from the cache (``retention run`` says the same
    note before its first run)."""
    from model.engine.kernels import FIRST_COMPILE_NOTE, compiled_on_disk

    if compiled_on_disk() is not False:
        return
    print(f"{FIRST_COMPILE_NOTE}, before the app starts", flush=True)
    from model.engine.retention_model import RetentionModel
    from model.scenario import Scenario

    RetentionModel(Scenario().with_overrides({"market.clients": 200, "run.months": 2})).run()


def serve(
    host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, scenarios: Sequence[Path] = ()
) -> int:
    """Serve the app until interrupted; returns 0 after Ctrl+C or SIGTERM, else the server's status.

    The address is checked first (a port in use is one line, exit 2; ``--port 0`` picks a free one
    and prints it). The server runs as a child process; if this process is told to stop (SIGTERM),
    it stops the server too, so no orphan keeps the port.
    """
    from model.interfaces.cli.errors import CliError

    if importlib.util.find_spec("solara") is None:  # the [app] extra is not installed
        raise CliError(
            "retention app: the browser app needs its extra packages; install them with "
            "pip install 'retention-lab[app]'"
        )
    port = check_address(host, port)
    _compiled_first()
    if host not in LOOPBACK:
        print(
            f"warning: --host {host} makes the app reachable from other machines: anyone on the "
            "network can open it and drive simulations on this computer (there is no login)",
            file=sys.stderr,
            flush=True,
        )
    # Listening on every address: 0.0.0.0 is no address to open, this machine's name is.
    everywhere = host in ("0.0.0.0", "::")
    name = socket.gethostname() if everywhere else host
    shown = f"[{name}]" if ":" in name else name
    where = " on every address of this machine" if everywhere else ""
    print(f"Retention Lab app: http://{shown}:{port}/{where}  (Ctrl+C stops it)", flush=True)
    assets = offline_assets()
    stopping = []

    def stop(*_: object) -> None:
        stopping.append(True)
        proc.terminate()

    try:
        env = serve_env(assets=assets, scenarios=scenarios)
        proc = subprocess.Popen(serve_command(host, port), env=env)
        previous = signal.signal(signal.SIGTERM, stop)
        try:
            code = proc.wait()
            if code and not stopping:
                _taken_since(host, port)  # (the server's own line said why; this says what to do)
            return 0 if stopping else code
        except KeyboardInterrupt:  # the terminal sent SIGINT to the server as well
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            return 0
        finally:
            signal.signal(signal.SIGTERM, previous)
    finally:
        shutil.rmtree(assets, ignore_errors=True)


def _taken_since(host: str, port: int) -> None:
    """Raise a one-line error if ``port`` was taken between its check and the server's start
    (two apps started within a second): the check released it for the server to bind."""
    from model.interfaces.cli.errors import CliError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        _bound_port(infos[0])
    except (OSError, UnicodeError) as exc:
        if getattr(exc, "errno", None) != errno.EADDRINUSE:
            return  # (not taken: the server's own error stands)
        raise CliError(
            f"--port {port}: taken by another program after it was checked (two apps started at "
            "once?); allowed: a free port, or --port 0 to let the system pick one"
        ) from None


def port_number(text: str) -> int:
    """argparse type for a TCP port (0 lets the system pick a free one)."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"value {text!r} is not allowed; allowed: 0-65535")
    return port


def add_app(subparsers: argparse._SubParsersAction) -> None:
    """Declare ``retention app``."""
    p = subparsers.add_parser(
        "app",
        help="serve the live browser app (levers as sliders, charts, a client network)",
        description="Serve the browser app on http://HOST:PORT/ (127.0.0.1:8765 unless told "
        "otherwise). Each browser tab gets its own model; no internet connection is needed.",
    )
    p.add_argument(
        "scenarios",
        nargs="*",
        metavar="SCENARIO",
        help="scenario files (or preset names) to list first in the app's preset picker; it "
        "starts on the first",
    )
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only; "
        "0.0.0.0 opens it to the network)",
    )
    p.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    p.set_defaults(handler=cmd_app)


def cmd_app(args: argparse.Namespace) -> int:
    """Run ``retention app``: each scenario read (and refused in one line) before serving."""
    from model.scenario import Scenario, resolve

    files = [resolve(name, kind="scenario") for name in args.scenarios]
    for path in files:
        Scenario.from_toml(path)
    return serve(args.host, args.port, files)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m model.interfaces.cli.app [--host H] [--port P]`` (the same as ``retention app``)."""
    parser = argparse.ArgumentParser(prog="retention")
    add_app(parser.add_subparsers(dest="command", required=True))
    return cmd_app(parser.parse_args(["app", *(sys.argv[1:] if argv is None else argv)]))


if __name__ == "__main__":
    sys.exit(main())
