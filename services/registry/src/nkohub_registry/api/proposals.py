"""Self-registrations awaiting staff (``/proposals``): list, read, approve (a new official
record, or the chosen fields merged into the official twin), reject, export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from nkohub_registry.api.deps import Context
from nkohub_registry.domain.proposals import ProposalApproval, ProposalStatus
from nkohub_registry.domain.table import PROPOSAL_COLUMNS
from nkohub_shared.web.auth import StaffUser
from nkohub_shared.web.downloads import TABLE_CONTENT, TableFormat, table_download

router = APIRouter()


@router.get("/proposals")
async def list_proposals(
    ctx: Context,
    _: StaffUser,
    status: ProposalStatus | None = ProposalStatus.PENDING,
    ogrn: Annotated[str | None, Query(max_length=13, pattern=r"^\d{13}$")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Proposals (pending by default), oldest first; each names its official twin
    (``official``) when a record holds its ОГРН or ИНН (``conflict``: pending and twinned)."""
    items, total = await ctx.proposals.list(
        status=status.value if status else None,
        ogrn=ogrn,
        skip=(page - 1) * per_page,
        limit=per_page,
    )
    return {"items": items, "total": total, "page": page, "per_page": per_page}


@router.get("/proposals/export", response_class=Response, responses=TABLE_CONTENT)
async def export_proposals(
    ctx: Context,
    _: StaffUser,
    format: TableFormat = "csv",
    status: ProposalStatus | None = ProposalStatus.PENDING,
) -> Response:
    """The proposals as a table (the organizations' columns, «Проверено»: нет; cells that a
    spreadsheet would run as formulas escaped)."""
    rows = [row async for row in ctx.proposals.export(status=status.value if status else None)]
    return table_download("proposals", format, PROPOSAL_COLUMNS, rows, sheet="Заявки")


@router.get("/proposals/{proposal_id}")
async def get_proposal(proposal_id: str, ctx: Context, _: StaffUser) -> dict[str, Any]:
    return await ctx.proposals.view(proposal_id)


@router.post("/proposals/{proposal_id}/approve")
async def approve_proposal(
    proposal_id: str, ctx: Context, staff: StaffUser, approval: ProposalApproval | None = None
) -> dict[str, Any]:
    """Without an official twin: the proposal becomes an official record (announced).
    With one: ``fields`` are taken into it (default: those it lacks), as a staff edit."""
    return await ctx.proposals.approve(proposal_id, approval or ProposalApproval(), by=staff.sub)


@router.post("/proposals/{proposal_id}/reject")
async def reject_proposal(proposal_id: str, ctx: Context, staff: StaffUser) -> dict[str, Any]:
    return await ctx.proposals.reject(proposal_id, by=staff.sub)
