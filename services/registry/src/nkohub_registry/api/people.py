"""People: personal data, staff only; erasure by staff or by the person's signed token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from nkohub_registry.api.deps import MaybeStaff, Service
from nkohub_registry.domain.people import ERASURE_PURPOSE, PersonCreate, person_view
from nkohub_registry.domain.vocabulary import PersonRole
from nkohub_shared.errors import DomainError, NotFound
from nkohub_shared.privacy import sign, verify
from nkohub_shared.web.auth import StaffUser

router = APIRouter()


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


def _secret(request: Request) -> str:
    return request.app.state.runtime.settings.jwt_secret.get_secret_value()


@router.post("/people", status_code=201)
async def add_person(data: PersonCreate, service: Service, _: StaffUser) -> dict[str, Any]:
    """A person is held only with a processing consent (purpose, text version, date, source)."""
    return person_view(await service.add_person(data))


@router.get("/people")
async def list_people(
    service: Service,
    _: StaffUser,
    organization_id: str | None = None,
    role: PersonRole | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 50,
) -> dict[str, Any]:
    items, total = await service.people.list(
        organization_id=organization_id,
        role=role.value if role else None,
        skip=(page - 1) * per_page,
        limit=per_page,
    )
    return {"items": [person_view(p) for p in items], "total": total, "page": page}


@router.get("/people/{person_id}")
async def get_person(person_id: str, service: Service, _: StaffUser) -> dict[str, Any]:
    doc = await service.people.get(person_id)
    if doc is None:
        raise NotFound("нет такого человека", field="id")
    return person_view(doc)


@router.get("/people/{person_id}/erasure-link")
async def erasure_link(
    person_id: str, request: Request, service: Service, _: StaffUser
) -> dict[str, str]:
    """The token (and link) to send to the person so they can erase their data themselves."""
    if await service.people.get(person_id) is None:
        raise NotFound("нет такого человека", field="id")
    token = sign(_secret(request), ERASURE_PURPOSE, person_id)
    base = str(request.app.state.runtime.settings.public_base_url).rstrip("/")
    return {"token": token, "url": f"{base}/api/v1/people/{person_id}?token={token}"}


@router.delete("/people/{person_id}")
async def erase_person(
    person_id: str,
    request: Request,
    service: Service,
    staff: MaybeStaff,
    token: Annotated[str | None, Query(max_length=200, description="ссылка из письма")] = None,
) -> dict[str, Any]:
    """Erase a person's personal data (152-ФЗ) and publish ``registry.person.erased``.
    Staff with a token, or the person with the signed token from their link."""
    if staff is None:
        if not token or not verify(_secret(request), ERASURE_PURPOSE, person_id, token):
            raise Forbidden("нужен токен сотрудника или ссылка из письма", field="token")
        await service.erase_person(person_id, requested_by="person")
        return {"id": person_id, "erased": True}
    return person_view(await service.erase_person(person_id, requested_by=staff.sub))
