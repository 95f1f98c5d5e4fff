"""HTTP routes of the publishing service (prefix `/api/v1`): staff only."""

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, UploadFile

from nkohub_publishing import domain, imports
from nkohub_publishing.domain import PostStatus
from nkohub_publishing.repository import Catalogue, Document
from nkohub_publishing.repository.catalogues import public
from nkohub_publishing.repository.views import day_bounds
from nkohub_shared.errors import InvalidInput
from nkohub_shared.web.app import ServiceContext
from nkohub_shared.web.auth import StaffUser

router = APIRouter(prefix="/api/v1", tags=["publishing"])

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def post_out(ctx: Any, doc: Document) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if k not in ("_id", "_outbox", "_applied", "words")}
    out["id"] = doc["_id"]
    out["url"] = ctx.posts.url(doc["slug"])
    out["category_label"] = domain.Category(doc["category"]).label
    return out


def _kick(ctx: Any) -> None:
    ctx.runtime.relay.kick()


# ---------------------------------------------------------------- posts


@router.post("/posts", status_code=201)
async def create_post(ctx: ServiceContext, user: StaffUser, body: domain.PostCreate) -> dict:
    """Create a draft post (publish or schedule it afterwards)."""
    return post_out(ctx, await ctx.posts.create(body, author=user.sub))


