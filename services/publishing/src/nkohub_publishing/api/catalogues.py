"""The staff-maintained lists: ``competitions``, ``foundations``, ``documents`` (create,
list, get, change, delete). No ``from __future__ import annotations`` here: the routes'
body types are given at run time."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel

from nkohub_publishing.api.deps import Context
from nkohub_publishing.context import PublishingContext
from nkohub_publishing.domain import Document
from nkohub_publishing.domain.catalogues import (
    CompetitionCreate,
    CompetitionFields,
    DocumentCreate,
    DocumentFields,
    FoundationCreate,
    FoundationFields,
)
from nkohub_publishing.domain.limits import ID_MAX
from nkohub_publishing.service.catalogues import CatalogueService
from nkohub_shared.web.auth import StaffUser

router = APIRouter()

HIDDEN_FIELDS = ("_id", "_outbox", "_applied")
ItemId = Annotated[str, Path(max_length=ID_MAX)]


def entry_out(entry: Document) -> dict[str, Any]:
    return {"id": entry["_id"], **{k: v for k, v in entry.items() if k not in HIDDEN_FIELDS}}


def _crud(
    name: str,
    create_model: type[BaseModel],
    fields_model: type[BaseModel],
    service_of: Callable[[PublishingContext], CatalogueService],
) -> None:
    async def create(ctx: Context, _: StaffUser, body: BaseModel) -> dict:
        return entry_out(await service_of(ctx).create(body))

    async def list_all(ctx: Context, _: StaffUser) -> list[dict]:
        return [entry_out(e) for e in await service_of(ctx).all()]

    async def get(ctx: Context, _: StaffUser, item_id: ItemId) -> dict:
        return entry_out(await service_of(ctx).get(item_id))

    async def update(ctx: Context, _: StaffUser, item_id: ItemId, body: BaseModel) -> dict:
        return entry_out(await service_of(ctx).update(item_id, body))

    async def delete(ctx: Context, _: StaffUser, item_id: ItemId) -> Response:
        await service_of(ctx).delete(item_id)
        return Response(status_code=204)

    create.__annotations__["body"] = create_model  # FastAPI validates the body by this type
    update.__annotations__["body"] = fields_model
    router.add_api_route(
        f"/{name}", create, methods=["POST"], status_code=201, name=f"create_{name}"
    )
    router.add_api_route(f"/{name}", list_all, methods=["GET"], name=f"list_{name}")
    router.add_api_route(f"/{name}/{{item_id}}", get, methods=["GET"], name=f"get_{name}")
    router.add_api_route(f"/{name}/{{item_id}}", update, methods=["PATCH"], name=f"update_{name}")
    router.add_api_route(
        f"/{name}/{{item_id}}", delete, methods=["DELETE"], status_code=204, name=f"delete_{name}"
    )


_crud("competitions", CompetitionCreate, CompetitionFields, lambda ctx: ctx.competitions)
_crud("foundations", FoundationCreate, FoundationFields, lambda ctx: ctx.foundations)
_crud("documents", DocumentCreate, DocumentFields, lambda ctx: ctx.documents)
