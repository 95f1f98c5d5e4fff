"""Public pages (server-rendered, Russian, no JavaScript), feeds, sitemap and robots.txt."""

from __future__ import annotations

import logging
import math
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from nkohub_publishing.api.deps import Context
from nkohub_publishing.api.files import file_response
from nkohub_publishing.context import PublishingContext
from nkohub_publishing.domain import feeds, grants
from nkohub_publishing.domain.clock import now_utc
from nkohub_publishing.domain.files import file_path
from nkohub_publishing.domain.limits import PAGE_MAX, PATH_PART_MAX, QUERY_MAX
from nkohub_publishing.domain.posts import CATEGORY_LABELS, Category
from nkohub_publishing.domain.text import SLUG_MAX, normalize_tag
from nkohub_shared.russian import date_ru
from nkohub_shared.web import accessibility
from nkohub_shared.web.caching import ResponseCache, answer, answered_early, fingerprint
from nkohub_shared.web.clients import ClientAddress, client_address

router = APIRouter(include_in_schema=False, dependencies=[accessibility.REMEMBER])
# The two most read pages, routed before the API's routes (no path of one matches the
# other's): a cached answer is then a few route matches away, not some fifty.
front_router = APIRouter(include_in_schema=False, dependencies=[accessibility.REMEMBER])
files_router = APIRouter(include_in_schema=False)  # no cookie read: answers are cached
router.include_router(accessibility.router)  # the switch of the visually impaired version
log = logging.getLogger("nkohub.publishing.pages")

FEED_LIMIT = 30
HOME_DEADLINES = 5
SOONEST = 5
PAST_COMPETITIONS = 20

# Rendered pages, fresh while what they show saw no write on any replica (another
# replica's change arrives as a note through the broker; without the notes, a few seconds
# at most; nkohub_shared.web.caching).
# Every post's page fits (a blog of a few thousand posts), bounded in bytes.
PAGES = ResponseCache(max_entries=8192, max_bytes=64 * 1024 * 1024)
HOME_READS = ("posts", "competitions")
POST_READS = ("posts", "slugs", "files")


def ru_date(value: datetime | None, with_time: bool = False) -> str:
    if value is None:
        return ""
    return date_ru(value, with_time=with_time)


def money(value: int | None) -> str:
    return f"{value:,}".replace(",", "\u00a0") + "\u00a0₽" if value else ""


