"""``nkohub backup`` / ``nkohub restore`` on the real MongoDB(-wire) server: documents of
every BSON type the services store, GridFS files and indexes come back byte for byte
under another prefix; a damaged backup and occupied databases are refused."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import gridfs
import pytest
from bson import Decimal128
from pymongo import ASCENDING, MongoClient
from pymongo.errors import DuplicateKeyError

from nkohub_shared.backup import RAW


def nkohub(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nkohub_shared.cli", *args],
        env={"NKOHUB_MONGODB_URL": url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def mongo(sandbox):
    client: MongoClient = MongoClient(sandbox.servers.mongodb_url)
    yield client
    client.close()


def raw_documents(client: MongoClient, database: str, collection: str) -> list[bytes]:
    db = client.get_database(database, codec_options=RAW)
    return [d.raw for d in db[collection].find({}, sort=[("_id", 1)])]


def test_a_backup_comes_back_unchanged_under_another_prefix(sandbox, mongo, tmp_path):
    source, fresh = sandbox.prefix, f"{sandbox.prefix}r"
    events = mongo[f"{source}_events"]
    events.registrations.create_index(
        [("meetup_id", ASCENDING), ("email_key", ASCENDING)], unique=True, name="one_per_email"
    )
    events.registrations.insert_many(
        [
            {
                "_id": f"r{i}",
                "meetup_id": "m1",
                "email_key": f"p{i}@example.org",
                "name": "Участник №" + str(i),
                "at": datetime(2019, 3, 28, 15, i % 60, tzinfo=UTC),
                "fee": Decimal128(Decimal("10.50")),
                "tags": ["гранты", None, {"nested": True}],
                "_outbox": [{"id": f"e{i}", "type": "events.registration.confirmed"}],
            }
            for i in range(2500)  # more than one insert batch
        ]
    )
    mongo[f"{source}_registry"].organizations.insert_one({"_id": "o1", "ogrn": "1021800001002"})
    files = gridfs.GridFS(mongo[f"{source}_notifications"])
    file_id = files.put("Приложение к письму".encode() * 10_000, filename="приложение.txt")

    taken = nkohub("backup", str(tmp_path), "--prefix", source, url=sandbox.servers.mongodb_url)
    assert taken.returncode == 0, taken.stderr
    folder = next(tmp_path.glob("nkohub-backup-*"))
    manifest = json.loads((folder / "manifest.json").read_text())
    counts = {(c["database"], c["name"]): c["documents"] for c in manifest["collections"]}
    assert counts[(f"{source}_events", "registrations")] == 2500
    assert counts[(f"{source}_registry", "organizations")] == 1
    assert counts[(f"{source}_notifications", "fs.files")] == 1
    assert counts[(f"{source}_notifications", "fs.chunks")] >= 1

    back = nkohub("restore", str(folder), "--prefix", fresh, url=sandbox.servers.mongodb_url)
    assert back.returncode == 0, back.stderr
    try:
        for (database, collection), _ in counts.items():
            restored = database.replace(source, fresh, 1)
            assert raw_documents(mongo, restored, collection) == raw_documents(
                mongo, database, collection
            ), f"{database}.{collection}"
        assert gridfs.GridFS(mongo[f"{fresh}_notifications"]).get(file_id).read() == (
            "Приложение к письму".encode() * 10_000
        )
        with pytest.raises(DuplicateKeyError):  # the unique index came back
            mongo[f"{fresh}_events"].registrations.insert_one(
                {"_id": "twin", "meetup_id": "m1", "email_key": "p1@example.org"}
            )

        # The same backup again, over databases that now hold documents: refused, untouched.
        again = nkohub("restore", str(folder), "--prefix", fresh, url=sandbox.servers.mongodb_url)
        assert again.returncode == 3
        assert "restore needs empty databases" in again.stderr
        assert mongo[f"{fresh}_events"].registrations.count_documents({}) == 2500
    finally:
        for name in mongo.list_database_names():
            if name.startswith(fresh + "_"):
                mongo.drop_database(name)


def test_a_damaged_backup_is_refused_before_anything_is_written(sandbox, mongo, tmp_path):
    source = sandbox.prefix
    mongo[f"{source}_publishing"].posts.insert_many([{"_id": f"p{i}", "n": i} for i in range(5)])
    taken = nkohub("backup", str(tmp_path), "--prefix", source, url=sandbox.servers.mongodb_url)
    assert taken.returncode == 0, taken.stderr
    folder = next(tmp_path.glob("nkohub-backup-*"))
    posts = folder / f"{source}_publishing/posts.bson"
    data = bytearray(posts.read_bytes())
    data[-3] ^= 0xFF  # one flipped byte inside the last document
    posts.write_bytes(bytes(data))
    fresh = f"{source}d"
    damaged = nkohub("restore", str(folder), "--prefix", fresh, url=sandbox.servers.mongodb_url)
    assert damaged.returncode == 3
    assert "the backup is damaged" in damaged.stderr
    assert f"{source}_publishing/posts.bson" in damaged.stderr
    assert not [n for n in mongo.list_database_names() if n.startswith(fresh + "_")]


def test_no_database_no_backup(sandbox, tmp_path):
    missing = nkohub(
        "backup", str(tmp_path), "--prefix", "nothing-here", url=sandbox.servers.mongodb_url
    )
    assert missing.returncode == 3
    assert "no database named nothing-here_*" in missing.stderr
    assert list(Path(tmp_path).iterdir()) == []
