"""A MongoDB-wire server of the test's own, to stop, kill or stall at will.

The shared server on :27017 serves every test running at the time and must never be
broken; outage tests start this one (mongo-java-server, the Java process built from
``deploy/mongo-wire/``) on a free loopback port instead. With a data file (H2 MVStore,
in the test's ``tmp_path``) a stop and a start keep the data; ``pause``/``resume``
(SIGSTOP/SIGCONT) stall it with its connections open, as a hung server would.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from tests.support.processes import ROOT, free_port

MONGO_WIRE_DIR = ROOT / "deploy" / "mongo-wire"
MAIN_CLASS = "org.nkohub.mongowire.Main"


def _target() -> Path:
    """Where the built jar and its libraries are (``NKOHUB_TEST_MONGO_WIRE_TARGET`` or
    ``deploy/mongo-wire/target``); built with Maven when missing."""
    target = Path(os.environ.get("NKOHUB_TEST_MONGO_WIRE_TARGET", MONGO_WIRE_DIR / "target"))
    if not (target / "mongo-wire-1.0.0.jar").exists():
        if shutil.which("mvn") is None or shutil.which("java") is None:
            pytest.skip("no MongoDB-wire server build and no Maven/Java to build one")
        subprocess.run(
            ["mvn", "-q", "-B", "package", "-DskipTests"],
            cwd=MONGO_WIRE_DIR,
            check=True,
            capture_output=True,
            timeout=600,
        )
    return target


class MongoWireServer:
    """One server process on ``127.0.0.1:<port>``; the port stays the same across restarts."""

    def __init__(self, log_path: Path, data_file: Path | None = None) -> None:
        self.port = free_port()
        self.log_path = log_path
        self.data_file = data_file
        self.process: subprocess.Popen[bytes] | None = None
        self.paused = False
        target = _target()
        self._classpath = f"{target / 'mongo-wire-1.0.0.jar'}:{target / 'lib'}/*"

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> MongoWireServer:
        args = ["127.0.0.1", str(self.port)]
        if self.data_file is not None:
            args.append(str(self.data_file))
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                ["java", "-Xmx512m", "-cp", self._classpath, MAIN_CLASS, *args],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # signals sent to it reach nothing else
            )
        self._wait_answering(timeout)
        return self

    def _wait_answering(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"mongo-wire exited: {self.log_path.read_text()[-2000:]}")
            client: MongoClient = MongoClient(self.url, serverSelectionTimeoutMS=500)
            try:
                client.admin.command("ping")
                return
            except PyMongoError:
                time.sleep(0.2)
            finally:
                client.close()
        raise TimeoutError(f"mongo-wire not answering on {self.url}")

    def stop(self) -> int:
        """SIGTERM: the server closes its clients and its data file, then exits."""
        self.resume()
        process = self._running()
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait(10)

    def pause(self) -> None:
        """SIGSTOP: connections stay open, nothing answers."""
        self._running().send_signal(signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        if self.paused:
            self._running().send_signal(signal.SIGCONT)
            self.paused = False

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.stop()

    def _running(self) -> subprocess.Popen[bytes]:
        assert self.process is not None and self.process.poll() is None, "not running"
        return self.process


@pytest.fixture
def own_mongo_wire(tmp_path: Path) -> Iterator[MongoWireServer]:
    """A MongoDB-wire server only this test uses, its data in ``tmp_path`` (kept across
    ``stop``/``start``); stopped at the end, resumed first if the test left it paused."""
    server = MongoWireServer(tmp_path / "mongo-wire.log", tmp_path / "mongo-wire.mv").start()
    yield server
    server.close()
