"""The bare FastAPI baseline of bench/run.py: what one uvicorn worker does with the same
Python, FastAPI, uvicorn settings and PyMongo async client settings as the services, and
nothing else (no templates, no auth, no events).

    python bench/baseline_app.py --port 8100 --database bench_x_bare [--documents 2000]

Endpoints:

- ``GET /static``: a fixed HTML page (the framework's ceiling);
- ``GET /items/{id}``: one ``find_one`` by ``_id`` (an indexed read), as JSON;
- ``GET /list``: 20 documents sorted by an indexed date, newest first, as JSON;
- ``POST /register``: the registration body validated by pydantic, then one
  ``insert_one`` (a unique index on the e-mail: a repeated e-mail answers 200).

At start-up it fills its own database with ``--documents`` documents ``d0``..``dN-1`` of
about the size of a blog post (it is dropped by bench/run.py afterwards). Settings from
the environment: NKOHUB_TEST_MONGODB_URL (default mongodb://127.0.0.1:27017).
"""

from __future__ import annotations

import argparse
import os
import uuid
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel
from pymongo import DESCENDING, AsyncMongoClient, IndexModel
from pymongo.errors import DuplicateKeyError

try:  # the services' own client factory, so that the settings are the same
    from nkohub_shared.storage.mongo import create_client
except ImportError:  # shared/ restructured: the same settings, spelled out

    def create_client(url: str, *, timeout_ms: int = 5000) -> AsyncMongoClient[dict[str, Any]]:
        return AsyncMongoClient(
            url,
            tz_aware=True,
            uuidRepresentation="standard",
            serverSelectionTimeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
        )


MONGO = os.environ.get("NKOHUB_TEST_MONGODB_URL", "mongodb://127.0.0.1:27017")

ARTICLE = "<article><h2>Запись {i}</h2><p>" + "Текст записи. " * 20 + "</p></article>"
PAGE = (
    "<!doctype html><html lang=ru><head><meta charset=utf-8><title>Проект +</title></head>"
    "<body><h1>Проект +</h1>" + "".join(ARTICLE.format(i=i) for i in range(10)) + "</body></html>"
)


class RegistrationBody(BaseModel):
    name: str
    email: str
    role: str
    consent_personal_data: bool = False


def document(i: int, now: datetime) -> dict[str, Any]:
    return {
        "_id": f"d{i}",
        "title": f"Запись блога номер {i}",
        "slug": f"zapis-bloga-{i}",
        "category": "ngo-news",
        "tags": ["гранты", "митап"],
        "body_html": "<p>" + "Грантовый конкурс для некоммерческих организаций. " * 40 + "</p>",
        "status": "published",
        "published_at": now - timedelta(hours=i),
        "views": 0,
    }


def create_app(database: str, documents: int) -> FastAPI:
    client = create_client(MONGO)
    db = client[database]

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        await db.items.create_indexes([IndexModel([("published_at", DESCENDING)])])
        await db.registrations.create_indexes([IndexModel("email", unique=True)])
        if await db.items.estimated_document_count() < documents:
            now = datetime.now(UTC)
            for start in range(0, documents, 500):
                batch = [document(i, now) for i in range(start, min(documents, start + 500))]
                await db.items.insert_many(batch)
        yield
        await client.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/static", response_class=HTMLResponse)
    async def static() -> str:
        return PAGE

    @app.get("/items/{item_id}")
    async def item(item_id: str) -> dict[str, Any]:
        doc = await db.items.find_one({"_id": item_id})
        if doc is None:
            raise HTTPException(404)
        return doc

    @app.get("/list")
    async def latest() -> list[dict[str, Any]]:
        cursor = db.items.find({}, {"body_html": 0}).sort("published_at", DESCENDING).limit(20)
        return [doc async for doc in cursor]

    @app.post("/register", status_code=201)
    async def register(body: RegistrationBody) -> JSONResponse:
        doc = {"_id": uuid.uuid4().hex, **body.model_dump(), "created_at": datetime.now(UTC)}
        try:
            await db.registrations.insert_one(doc)
        except DuplicateKeyError:
            return JSONResponse({"already_registered": True}, status_code=200)
        return JSONResponse({"registration_id": doc["_id"]}, status_code=201)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--documents", type=int, default=2000)
    args = parser.parse_args()
    uvicorn.run(  # as nkohub_shared.serve runs the services: one worker, no access log
        create_app(args.database, args.documents),
        host="127.0.0.1",
        port=args.port,
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
