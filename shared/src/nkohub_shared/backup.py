"""Backup and restore of every service's database, with the driver only (no mongodump:
the MongoDB-wire server has none, and this works the same against real MongoDB).

A backup is a dated folder::

    nkohub-backup-20260301T020000Z/
        manifest.json                      what is in it: databases, collections, counts,
                                           SHA-256 of every file, when, from which prefix
        nkohub_events/meetups.bson         the documents, BSON one after another
        nkohub_events/meetups.indexes.json the collection's indexes (extended JSON)
        …

The ``.bson`` files are what ``mongodump`` writes for a collection, so real MongoDB's
``mongorestore`` can read them too. GridFS files are the ``fs.files`` and ``fs.chunks``
collections and travel like any other; so do the outboxes inside documents and the
consumers' processed-events records, so a restored platform neither loses nor repeats an
event. ``restore`` checks every checksum before it writes anything, refuses databases that
hold documents, inserts the documents unchanged and creates the indexes.

Documents are read collection by collection, not in one snapshot: take a backup of a
platform at rest (or accept that a write during the backup may be in one collection and
not in another; the services' reconciliation repairs registrations, the outbox replays).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from bson import json_util
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import IndexModel, MongoClient

MANIFEST = "manifest.json"
FORMAT = "nkohub-backup/1"
BATCH_DOCUMENTS = 1000
BATCH_BYTES = 8 * 1024 * 1024
RAW = CodecOptions(document_class=RawBSONDocument)
Say = Callable[[str], None]


class BackupError(RuntimeError):
    """A backup that cannot be taken or restored; the message says why."""


@dataclass
class CollectionEntry:
    database: str
    name: str
    documents: int
    bytes: int
    sha256: str
    indexes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{self.database}/{self.name}.bson"


def databases_of(client: MongoClient[Any], prefix: str) -> list[str]:
    """The platform's databases: ``<prefix>_<service>`` (``nkohub_events``…)."""
    return sorted(n for n in client.list_database_names() if n.startswith(prefix + "_"))


def _index_specs(collection: Any) -> list[dict[str, Any]]:
    specs = []
    for index in collection.list_indexes():
        spec = dict(index)
        if spec.get("name") == "_id_":
            continue
        spec.pop("v", None)
        spec.pop("ns", None)
        specs.append(spec)
    return specs


def backup(client: MongoClient[Any], target: Path, *, prefix: str, say: Say = print) -> Path:
    """Write every ``<prefix>_*`` database to ``target/nkohub-backup-<UTC time>/``."""
    databases = databases_of(client, prefix)
    if not databases:
        raise BackupError(f"no database named {prefix}_* on the server")
    taken = datetime.now(UTC).replace(microsecond=0)
    folder = target / f"nkohub-backup-{taken.strftime('%Y%m%dT%H%M%SZ')}"
    if folder.exists():
        raise BackupError(f"{folder} exists already")
    folder.mkdir(parents=True)
    entries: list[CollectionEntry] = []
    for database in databases:
        (folder / database).mkdir()
        db = client.get_database(database, codec_options=RAW)
        for name in sorted(db.list_collection_names()):
            if name.startswith("system."):
                continue
            entry = _dump_collection(db[name], folder, database, name)
            entries.append(entry)
            say(f"{database}.{name}: {entry.documents} documents")
    manifest = {
        "format": FORMAT,
        "taken_at": taken.isoformat(),
        "prefix": prefix,
        "databases": databases,
        "collections": [
            {
                "database": e.database,
                "name": e.name,
                "file": e.path,
                "documents": e.documents,
                "bytes": e.bytes,
                "sha256": e.sha256,
                "indexes": e.indexes,
            }
            for e in entries
        ],
    }
    (folder / MANIFEST).write_text(
        json_util.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return folder


def _dump_collection(collection: Any, folder: Path, database: str, name: str) -> CollectionEntry:
    digest = hashlib.sha256()
    count = size = 0
    with (folder / database / f"{name}.bson").open("wb") as out:
        for document in collection.find({}, sort=[("_id", 1)]):
            raw = document.raw
            out.write(raw)
            digest.update(raw)
            count += 1
            size += len(raw)
    indexes = _index_specs(collection)
    (folder / database / f"{name}.indexes.json").write_text(
        json_util.dumps(indexes, indent=2), encoding="utf-8"
    )
    return CollectionEntry(database, name, count, size, digest.hexdigest(), indexes)


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} is missing: not a backup folder")
    manifest = json_util.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown format {manifest.get('format')!r}")
    return manifest


