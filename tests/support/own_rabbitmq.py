"""A RabbitMQ node of the test's own, to stop and start at will.

The broker on :5672 serves every test running at the time (and, on a developer's machine,
whatever else uses it): a test that stops the broker must never stop that one. This node
is Debian's ``rabbitmq-server`` (as in deploy/local/rabbitmq-cluster.sh) with its own
name, free loopback ports (AMQP, management, Erlang distribution), data, logs and Erlang
cookie under a folder of the test's, so nothing it does reaches another node.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import httpx

from tests.support.processes import free_port
from tests.support.servers import Servers

RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")


def available() -> bool:
    return (RABBITMQ_BIN / "rabbitmq-server").exists() and shutil.which("erl") is not None


class OwnRabbitMQ:
    """One node, ``nkohub-test-<random>@localhost``, its state in ``state``."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.name = f"nkohub-test-{uuid.uuid4().hex[:8]}@localhost"
        self.amqp_port, self.http_port, self.dist_port = free_port(), free_port(), free_port()
        self.process: subprocess.Popen[bytes] | None = None
        (state / "mnesia").mkdir(parents=True, exist_ok=True)
        (state / "log").mkdir(exist_ok=True)
        cookie = state / ".erlang.cookie"
        cookie.write_text(uuid.uuid4().hex)
        cookie.chmod(0o400)
        (state / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = {self.amqp_port}\n"
            f"management.tcp.port = {self.http_port}\n"
            "management.tcp.ip = 127.0.0.1\n"
        )
        (state / "enabled_plugins").write_text("[rabbitmq_management].\n")
        self.env = {
            **os.environ,
            "HOME": str(state),  # the node's own Erlang cookie
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_PORT": str(self.amqp_port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONFIG_FILE": str(state / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(state / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(state / "mnesia"),
            "RABBITMQ_LOG_BASE": str(state / "log"),
            "RABBITMQ_PID_FILE": str(state / "beam.pid"),
        }

    @property
    def rabbitmqctl(self) -> list[str]:
        """``rabbitmqctl`` against this node only (its name, its cookie)."""
        settings = [f"{k}={self.env[k]}" for k in ("HOME", "RABBITMQ_NODENAME")]
        return ["env", *settings, str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.name]

    @property
    def management_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def servers(self, mongodb_url: str) -> Servers:
        """Servers for sandboxes on this node (and the shared MongoDB-wire server)."""
        return Servers(
            mongodb_url,
            f"amqp://guest:guest@127.0.0.1:{self.amqp_port}",
            self.management_url,
            self.rabbitmqctl,
        )

    def start(self, timeout: float = 180.0) -> OwnRabbitMQ:
        with (self.state / "log" / "console.log").open("ab") as log:
            self.process = subprocess.Popen(
                [str(RABBITMQ_BIN / "rabbitmq-server")],
                env=self.env,
                cwd=self.state,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # signals sent to it reach nothing else
            )
        self._ctl("await_startup", timeout=timeout)
        self.wait_for_management(timeout)
        return self

    def wait_for_management(self, timeout: float = 60.0) -> None:
        """Until the management API answers (sandboxes are made and dropped through it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                overview = httpx.get(
                    f"{self.management_url}/api/overview",
                    auth=("guest", "guest"),
                    timeout=5,
                )
                if overview.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise TimeoutError(f"own RabbitMQ's management API not up: {self.state / 'log'}")

    def _ctl(self, *args: str, timeout: float = 120.0) -> None:
        """rabbitmqctl against this node; waits for the node to answer at all first."""
        deadline = time.monotonic() + timeout
        while True:
            done = subprocess.run(
                [*self.rabbitmqctl, *args], capture_output=True, text=True, timeout=timeout
            )
            if done.returncode == 0:
                return
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"own RabbitMQ exited: {self.state / 'log'}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"rabbitmqctl {args}: {done.stdout}{done.stderr}")
            time.sleep(0.5)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        subprocess.run([*self.rabbitmqctl, "stop"], capture_output=True, timeout=120)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own group: only this node
            self.process.wait(10)
