"""Posts: create, edit, publish, schedule, unpublish, delete; categories."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from nkohub_publishing.api.deps import Context
from nkohub_publishing.context import PublishingContext
from nkohub_publishing.domain import Document
from nkohub_publishing.domain.limits import ID_MAX, LIMIT_MAX, OFFSET_MAX
from nkohub_publishing.domain.posts import (
    Category,
    PostCreate,
    PostFields,
    PostStatus,
    Schedule,
    Unpublish,
)
from nkohub_shared.web.auth import StaffUser

router = APIRouter()

HIDDEN_FIELDS = ("_id", "_outbox", "_applied", "words")
PostId = Annotated[str, Path(max_length=ID_MAX)]


def post_out(ctx: PublishingContext, post: Document) -> dict[str, Any]:
    out = {k: v for k, v in post.items() if k not in HIDDEN_FIELDS}
    out["id"] = post["_id"]
    out["url"] = ctx.posts.url(post["slug"])
    out["category_label"] = Category(post["category"]).label
    return out


@router.post("/posts", status_code=201)
async def create_post(ctx: Context, user: StaffUser, body: PostCreate) -> dict:
    """Create a draft post (publish or schedule it afterwards)."""
    return post_out(ctx, await ctx.posts.create(body, author=user.sub))


@router.get("/posts")
async def list_posts(
    ctx: Context,
    _: StaffUser,
    status: PostStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=LIMIT_MAX)] = 50,
    offset: Annotated[int, Query(ge=0, le=OFFSET_MAX)] = 0,
) -> dict:
    items, total = await ctx.posts.staff_list(status, limit, offset)
    return {"items": [post_out(ctx, p) for p in items], "total": total}


@router.get("/posts/{post_id}")
async def get_post(ctx: Context, _: StaffUser, post_id: PostId) -> dict:
    return post_out(ctx, await ctx.posts.get(post_id))


@router.patch("/posts/{post_id}")
async def update_post(ctx: Context, user: StaffUser, post_id: PostId, body: PostFields) -> dict:
    """Edit a post; a published post keeps its URL unless a new ``slug`` is given (the old
    one then redirects)."""
    return post_out(ctx, await ctx.posts.update(post_id, body, actor=user.sub))


@router.delete("/posts/{post_id}", status_code=204)
async def delete_post(ctx: Context, _: StaffUser, post_id: PostId) -> Response:
    await ctx.posts.delete(post_id)
    return Response(status_code=204)


@router.post("/posts/{post_id}/publish")
async def publish_post(ctx: Context, user: StaffUser, post_id: PostId) -> dict:
    return post_out(ctx, await ctx.posts.publish(post_id, actor=user.sub))


@router.post("/posts/{post_id}/schedule")
async def schedule_post(ctx: Context, user: StaffUser, post_id: PostId, body: Schedule) -> dict:
    return post_out(ctx, await ctx.posts.schedule(post_id, body.publish_at, actor=user.sub))


@router.post("/posts/{post_id}/unpublish")
async def unpublish_post(
    ctx: Context, user: StaffUser, post_id: PostId, body: Unpublish | None = None
) -> dict:
    to = (body or Unpublish()).to
    return post_out(ctx, await ctx.posts.unpublish(post_id, to, actor=user.sub))


@router.get("/categories")
async def categories(_: StaffUser) -> list[dict[str, str]]:
    return [{"key": c.value, "label": c.label} for c in Category]
