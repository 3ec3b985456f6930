"""``retention app``: serve the browser app (:mod:`model.interfaces.app`) with Solara, offline, on 127.0.0.1.

Kept apart from :mod:`model.interfaces.app` on purpose: this module imports nothing heavy, so the command line
stays quick to start; the app itself (Solara, Mesa's visualisation, matplotlib) loads in the server
process.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence

__all__ = ["OFFLINE_ENV", "add_app", "cmd_app", "serve", "serve_command", "serve_env"]

#: Solara settings that keep the app offline: the front end is served by the server itself from
#: the ``solara-assets`` package, and no usage telemetry is sent. (Solara warns that a plain-http
#: cookie cannot be ``samesite=none``; on 127.0.0.1 that is expected, so the warning is silenced.)
OFFLINE_ENV: dict[str, str] = {
    "SOLARA_ASSETS_PROXY": "true",
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "PYTHONWARNINGS": "ignore:Cookies with samesite=none require https",
}
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


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


def serve_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for :func:`serve_command`: ``base`` (default: this process's) + offline."""
    env = dict(os.environ if base is None else base)
    warnings = [w for w in (env.get("PYTHONWARNINGS"), OFFLINE_ENV["PYTHONWARNINGS"]) if w]
    return {**env, **OFFLINE_ENV, "PYTHONWARNINGS": ",".join(warnings)}


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> int:
    """Serve the app until interrupted; returns the server's exit status (0 after Ctrl+C).

    The server runs as a child process; if this process is told to stop (SIGTERM), it stops the
    server too, so no orphan keeps the port.
    """
    shown = f"[{host}]" if ":" in host else host
    print(f"Retention Lab app: http://{shown}:{port}/  (Ctrl+C stops it)", flush=True)
    proc = subprocess.Popen(serve_command(host, port), env=serve_env())
    previous = signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    try:
        return proc.wait()
    except KeyboardInterrupt:  # the terminal sent SIGINT to the server as well
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


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
    """Run ``retention app``."""
    return serve(args.host, args.port)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m model.interfaces.cli.app [--host H] [--port P]`` (the same as ``retention app``)."""
    parser = argparse.ArgumentParser(prog="retention")
    add_app(parser.add_subparsers(dest="command", required=True))
    return cmd_app(parser.parse_args(["app", *(sys.argv[1:] if argv is None else argv)]))


if __name__ == "__main__":
    sys.exit(main())