@router.get("/posts")
async def list_posts(
    ctx: ServiceContext,
    _: StaffUser,
    status: PostStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict:
    items, total = await ctx.posts.staff_list(status, limit, offset)
    return {"items": [post_out(ctx, d) for d in items], "total": total}


@router.get("/posts/{post_id}")
async def get_post(ctx: ServiceContext, _: StaffUser, post_id: str) -> dict:
    return post_out(ctx, await ctx.posts.get(post_id))


@router.patch("/posts/{post_id}")
async def update_post(
    ctx: ServiceContext, _: StaffUser, post_id: str, body: domain.PostFields
) -> dict:
    """Edit a post; a published post keeps its URL unless a new ``slug`` is given (the old
    one then redirects)."""
    return post_out(ctx, await ctx.posts.update(post_id, body))


@router.delete("/posts/{post_id}", status_code=204)
async def delete_post(ctx: ServiceContext, _: StaffUser, post_id: str) -> Response:
    await ctx.posts.delete(post_id)
    return Response(status_code=204)


@router.post("/posts/{post_id}/publish")
async def publish_post(ctx: ServiceContext, _: StaffUser, post_id: str) -> dict:
    doc = await ctx.posts.publish(post_id)
    _kick(ctx)
    return post_out(ctx, doc)


@router.post("/posts/{post_id}/schedule")
async def schedule_post(
    ctx: ServiceContext, _: StaffUser, post_id: str, body: domain.Schedule
) -> dict:
    return post_out(ctx, await ctx.posts.schedule(post_id, body.publish_at))


@router.post("/posts/{post_id}/unpublish")
async def unpublish_post(
    ctx: ServiceContext, _: StaffUser, post_id: str, body: domain.Unpublish | None = None
) -> dict:
    doc = await ctx.posts.unpublish(post_id, (body or domain.Unpublish()).to)
    _kick(ctx)
    return post_out(ctx, doc)


@router.get("/categories")
async def categories(_: StaffUser) -> list[dict[str, str]]:
    return [{"key": c.value, "label": c.label} for c in domain.Category]


# ---------------------------------------------------------------- catalogues


def _crud(name: str, create_model: type, fields_model: type, attr: str) -> None:
    def cat(ctx: Any) -> Catalogue:
        return getattr(ctx, attr)

    async def create(ctx: ServiceContext, _: StaffUser, body: create_model) -> dict:  # type: ignore[valid-type]
        return public(await cat(ctx).create(body))

    async def list_all(ctx: ServiceContext, _: StaffUser) -> list[dict]:
        return [public(d) for d in await cat(ctx).all()]

    async def get(ctx: ServiceContext, _: StaffUser, item_id: str) -> dict:
        return public(await cat(ctx).get(item_id))

    async def update(ctx: ServiceContext, _: StaffUser, item_id: str, body: fields_model) -> dict:  # type: ignore[valid-type]
        return public(await cat(ctx).update(item_id, body))

    async def delete(ctx: ServiceContext, _: StaffUser, item_id: str) -> Response:
        await cat(ctx).delete(item_id)
        return Response(status_code=204)

    router.add_api_route(
        f"/{name}", create, methods=["POST"], status_code=201, name=f"create_{name}"
    )
    router.add_api_route(f"/{name}", list_all, methods=["GET"], name=f"list_{name}")
    router.add_api_route(f"/{name}/{{item_id}}", get, methods=["GET"], name=f"get_{name}")
    router.add_api_route(f"/{name}/{{item_id}}", update, methods=["PATCH"], name=f"update_{name}")
    router.add_api_route(
        f"/{name}/{{item_id}}", delete, methods=["DELETE"], status_code=204, name=f"delete_{name}"
    )


_crud("competitions", domain.CompetitionCreate, domain.CompetitionFields, "competitions")
_crud("foundations", domain.FoundationCreate, domain.FoundationFields, "foundations")
_crud("documents", domain.DocumentCreate, domain.DocumentFields, "documents")


# ---------------------------------------------------------------- statistics


@router.get("/stats")
async def stats(
    ctx: ServiceContext,
    _: StaffUser,
    from_: Annotated[date, Query(alias="from")],
    to: date,
) -> dict:
    """Posts published and post views in [from, to] (local days, inclusive)."""
    if to < from_:
        raise InvalidInput("'to' is before 'from'", field="to")
    if to - from_ > timedelta(days=3700):
        raise InvalidInput("the period is too long (10 years at most)", field="to")
    start, _end = day_bounds(from_)
    _start, end = day_bounds(to)
    published = await ctx.posts.count_published_between(start, end)
    views = await ctx.views.total_between(from_, to)
    top = sorted(views["per_post"].items(), key=lambda kv: -kv[1])[:20]
    return {
        "from": from_.isoformat(),
        "to": to.isoformat(),
        "posts_published": published,
        "views": views["views"],
        "top_posts": [{"post_id": p, "views": n} for p, n in top],
    }


@router.get("/posts/{post_id}/views")
async def post_views(
    ctx: ServiceContext,
    _: StaffUser,
    post_id: str,
    from_: Annotated[date, Query(alias="from")],
    to: date,
) -> dict:
    """Views of one post per day and per counting period (an hour by default)."""
    if to < from_:
        raise InvalidInput("'to' is before 'from'", field="to")
    await ctx.posts.get(post_id)
    return {
        "post_id": post_id,
        "days": await ctx.views.daily(post_id, from_, to),
        "periods": await ctx.views.hourly(post_id, from_, to),
    }


# ---------------------------------------------------------------- staff settings


@router.get("/settings")
async def get_settings(ctx: ServiceContext, _: StaffUser) -> dict:
    return await ctx.staff_settings.get()


@router.patch("/settings")
async def change_settings(
    ctx: ServiceContext, _: StaffUser, body: domain.StaffSettingsChange
) -> dict:
    """E.g. ``{"publish_meetup_announcements": true}``: announcements go live at once."""
    return await ctx.staff_settings.update(body.model_dump(exclude_none=True))


# ---------------------------------------------------------------- imports


async def _read_upload(file: UploadFile) -> bytes:
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput("the file is larger than 50 MB", field="file")
    if not data:
        raise InvalidInput("the file is empty", field="file")
    return data


@router.post("/imports/blogger")
async def import_blogger(ctx: ServiceContext, _: StaffUser, file: UploadFile) -> dict:
    """Import a Blogger export (Atom XML); idempotent. Returns the report."""
    report = await imports.import_blogger(ctx, await _read_upload(file))
    _kick(ctx)
    return report.as_dict()


@router.post("/imports/views")
async def import_views(ctx: ServiceContext, _: StaffUser, file: UploadFile) -> dict:
    """Import historical views (CSV: post URL or slug, date, views); one
    ``publishing.views.counted`` per day; idempotent per day."""
    report = await imports.import_views_csv(ctx, await _read_upload(file))
    _kick(ctx)
    return report
