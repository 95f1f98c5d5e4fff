"""The whole platform as separate processes: four services on one sandbox (their own
databases, one vhost), with a loopback SMTP server for the notifications service, and
(``with_console=True``) the staff console in front of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests.support.isolation import STAFF_TOKEN_PRIVATE_KEY, Sandbox
from tests.support.notifications_smtp import SmtpRecorder
from tests.support.processes import ServiceProcess

SERVICES = ("registry", "events", "notifications", "publishing")


@dataclass
class Platform:
    sandbox: Sandbox
    logs: Path
    smtp: SmtpRecorder
    overrides: dict[str, dict[str, object]] = field(default_factory=dict)
    processes: dict[str, ServiceProcess] = field(default_factory=dict)
    with_console: bool = False

    def url(self, service: str) -> str:
        return self.processes[service].url

    def start(self) -> Platform:
        for service in SERVICES:
            env = self.sandbox.env(service)
            self.processes[service] = ServiceProcess(
                f"nkohub_{service}", env, log_path=self.logs / f"{service}.log"
            )
        events_url = self.url("events")
        for service, process in self.processes.items():
            process.env["NKOHUB_PUBLIC_BASE_URL"] = process.url
            process.env["NKOHUB_EVENTS_PUBLIC_URL"] = events_url
            for key, value in self.overrides.get(service, {}).items():
                process.env[f"NKOHUB_{key.upper()}"] = str(value)
        smtp = self.smtp.settings()
        notifications = self.processes["notifications"].env
        notifications["NKOHUB_SMTP_HOST"] = str(smtp["smtp_host"])
        notifications["NKOHUB_SMTP_PORT"] = str(smtp["smtp_port"])
        for process in self.processes.values():
            process.start(wait=False)
        for process in self.processes.values():
            process.wait_ready(60)
        if self.with_console:
            self._start_console()
        return self

    def _start_console(self) -> None:
        env = self.sandbox.env("console")
        env["NKOHUB_STAFF_TOKEN_PRIVATE_KEY"] = STAFF_TOKEN_PRIVATE_KEY
        for service in SERVICES:
            env[f"NKOHUB_CONSOLE_{service.upper()}_URL"] = self.url(service)
        for key, value in self.overrides.get("console", {}).items():
            env[f"NKOHUB_{key.upper()}"] = str(value)
        console = ServiceProcess("nkohub_console", env, log_path=self.logs / "console.log")
        console.env["NKOHUB_PUBLIC_BASE_URL"] = console.url
        self.processes["console"] = console.start(wait=True, timeout=60)

    def stop(self) -> None:
        for process in self.processes.values():
            process.stop()
