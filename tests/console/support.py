"""The console in the test's process, signed-in browsers of it, and form helpers."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx

from nkohub_console.app import create_app
from nkohub_console.domain.accounts import AccountIn, Role
from nkohub_console.settings import ConsoleSettings
from tests.support.isolation import STAFF_TOKEN_PRIVATE_KEY, Sandbox

PASSWORD = "читальный-зал-2019"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def console_settings(sandbox: Sandbox, urls: dict[str, str] | None = None, **extra: Any):
    services = {
        f"console_{name}_url": url for name, url in (urls or {}).items()
    }  # unset: nothing listens there, pages note the service as away
    defaults = {f"console_{n}_url": "http://127.0.0.1:9" for n in ("registry", "events")}
    defaults |= {f"console_{n}_url": "http://127.0.0.1:9" for n in ("notifications", "publishing")}
    return ConsoleSettings(
        **sandbox.settings("console"),
        staff_token_private_key=STAFF_TOKEN_PRIVATE_KEY,
        **(defaults | services),
        **extra,
    )


@contextlib.asynccontextmanager
async def running_console(settings: ConsoleSettings) -> AsyncIterator[Any]:
    app = create_app(settings)
    runtime = app.state.runtime
    await runtime.start()
    try:
        yield app
    finally:
        await runtime.stop()


def browser(
    app: Any, client_address: str = "10.0.0.1", base_url: str = "http://testserver"
) -> httpx.AsyncClient:
    """A client with its own cookie jar, as one browser."""
    transport = httpx.ASGITransport(app=app, client=(client_address, 50000))
    return httpx.AsyncClient(transport=transport, base_url=base_url)


async def make_account(
    app: Any, name: str, email: str, role: Role = Role.STAFF, password: str = PASSWORD
) -> dict[str, Any]:
    ctx = app.state.runtime.context
    return await ctx.accounts.create(AccountIn(name=name, email=email, role=role), password)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD
) -> httpx.Response:
    page = await client.get("/console/login")
    return await client.post(
        "/console/login", data={"csrf": csrf_of(page.text), "email": email, "password": password}
    )


async def post_form(
    client: httpx.AsyncClient, page_path: str, action: str, data: dict[str, Any]
) -> httpx.Response:
    """Open ``page_path`` (for its CSRF token), then post ``data`` to ``action``."""
    page = await client.get(page_path)
    assert page.status_code == 200, page.text[:500]
    return await client.post(action, data={"csrf": csrf_of(page.text), **data})


SERVICES = ("registry", "events", "notifications", "publishing")


def _service_app(name: str, sandbox: Sandbox) -> Any:
    import importlib

    settings_module = importlib.import_module(f"nkohub_{name}.settings")
    app_module = importlib.import_module(f"nkohub_{name}.app")
    settings_cls = getattr(settings_module, f"{name.capitalize()}Settings")
    extra: dict[str, Any] = {"public_base_url": f"http://{name}.test"}
    if name == "notifications":  # nothing listens there: every mail fails, as on a bad day
        extra |= {"smtp_host": "127.0.0.1", "smtp_port": 9}
    if name == "publishing":
        extra["events_public_url"] = "http://events.test"
    return app_module.create_app(settings_cls(**sandbox.settings(name, **extra)))


@contextlib.asynccontextmanager
async def console_with_services(sandbox: Sandbox, **console: Any) -> AsyncIterator[Any]:
    """The console and the four services, all in this process on the real servers; the
    console's calls reach the services' apps through ASGI (``http://<service>.test``)."""
    apps = {name: _service_app(name, sandbox) for name in SERVICES}
    urls = {name: f"http://{name}.test" for name in SERVICES}
    settings = console_settings(sandbox, urls, **console)
    started: list[Any] = []
    try:
        for app in apps.values():
            await app.state.runtime.start()
            started.append(app)
        async with running_console(settings) as console_app:
            ctx = console_app.state.runtime.context
            await ctx.http.aclose()
            mounts = {
                f"http://{name}.test": httpx.ASGITransport(app=app) for name, app in apps.items()
            }
            object.__setattr__(ctx, "http", httpx.AsyncClient(mounts=mounts, timeout=30))
            console_app.state.services = apps
            yield console_app
    finally:
        for app in reversed(started):
            await app.state.runtime.stop()


def service_client(console_app: Any, name: str) -> httpx.AsyncClient:
    """A client of one service's own API (as a participant or a script would call it)."""
    app = console_app.state.services[name]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}.test")
