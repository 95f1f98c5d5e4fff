"""The processes a benchmark run starts, and what it reads of them from ``/proc``: free
ports, resident memory, CPU ticks, who listens on a port; starting, waiting until ready
or idle, stopping. Shared by ``run.py`` and ``memory.py``."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.processes import free_port  # noqa: F401  (bench/ uses it from here)

ROOT = Path(__file__).resolve().parent.parent


def fail(message: str) -> SystemExit:
    return SystemExit(f"bench/run.py: {message}")


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def listening_pid(port: int) -> int | None:
    """The process with a listening TCP socket on ``port`` (from /proc, no tools)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{parts[9]}]")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) in inodes:
                    return int(entry.name)
        except OSError:
            continue
    return None


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    url: str = ""

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Processes:
    """Everything this run starts; ``stop_all`` ends it (SIGTERM, then SIGKILL)."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, Process] = {}

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Process:
        log = self.logs / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                argv,
                cwd=ROOT,
                env={**os.environ, **(env or {})},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches run.py, which stops it in order
            )
        process = Process(name, popen, log)
        self.running[name] = process
        return process

    def stop(self, name: str) -> None:
        process = self.running.pop(name, None)
        if process is None or process.popen.poll() is not None:
            return
        process.popen.terminate()
        try:
            process.popen.wait(20)
        except subprocess.TimeoutExpired:
            process.popen.kill()
            process.popen.wait(5)

    def stop_all(self) -> None:
        for name in reversed(list(self.running)):
            self.stop(name)


def wait_ready(process: Process, path: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise fail(f"{process.name} exited at start:\n{process.tail()}")
        try:
            if httpx.get(f"{process.url}{path}", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise fail(f"{process.name} not ready after {seconds:.0f} s:\n{process.tail()}")


def wait_idle(processes: Iterable[Process], *, below: float = 0.05, seconds: float = 180) -> float:
    """Wait until our processes together use under ``below`` of a core over half a second
    (outbox relays and consumers done with what the last step caused); returns the wait."""
    pids = [p.popen.pid for p in processes]
    hz = os.sysconf("SC_CLK_TCK")
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        before = sum(cpu_ticks(pid) for pid in pids)
        time.sleep(0.5)
        used = (sum(cpu_ticks(pid) for pid in pids) - before) / hz / 0.5
        if used < below:
            return time.monotonic() - started
    print(f"  (still busy after {seconds:.0f} s; measuring anyway)")
    return seconds


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot (``/proc/stat``)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


class CpuWatch:
    """CPU used over a span, in cores: by each named process and by the machine as a
    whole (so a case can be seen to be bound by the cores it shares with the store and
    the broker, or not). ``with CpuWatch({"events": pid, …}) as watch: …``, then
    ``watch.cores`` and ``watch.machine_busy``; ``summary()`` is one line of them."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.cores: dict[str, float] = {}
        self.machine_busy = 0.0
        self.seconds = 0.0

    def __enter__(self) -> CpuWatch:
        self._ticks = {name: cpu_ticks(pid) for name, pid in self.pids.items()}
        self._machine = machine_ticks()
        self._started = time.monotonic()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.monotonic() - self._started
        hz = os.sysconf("SC_CLK_TCK")
        if self.seconds <= 0:
            return
        self.cores = {
            name: (cpu_ticks(pid) - self._ticks[name]) / hz / self.seconds
            for name, pid in self.pids.items()
        }
        busy, total = machine_ticks()
        busy0, total0 = self._machine
        ncpu = os.cpu_count() or 1
        self.machine_busy = ncpu * (busy - busy0) / max(1, total - total0)

    def summary(self) -> str:
        ncpu = os.cpu_count() or 1
        each = ", ".join(
            f"{name} {cores:.2f}"
            for name, cores in sorted(self.cores.items(), key=lambda item: -item[1])
            if cores >= 0.01
        )
        return f"CPU in cores: {each}; machine {self.machine_busy:.2f} of {ncpu} busy"

    def detail(self) -> dict[str, object]:
        return {"cores": self.cores, "machine_busy": self.machine_busy, "seconds": self.seconds}