def safe_url(value: object) -> str:
    """Only http(s) links reach a page (a registry field could hold ``javascript:``)."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html", "xml"], default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters["ru_date"] = ru_date
templates.filters["money"] = money
templates.filters["safe_url"] = safe_url
templates.filters["urlquote"] = lambda s: quote(str(s), safe="")
templates.globals["categories"] = [(c.value, CATEGORY_LABELS[c]) for c in Category]
accessibility.install(templates)


def render(ctx: PublishingContext, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    notifications = str(ctx.settings.notifications_public_url).rstrip("/")
    html = templates.get_template(name).render(
        site_title=ctx.settings.site_title,
        base_url=ctx.settings.base_url,
        subscribe_url=f"{notifications}/subscribe?topic=blog",
        join_url=f"{str(ctx.settings.registry_public_url).rstrip('/')}/organizations/join",
        **values,
    )
    return HTMLResponse(html, status)


def not_found(ctx: PublishingContext, what: str = "Страница не найдена") -> HTMLResponse:
    return render(ctx, "not_found.html", 404, title=what)


def pagination(page: int, total: int, size: int) -> dict[str, int]:
    pages = max(1, math.ceil(total / size))
    return {"page": page, "pages": pages, "total": total}


def is_category(key: str) -> bool:
    return key in Category._value2member_map_


Page = Annotated[int, Query(ge=1, le=PAGE_MAX)]


# ---------------------------------------------------------------- pages


@front_router.get("/", response_class=HTMLResponse)
async def home(ctx: Context, request: Request) -> Response:
    async def build() -> Response:
        posts, _ = await ctx.posts.published(limit=ctx.settings.page_size, count=False)
        deadlines = await ctx.competitions.upcoming(now_utc(), limit=HOME_DEADLINES)
        return render(ctx, "home.html", title=None, posts=posts, deadlines=deadlines)

    return await PAGES.respond(
        request,
        database=ctx.runtime.db.name,
        collections=HOME_READS,
        key=("/",),
        build=build,
        clock=ctx.runtime.writes,
    )


async def _post_from_cache(request: Request) -> Response | None:
    """An anonymous reader's cached post page, answered before FastAPI resolves the route's
    dependencies (``caching.answered_early``), its view counted as the route counts it;
    a query string (a switch of the visually impaired version, say) goes to the route."""
    if request.url.query:
        return None
    runtime = request.app.state.runtime
    key = ("/posts/", request.path_params.get("slug", ""))
    entry = PAGES.lookup(runtime.db.name, POST_READS, key, clock=runtime.writes)
    if entry is None:
        return None
    await runtime.context.views.count(
        entry.extra[0],
        await client_address(request),
        request.headers.get("user-agent", ""),
        now_utc(),
    )
    return answer(request, entry)


async def post_page(ctx: Context, request: Request, client: ClientAddress, slug: str) -> Response:
    """A post; counts a view (within the limits of one client address, off the request
    path: ``ViewService.count``); a former slug answers 301."""
    if len(slug) > SLUG_MAX:
        return not_found(ctx, "Запись не найдена")
    database, key, clock = ctx.runtime.db.name, ("/posts/", slug), ctx.runtime.writes
    entry = PAGES.lookup(database, POST_READS, key, clock=clock)
    if entry is None:
        stamp = PAGES.stamp(database, POST_READS, clock=clock)
        stale = PAGES.stale(database, POST_READS, key, clock=clock)
        post, moved_to = await ctx.posts.by_slug(slug)
        if post is None:
            if moved_to:
                return RedirectResponse(f"/posts/{moved_to}", status_code=301)
            return not_found(ctx, "Запись не найдена")
        cover = await ctx.files.find(post["cover_file_id"]) if post.get("cover_file_id") else None
        shown = {k: v for k, v in post.items() if k != "views"}  # the counter is not shown
        version = fingerprint({"post": shown, "cover": cover})
        if stale is not None and stale.extra == (post["_id"], version):
            # the page past its time to live shows the post as it still is: keep it
            entry = PAGES.renew(database, key, stale, stamp, clock=clock)
        else:
            page = render(
                ctx,
                "post.html",
                title=post["title"],
                post=post,
                cover={**cover, "path": file_path(cover["_id"], cover["name"])} if cover else None,
                canonical=ctx.posts.url(post["slug"]),
                category_label=CATEGORY_LABELS[Category(post["category"])],
            )
            entry = PAGES.store(
                database, key, stamp, page, extra=(post["_id"], version), clock=clock
            )
    await ctx.views.count(entry.extra[0], client, request.headers.get("user-agent", ""), now_utc())
    return answer(request, entry)


front_router.add_api_route(
    "/posts/{slug}",
    post_page,
    methods=["GET"],
    response_class=HTMLResponse,
    route_class_override=answered_early(_post_from_cache),
)


async def _listing(
    ctx: PublishingContext,
    query: dict[str, Any],
    page: int,
    *,
    title: str,
    feed_base: str | None,
    **extra: Any,
) -> HTMLResponse:
    size = ctx.settings.page_size
    posts, total = await ctx.posts.published(query, limit=size, offset=(page - 1) * size)
    if page > 1 and not posts:
        return not_found(ctx)
    return render(
        ctx,
        "listing.html",
        title=title,
        posts=posts,
        paging=pagination(page, total, size),
        feed_base=feed_base,
        **extra,
    )


@router.get("/category/{key}", response_class=HTMLResponse)
async def category_page(ctx: Context, key: str, page: Page = 1) -> HTMLResponse:
    if not is_category(key):
        return not_found(ctx, "Рубрика не найдена")
    label = CATEGORY_LABELS[Category(key)]
    return await _listing(
        ctx, {"category": key}, page, title=label, feed_base=f"/category/{key}/feed"
    )


@router.get("/tag/{tag}", response_class=HTMLResponse)
async def tag_page(ctx: Context, tag: str, page: Page = 1) -> HTMLResponse:
    if len(tag) > PATH_PART_MAX:
        return not_found(ctx, "Метка не найдена")
    tag = normalize_tag(tag)
    return await _listing(
        ctx, {"tags": tag}, page, title=f"Метка «{tag}»", feed_base=f"/tag/{quote(tag)}/feed"
    )


@router.get("/search", response_class=HTMLResponse)
async def search_page(
    ctx: Context,
    q: Annotated[str, Query(max_length=QUERY_MAX)] = "",
    page: Page = 1,
) -> HTMLResponse:
    size = ctx.settings.page_size
    posts, total = await ctx.posts.search(q, limit=size, offset=(page - 1) * size)
    return render(
        ctx,
        "search.html",
        title="Поиск",
        q=q,
        posts=posts,
        paging=pagination(page, total, size),
    )


@router.get("/grants", response_class=HTMLResponse)
async def grants_page(ctx: Context) -> HTMLResponse:
    now = now_utc()
    upcoming = await ctx.competitions.upcoming(now)
    past = await ctx.competitions.past(now, limit=PAST_COMPETITIONS)
    return render(
        ctx,
        "grants.html",
        title="Календарь грантов",
        soonest=upcoming[:SOONEST],
        months=grants.by_month(upcoming),
        past=past,
    )


@router.get("/grants.ics")
async def grants_ics(ctx: Context) -> Response:
    competitions = await ctx.competitions.all()
    return Response(
        feeds.build_deadlines_ics(competitions, ctx.settings.base_url, now_utc()),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="grants.ics"'},
    )


@router.get("/foundations", response_class=HTMLResponse)
async def foundations_page(ctx: Context) -> HTMLResponse:
    items = await ctx.foundations.all()
    return render(ctx, "foundations.html", title="Фонды-грантодатели", items=items)


@router.get("/documents", response_class=HTMLResponse)
async def documents_page(ctx: Context) -> HTMLResponse:
    items = await ctx.documents.all()
    return render(ctx, "documents.html", title="Официальные документы", items=items)


@router.get("/ngo", response_class=HTMLResponse)
async def ngo_page(ctx: Context) -> HTMLResponse:
    groups, count = await ctx.directory.by_area()
    return render(ctx, "ngo.html", title="НКО Глазова", groups=groups, count=count)


# ---------------------------------------------------------------- feeds, sitemap, robots


async def _feed(
    ctx: PublishingContext,
    kind: str,
    query: dict[str, Any],
    scope: str | None,
    page_path: str,
    self_path: str,
) -> Response:
    posts, _ = await ctx.posts.published(query, limit=FEED_LIMIT, count=False, full=True)
    base = ctx.settings.base_url
    body = feeds.build_feed(
        kind=kind,
        title=feeds.feed_title(ctx.settings.site_title, scope),
        base_url=base,
        self_url=base + self_path,
        page_url=base + page_path,
        posts=posts,
        now=now_utc(),
    )
    return Response(body, media_type=f"{feeds.media_type(kind)}; charset=utf-8")


@router.get("/feed.{kind}")
async def blog_feed(ctx: Context, kind: str) -> Response:
    if not feeds.is_feed_kind(kind):
        return not_found(ctx)
    return await _feed(ctx, kind, {}, None, "/", f"/feed.{kind}")


@router.get("/category/{key}/feed.{kind}")
async def category_feed(ctx: Context, key: str, kind: str) -> Response:
    if not feeds.is_feed_kind(kind) or not is_category(key):
        return not_found(ctx)
    label = CATEGORY_LABELS[Category(key)]
    return await _feed(
        ctx, kind, {"category": key}, label, f"/category/{key}", f"/category/{key}/feed.{kind}"
    )


@router.get("/tag/{tag}/feed.{kind}")
async def tag_feed(ctx: Context, tag: str, kind: str) -> Response:
    if not feeds.is_feed_kind(kind) or len(tag) > PATH_PART_MAX:
        return not_found(ctx)
    tag = normalize_tag(tag)
    path = f"/tag/{quote(tag)}"
    return await _feed(ctx, kind, {"tags": tag}, f"метка «{tag}»", path, f"{path}/feed.{kind}")


@router.get("/sitemap.xml")
async def sitemap(ctx: Context) -> Response:
    urls = feeds.sitemap_urls(ctx.settings.base_url, await ctx.posts.sitemap_entries())
    return Response(feeds.build_sitemap(urls), media_type="application/xml")


@router.get("/robots.txt", response_class=PlainTextResponse)
async def robots(ctx: Context) -> str:
    base = ctx.settings.base_url
    return (
        "User-agent: *\n"
        "Disallow: /api/\n"
        "Disallow: /search\n"
        "Allow: /\n"
        f"Sitemap: {base}/sitemap.xml\n"
    )


@router.get("/{year}/{month}/{name}")
async def legacy_blogger_url(
    ctx: Context, request: Request, year: str, month: str, name: str
) -> Response:
    """Old Blogger addresses (``/2019/03/post.html``) redirect to the imported post."""
    if len(request.url.path) > PATH_PART_MAX:
        return not_found(ctx)
    slug = await ctx.posts.legacy_target(request.url.path)
    if slug is None:
        return not_found(ctx)
    return RedirectResponse(f"/posts/{slug}", status_code=301)


# ---------------------------------------------------------------- files


@files_router.api_route("/files/{file_id}/{name}", methods=["GET", "HEAD"])
async def served_file(file_id: str, name: str, ctx: Context, request: Request) -> Response:
    """A file staff uploaded: public once uploaded (like Ghost's images), its id never
    reused and its bytes never changed, so cached for a year; the name is only decoration."""
    file = await ctx.files.find(file_id) if len(file_id) <= 100 else None
    if file is None:
        return not_found(ctx)
    return file_response(
        ctx.files, file, request, download=request.query_params.get("download") == "1"
    )


@files_router.get("/files/{file_id}")
async def file_without_name(file_id: str, ctx: Context) -> Response:
    file = await ctx.files.find(file_id) if len(file_id) <= 100 else None
    if file is None:
        return not_found(ctx)
    return RedirectResponse(file_path(file["_id"], file["name"]), status_code=301)
