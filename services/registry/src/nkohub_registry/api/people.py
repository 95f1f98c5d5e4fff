"""People: personal data, staff only; erasure by staff or by the person's signed link."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from nkohub_registry.api.deps import Context
from nkohub_registry.domain.people import PersonCreate, person_view
from nkohub_registry.domain.vocabulary import PersonRole
from nkohub_shared.errors import Forbidden
from nkohub_shared.web.auth import AdminUser, MaybeStaff, Role, StaffUser
from nkohub_shared.web.paging import Page

router = APIRouter()


@router.post("/people", status_code=201)
async def add_person(data: PersonCreate, ctx: Context, user: StaffUser) -> dict[str, Any]:
    """A person is held only with a processing consent (purpose, text version, date, source)."""
    return person_view(await ctx.people.add(data, actor=user.sub))


@router.get("/people")
async def list_people(
    ctx: Context,
    _: StaffUser,
    organization_id: str | None = None,
    role: PersonRole | None = None,
    page: Page = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 50,
) -> dict[str, Any]:
    items, total = await ctx.people.list(
        organization_id=organization_id,
        role=role.value if role else None,
        skip=(page - 1) * per_page,
        limit=per_page,
    )
    return {"items": [person_view(p) for p in items], "total": total, "page": page}


@router.get("/erasure-requests")
async def erasure_requests(
    ctx: Context, _: StaffUser, recent: Annotated[int, Query(ge=0, le=100)] = 20
) -> dict[str, Any]:
    """Requests from the public erasure form (``/people/erase``): counts by status
    (``mailed``, ``unknown``: nothing sent, ``erased``: confirmed) and the latest ones,
    without addresses."""
    return await ctx.erasure_requests.summary(recent=recent)


@router.get("/people/{person_id}")
async def get_person(person_id: str, ctx: Context, _: StaffUser) -> dict[str, Any]:
    return person_view(await ctx.people.get(person_id))


@router.get("/people/{person_id}/erasure-link")
async def erasure_link(person_id: str, ctx: Context, _: AdminUser) -> dict[str, Any]:
    """The link to send to the person so they can erase their data themselves (admin): it
    opens a confirmation page, ``/people/{id}/erase?expires=…&token=…``, and works for 30
    days (the token signs the purpose, the person and the expiry)."""
    return await ctx.people.erasure_link(person_id)


@router.delete("/people/{person_id}")
async def erase_person(
    person_id: str,
    ctx: Context,
    staff: MaybeStaff,
    token: Annotated[str | None, Query(max_length=200, description="ссылка из письма")] = None,
    expires: Annotated[int | None, Query(ge=0, lt=2**40, description="срок ссылки")] = None,
) -> dict[str, Any]:
    """Erase a person's personal data (152-ФЗ) and publish ``registry.person.erased``.
    An admin, or the person with the token and expiry of their link."""
    if staff is None:
        await ctx.people.erase_by_link(person_id, expires, token)
        return {"id": person_id, "erased": True}
    if staff.role is not Role.ADMIN:
        raise Forbidden("стереть данные человека может администратор", field="role")
    return person_view(await ctx.people.erase(person_id, requested_by=staff.sub))
