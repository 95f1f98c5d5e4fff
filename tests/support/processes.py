"""Services (or the probe) as separate OS processes, as they run in production."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


# Below Linux's ephemeral range (32768–60999): a port handed out here is never taken in
# the meantime by another process's outgoing connection or by another ``bind(0)``.
_PORTS = range(20000, 32000)
_handed_out: set[int] = set()


def free_port() -> int:
    """A loopback port free now and never handed out before in this test run. (Taking
    ``bind(0)``'s port and closing the socket let two servers of one platform get the same
    port: one then failed to bind, and requests for it reached the other.)"""
    for _ in range(1000):
        port = random.choice(_PORTS)
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no free loopback port")


class ServiceProcess:
    """``python -m <module>`` with the given environment, waited on until it is ready."""

    def __init__(self, module: str, env: dict[str, str], *, log_path: Path) -> None:
        self.module = module
        self.port = free_port()
        self.env = {
            **os.environ,
            **env,
            "NKOHUB_HTTP_HOST": "127.0.0.1",
            "NKOHUB_HTTP_PORT": str(self.port),
        }
        # A name of its own, so that readiness is asked of this very process (below).
        self.env.setdefault("NKOHUB_REPLICA", f"{module.rsplit('.', 1)[-1]}-{self.port}")
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, wait: bool = True, timeout: float = 30.0) -> ServiceProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Until this process answers ready on its port. Another process answering there
        (its name is not this one's) is an error, not readiness."""
        deadline = time.monotonic() + timeout
        replica = self.env["NKOHUB_REPLICA"]
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.module} exited: {self.log_path.read_text()[-3000:]}")
            try:
                live = httpx.get(f"{self.url}/health/live", timeout=1)
                if live.status_code == 200 and live.json().get("replica") != replica:
                    raise RuntimeError(
                        f"{self.module} ({replica}): port {self.port} is answered by "
                        f"{live.json()}: {self.log_path.read_text()[-3000:]}"
                    )
                if httpx.get(f"{self.url}/health/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.module} not ready: {self.log_path.read_text()[-3000:]}")

    def kill(self) -> int:
        """SIGKILL: no shutdown hooks, no flushing, as in a crash."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        return self.process.wait(10)

    def wait_exit(self, timeout: float = 30.0) -> int:
        assert self.process is not None
        return self.process.wait(timeout)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


CADDYFILE = ROOT / "deploy/caddy/Caddyfile"


class SiteProxy:
    """Caddy with the platform's own ``deploy/caddy/Caddyfile``, in front of the given
    upstreams (``{"events": ["127.0.0.1:8002", …], …}``), plain HTTP on a free port."""

    def __init__(self, upstreams: dict[str, list[str]], *, log_path: Path, state: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        state.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "XDG_DATA_HOME": str(state),
            "XDG_CONFIG_HOME": str(state),
            "NKOHUB_SITE_ADDRESS": f"http://:{self.port}",
        }
        for service, addresses in upstreams.items():
            self.env[f"NKOHUB_UPSTREAMS_{service.upper()}"] = "to " + " ".join(addresses)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> SiteProxy:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            ["caddy", "run", "--adapter", "caddyfile", "--config", str(CADDYFILE)],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"caddy exited: {self.log_path.read_text()[-3000:]}")
            with socket.socket() as sock:
                sock.settimeout(0.5)
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.1)
        raise TimeoutError(f"caddy not listening: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
