"""The console's pages (a package: one module per part of the week). Server-rendered
Russian HTML, Jinja2 with autoescape; forms work without JavaScript; htmx (vendored in
``static/``) only for the live Markdown preview. Translation only: the use cases are in
``service/``, the services are reached through ``service/clients``.

Every page is under ``/console`` (``PREFIX``), on the console's own port as on the site;
``/`` and ``/console`` lead to Today (``/console/``)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from nkohub_console.domain.sessions import COOKIE
from nkohub_console.pages import (
    accounts,
    alerts,
    auth,
    blog,
    door,
    files,
    mailings,
    meetups,
    messages,
    organizations,
    report,
    templates,
    today,
)
from nkohub_console.pages.common import (
    PREFIX,
    AdminOnly,
    CsrfRefused,
    SignInRequired,
    redirect,
    render,
    url,
)
from nkohub_console.service.clients import ServiceRefused, ServiceUnavailable
from nkohub_shared.web.hardening import MULTIPART_ENVELOPE_BYTES, BodyLimit

IMPORT_MAX_BYTES = 20 * 1024 * 1024
BODY_LIMITS = [
    BodyLimit(
        url("/organizations/import"), IMPORT_MAX_BYTES + MULTIPART_ENVELOPE_BYTES, field="file"
    ),
    BodyLimit(url("/files/upload"), files.FILE_MAX_BYTES + MULTIPART_ENVELOPE_BYTES, field="file"),
]

router = APIRouter(prefix=PREFIX, include_in_schema=False)
# templates and alerts before messages: its /messages/{message_id} would take their paths
for module in (
    auth,
    accounts,
    today,
    meetups,
    door,
    organizations,
    blog,
    files,
    templates,
    alerts,
    messages,
    mailings,
    report,
):
    router.include_router(module.router)

entrances = APIRouter(include_in_schema=False)


@entrances.get("/")
@entrances.get(PREFIX)
async def to_today() -> Response:
    """The console's own port at ``/``, and its prefix without the slash: Today."""
    return redirect("/")


def install(app: FastAPI) -> None:
    """The pages' answers to a missing session, a bad CSRF token, a staff account on an
    admin page and a service that refuses or is away."""

    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, exc: SignInRequired) -> Response:
        response = redirect(f"/login?next={_quote(exc.next_path)}")
        if request.cookies.get(COOKIE):
            response.delete_cookie(COOKIE, path=PREFIX)
        return response

    @app.exception_handler(CsrfRefused)
    async def csrf(request: Request, _: CsrfRefused) -> Response:
        return render(
            request,
            "error.html",
            status_code=403,
            title="Форма устарела",
            message="Форма отправлена без действующего ключа защиты (CSRF). "
            "Откройте страницу заново и повторите.",
        )

    @app.exception_handler(AdminOnly)
    async def admin_only(request: Request, _: AdminOnly) -> Response:
        return render(
            request,
            "error.html",
            status_code=403,
            title="Только для администраторов",
            message="Эта страница доступна только администраторам консоли.",
        )

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(request: Request, exc: ServiceUnavailable) -> Response:
        return render(
            request,
            "error.html",
            status_code=503,
            title="Сервис недоступен",
            message=f"Сервис «{exc.label}» сейчас не отвечает ({exc.detail}). "
            "Попробуйте через минуту.",
        )

    @app.exception_handler(ServiceRefused)
    async def refused(request: Request, exc: ServiceRefused) -> Response:
        status = exc.status if exc.status in (403, 404, 409, 422, 429) else 400
        titles = {404: "Не найдено", 403: "Нет доступа", 409: "Не получилось", 429: "Подождите"}
        return render(
            request,
            "error.html",
            status_code=status,
            title=titles.get(status, "Не получилось"),
            message=exc.message,
        )


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")
