"""The whole platform as separate processes: four services on one sandbox (their own
databases, one vhost), with a loopback SMTP server for the notifications service.

``replicas=N`` starts N processes of each service; ``site=True`` puts Caddy with the
platform's own ``deploy/caddy/Caddyfile`` in front (one site, every public URL its own,
requests balanced over the replicas). ``api(service)`` and ``pages(service)`` are where a
client reaches a service's API (``…/v1/…``) and its public pages, either way.
``with_console=True`` starts the staff console too, in front of the services' first
replicas; its pages are under ``/console`` (``console_url``), behind the site too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests.support.isolation import STAFF_TOKEN_PRIVATE_KEY, Sandbox
from tests.support.notifications_smtp import SmtpRecorder
from tests.support.processes import ServiceProcess, SiteProxy

SERVICES = ("registry", "events", "notifications", "publishing")


@dataclass
class Platform:
    sandbox: Sandbox
    logs: Path
    smtp: SmtpRecorder
    overrides: dict[str, dict[str, object]] = field(default_factory=dict)
    replicas: int = 1
    site: bool = False
    with_console: bool = False
    processes: dict[str, ServiceProcess] = field(default_factory=dict)
    replica_processes: dict[str, list[ServiceProcess]] = field(default_factory=dict)
    proxy: SiteProxy | None = None

    def url(self, service: str) -> str:
        """The first replica's own address."""
        return self.processes[service].url

    def api(self, service: str) -> str:
        """Base of the service's API: ``api("events") + "/v1/meetups"``."""
        if self.proxy is not None:
            return f"{self.proxy.url}/api/{service}"
        return f"{self.url(service)}/api"

    def pages(self, service: str) -> str:
        return self.proxy.url if self.proxy is not None else self.url(service)

    @property
    def console_url(self) -> str:
        """Where the console's pages are: ``console_url + "/login"``."""
        return self.pages("console") + "/console"

    def start(self) -> Platform:
        for service in SERVICES:
            group = []
            for r in range(1, self.replicas + 1):
                name = service if r == 1 else f"{service}-{r}"
                env = self.sandbox.env(service)
                env["NKOHUB_REPLICA"] = name
                group.append(
                    ServiceProcess(f"nkohub_{service}", env, log_path=self.logs / f"{name}.log")
                )
            self.replica_processes[service] = group
            self.processes[service] = group[0]
        upstreams = dict(self.replica_processes)
        if self.with_console:  # known before the site starts: the site proxies to it
            upstreams["console"] = [self._console_process()]
        if self.site:
            self.proxy = SiteProxy(
                {
                    s: [p.url.removeprefix("http://") for p in group]
                    for s, group in upstreams.items()
                },
                log_path=self.logs / "caddy.log",
                state=self.logs / "caddy",
            )
        events_url = self.url("events")
        for service, group in self.replica_processes.items():
            for process in group:
                if self.proxy is not None:
                    process.env["NKOHUB_SITE_URL"] = self.proxy.url
                    process.env["NKOHUB_TRUSTED_PROXIES"] = '["127.0.0.1"]'
                else:
                    process.env["NKOHUB_PUBLIC_BASE_URL"] = process.url
                    process.env["NKOHUB_EVENTS_PUBLIC_URL"] = events_url
                for key, value in self.overrides.get(service, {}).items():
                    process.env[f"NKOHUB_{key.upper()}"] = str(value)
        smtp = self.smtp.settings()
        for notifications in self.replica_processes["notifications"]:
            notifications.env["NKOHUB_SMTP_HOST"] = str(smtp["smtp_host"])
            notifications.env["NKOHUB_SMTP_PORT"] = str(smtp["smtp_port"])
        for process in self.all_processes:
            process.start(wait=False)
        for process in self.all_processes:
            process.wait_ready(90)
        if self.proxy is not None:
            self.proxy.start()
        if self.with_console:
            self._start_console()
        return self

    def _console_process(self) -> ServiceProcess:
        """The console (started last), reaching the services' first replicas."""
        env = self.sandbox.env("console")
        env["NKOHUB_STAFF_TOKEN_PRIVATE_KEY"] = STAFF_TOKEN_PRIVATE_KEY
        for service in SERVICES:
            env[f"NKOHUB_CONSOLE_{service.upper()}_URL"] = self.url(service)
        console = ServiceProcess("nkohub_console", env, log_path=self.logs / "console.log")
        self.processes["console"] = console
        return console

    def _start_console(self) -> None:
        """Behind the site its links are the site's (``NKOHUB_SITE_URL``), else its own."""
        console = self.processes["console"]
        if self.proxy is not None:
            console.env["NKOHUB_SITE_URL"] = self.proxy.url
            console.env["NKOHUB_TRUSTED_PROXIES"] = '["127.0.0.1"]'
        else:
            console.env["NKOHUB_PUBLIC_BASE_URL"] = console.url
        for key, value in self.overrides.get("console", {}).items():
            console.env[f"NKOHUB_{key.upper()}"] = str(value)
        console.start(wait=True, timeout=60)

    @property
    def all_processes(self) -> list[ServiceProcess]:
        return [p for group in self.replica_processes.values() for p in group]

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        if "console" in self.processes:
            self.processes["console"].stop()
        for process in self.all_processes:
            process.stop()
