"""`woningwet serve`: start the web app on a loopback address (see docs/web.md)."""

from __future__ import annotations

import os
import secrets
import socket
import sys
from pathlib import Path

import click

from ..errors import InputError, Problem, Say, os_reason

SAMPLE = "kanaleneiland-2016"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="address to listen on (loopback by default; anything else exposes the app to the network)")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="port (0: any free port; the address is printed)")
@click.option("--log", "log_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="decision log: enables recording from the app and the auditor's pages")
@click.option("--token", is_flag=False, flag_value="-", default=None, envvar="WONINGWET_TOKEN",
              help="require this token on every request (--token alone: make one; env WONINGWET_TOKEN)")
@click.option("--cases", "cases_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="directory of sample cases offered on the start page (default: the project's cases/)")
@click.option("--open", "open_browser", is_flag=True, help="open the sample case in a web browser")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="rules directory (default: the project's rules/)")
def serve(host, port, log_path, token, cases_dir, open_browser, rules_dir):
    """Serve the web app and HTTP API (Ctrl-C stops it)."""
    import uvicorn

    from .app import create_app
    from .security import LOOPBACK_NAMES

    if token == "-":
        token = secrets.token_urlsafe(24)
    hosts = LOOPBACK_NAMES  # a loopback server answers only to loopback names (no DNS rebinding)
    if host not in LOOPBACK_NAMES:
        hosts = None
        click.echo(f"warning: listening on {host}: the app is reachable from the network"
                   + ("" if token else " without a token (give --token)"), err=True)
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        raise InputError([Problem("--port", "", f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                                  says=(Say.of("web.cannot_listen", address=f"{host}:{port}", reason=os_reason(exc)),))]) from None
    bound = sock.getsockname()[1]
    app = create_app(rules_dir=rules_dir, cases_dir=cases_dir, log_path=log_path, token=token, hosts=hosts)
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{bound}"
    url = f"{base}/sample/{SAMPLE}" + (f"?token={token}" if token else "")
    click.echo(f"woningwet serve: {base}/ (sample case: {url}); Ctrl-C stops", err=True)
    sys.stderr.flush()
    if open_browser and (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                         or sys.platform in ("darwin", "win32")):
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, (url,)).start()
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", server_header=False,
                            limit_concurrency=512, timeout_keep_alive=5)
    uvicorn.Server(config).run(sockets=[sock])
