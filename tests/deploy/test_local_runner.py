"""The local runner stops what it started, and never reports ready for what it did not start.

It runs `deploy/local/platform.sh up` and `down` for real: a second platform beside the
test servers (its own state folder, ports, databases and vhost; `down` leaves the shared
RabbitMQ and MongoDB-wire server running) — two replicas of every service behind Caddy.
"""

from __future__ import annotations

import os
import random
import re
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.support.isolation import Sandbox

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy/local/platform.sh"
SERVICES = ("registry", "events", "notifications", "publishing")
EPHEMERAL_FROM = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _free_block(size: int) -> int:
    """A base port with ``base+0 … base+size`` all free, below the ephemeral range (an
    outgoing connection's local port there can hold a port a listener cannot take)."""
    for _ in range(50):
        base = random.randrange(20000, EPHEMERAL_FROM - size - 1, 10)
        if not any(_listening(base + i) for i in range(size + 1)):
            return base
    raise RuntimeError("no free block of ports")


def _runner_env(sandbox: Sandbox, state: Path, replicas: int = 1) -> dict[str, str]:
    base = _free_block(10 * replicas + 5)
    settings = sandbox.settings("registry")
    return {
        **os.environ,
        "NKOHUB_REPLICAS": str(replicas),
        "NKOHUB_LOCAL_STATE": str(state),
        "NKOHUB_LOCAL_PORT_BASE": str(base),
        "NKOHUB_LOCAL_SMTP_PORT": str(base + 5),
        "NKOHUB_LOCAL_SITE_PORT": str(base + 9),
        "NKOHUB_LOCAL_KEEP_SERVERS": "1",
        "NKOHUB_DATABASE_PREFIX": sandbox.database("runner"),
        "NKOHUB_MONGODB_URL": str(settings["mongodb_url"]),
        "NKOHUB_AMQP_URL": str(settings["amqp_url"]),
    }


def _run(env: dict[str, str], command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), command], env=env, capture_output=True, text=True, timeout=240
    )


def _ports(env: dict[str, str]) -> list[int]:
    base = int(env["NKOHUB_LOCAL_PORT_BASE"])
    replicas = int(env["NKOHUB_REPLICAS"])
    services = [base + 10 * r + i for r in range(replicas) for i in (1, 2, 3, 4)]
    return [*services, int(env["NKOHUB_LOCAL_SMTP_PORT"]), int(env["NKOHUB_LOCAL_SITE_PORT"])]


def _requests_to(port: int, route: str) -> float:
    """How many requests of ``route`` one replica answered (its own /metrics)."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    pattern = rf'^nkohub_http_requests_total{{[^}}]*route="{route}"[^}}]*}} (\S+)$'
    return sum(float(m) for m in re.findall(pattern, text, flags=re.M))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_up_then_down_leaves_nothing_running(sandbox, tmp_path):
    env = _runner_env(sandbox, tmp_path / "state", replicas=2)
    base, site = int(env["NKOHUB_LOCAL_PORT_BASE"]), int(env["NKOHUB_LOCAL_SITE_PORT"])
    up = _run(env, "up")
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        assert all(_listening(port) for port in _ports(env))
        pids = {}
        for name in (*SERVICES, *(f"{s}-2" for s in SERVICES), "mail-sink", "caddy"):
            pid = int((tmp_path / f"state/run/{name}.pid").read_text())
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            service = name.removesuffix("-2")
            expected = {"mail-sink": "aiosmtpd", "caddy": "caddy run"}.get(
                name, f"nkohub-{service}"
            )
            assert expected in command, f"{name}.pid names {command!r}, not the process"
            pids[name] = pid
        # One site: the blog at /, the meetups, an API; Caddy spreads requests over both
        # replicas of the blog.
        with httpx.Client(base_url=f"http://127.0.0.1:{site}", timeout=30) as http:
            for _ in range(6):
                assert http.get("/").status_code == 200
            assert "Встречи" in http.get("/meetups").text
            assert http.get("/api/events/v1/calendar.ics").text.startswith("BEGIN:VCALENDAR")
        answered = [_requests_to(base + 4, "/"), _requests_to(base + 14, "/")]
        assert sum(answered) == 6 and all(n > 0 for n in answered), answered
        logs = (tmp_path / "state/logs/publishing-2.log").read_text()
        assert '"replica": "publishing-2"' in logs, "JSON lines naming the replica"
    finally:
        down = _run(env, "down")
    assert down.returncode == 0, down.stdout + down.stderr
    assert [p for p in _ports(env) if _listening(p)] == []
    assert [name for name, pid in pids.items() if _alive(pid)] == []


def test_up_refuses_a_port_held_by_a_process_it_did_not_start(sandbox, tmp_path):
    env = _runner_env(sandbox, tmp_path / "state")
    events_port = int(env["NKOHUB_LOCAL_PORT_BASE"]) + 2
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAITs
        squatter.bind(("127.0.0.1", events_port))
        squatter.listen()
        up = _run(env, "up")
        down = _run(env, "down")
    assert up.returncode != 0
    assert f"port {events_port} (events) is taken" in up.stdout + up.stderr
    assert down.returncode == 0, down.stdout + down.stderr
    assert [p for p in _ports(env) if _listening(p)] == []
