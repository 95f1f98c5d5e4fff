"""``nkohub backup`` takes the uploaded files (GridFS ``fs.files``/``fs.chunks`` and the
``files`` records) of the publishing database, and ``restore`` brings the bytes back."""

from __future__ import annotations

import json

import gridfs
from pymongo import MongoClient

from tests.operations.test_backup import nkohub
from tests.publishing.files_data import image


async def test_a_backup_holds_the_uploaded_files(client, sandbox, tmp_path):
    content = image("PNG", (600, 400))
    response = await client.post(
        "/api/v1/files", files={"file": ("обложка.png", content, "image/png")}
    )
    assert response.status_code == 201, response.text
    file_id = response.json()["id"]

    source, fresh = sandbox.prefix, f"{sandbox.prefix}f"
    url = sandbox.servers.mongodb_url
    taken = nkohub("backup", str(tmp_path), "--prefix", source, url=url)
    assert taken.returncode == 0, taken.stderr
    folder = next(tmp_path.glob("nkohub-backup-*"))
    manifest = json.loads((folder / "manifest.json").read_text())
    counts = {(c["database"], c["name"]): c["documents"] for c in manifest["collections"]}
    database = sandbox.database("publishing")
    assert counts[(database, "fs.files")] == 1
    assert counts[(database, "fs.chunks")] == 1  # 255 KB chunks; the PNG is smaller
    assert counts[(database, "files")] == 1

    mongo: MongoClient = MongoClient(url)
    try:
        back = nkohub("restore", str(folder), "--prefix", fresh, url=url)
        assert back.returncode == 0, back.stderr
        restored = mongo[database.replace(source, fresh, 1)]
        assert gridfs.GridFS(restored).get(file_id).read() == content
        assert restored["files"].find_one({"_id": file_id})["size"] == len(content)
    finally:
        for name in mongo.list_database_names():
            if name.startswith(fresh + "_"):
                mongo.drop_database(name)
        mongo.close()