def verify(folder: Path, manifest: dict[str, Any]) -> None:
    """Every file is there with its size, count and checksum; else ``BackupError``."""
    problems = []
    for c in manifest["collections"]:
        path = folder / c["file"]
        if not path.is_file():
            problems.append(f"{c['file']} is missing")
            continue
        digest = hashlib.sha256()
        count = 0
        with path.open("rb") as stream:
            for raw in _raw_documents(stream):
                digest.update(raw)
                count += 1
        if digest.hexdigest() != c["sha256"] or count != c["documents"]:
            problems.append(f"{c['file']}: {count} documents, checksum does not match")
    if problems:
        raise BackupError("the backup is damaged: " + "; ".join(problems))


def _raw_documents(stream: BinaryIO) -> Iterator[bytes]:
    """The BSON documents of a ``.bson`` file, each as its bytes."""
    while True:
        head = stream.read(4)
        if not head:
            return
        if len(head) < 4:
            raise BackupError("a truncated document at the end of a .bson file")
        length = int.from_bytes(head, "little")
        body = stream.read(length - 4)
        if len(body) != length - 4:
            raise BackupError("a truncated document at the end of a .bson file")
        yield head + body


def target_database(database: str, source_prefix: str, prefix: str | None) -> str:
    """``nkohub_events`` restored under prefix ``fresh`` is ``fresh_events``."""
    if prefix is None:
        return database
    return prefix + database[len(source_prefix) :]


def restore(
    client: MongoClient[Any], folder: Path, *, prefix: str | None = None, say: Say = print
) -> dict[str, int]:
    """Bring a backup back into databases that hold no documents; returns the documents
    restored per ``database.collection``."""
    manifest = read_manifest(folder)
    verify(folder, manifest)
    source_prefix = manifest["prefix"]
    targets = {d: target_database(d, source_prefix, prefix) for d in manifest["databases"]}
    occupied = []
    for database in targets.values():
        db = client[database]
        for name in db.list_collection_names():
            if not name.startswith("system.") and db[name].estimated_document_count():
                occupied.append(f"{database}.{name}")
    if occupied:
        raise BackupError(
            "restore needs empty databases; these hold documents: " + ", ".join(occupied[:10])
        )
    restored: dict[str, int] = {}
    for c in manifest["collections"]:
        database = targets[c["database"]]
        collection = client[database][c["name"]]
        key = f"{database}.{c['name']}"
        with (folder / c["file"]).open("rb") as stream:
            restored[key] = _insert_all(collection, _raw_documents(stream))
        for spec in c["indexes"]:
            options = dict(spec)
            keys = list(options.pop("key").items())
            collection.create_indexes([IndexModel(keys, **options)])
        say(f"{key}: {restored[key]} documents")
    return restored


def _insert_all(collection: Any, documents: Iterator[bytes]) -> int:
    count = 0
    batch: list[RawBSONDocument] = []
    size = 0
    for raw in documents:
        batch.append(RawBSONDocument(raw))
        size += len(raw)
        if len(batch) >= BATCH_DOCUMENTS or size >= BATCH_BYTES:
            collection.insert_many(batch, ordered=True)
            count += len(batch)
            batch, size = [], 0
    if batch:
        collection.insert_many(batch, ordered=True)
        count += len(batch)
    return count
