"""The ASGI application: routes, the engine service and the request guard."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path

from starlette.applications import Starlette

from .security import LOOPBACK_NAMES, MAX_BODY, Guard
from .service import Service

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def create_app(*, rules_dir: Path | None = None, cases_dir: Path | None = None, log_path: Path | None = None,
               token: str | None = None, hosts: Iterable[str] | None = LOOPBACK_NAMES, max_body: int = MAX_BODY):
    """The app, wrapped in the guard. `hosts`: the Host names accepted (None: any, for a server bound
    to a network address; default: the loopback names)."""
    from . import api, pages

    svc = Service(rules_dir=rules_dir, cases_dir=cases_dir if cases_dir is not None else PROJECT_ROOT / "cases",
                  log_path=log_path)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        svc.start()
        try:
            yield
        finally:
            svc.stop()

    app = Starlette(routes=api.ROUTES + pages.ROUTES, lifespan=lifespan,
                    exception_handlers={404: pages.not_found, 405: pages.not_found})
    app.state.service = svc
    return Guard(app, hosts=hosts, token=token, max_body=max_body)
