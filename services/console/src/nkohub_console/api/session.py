"""``GET /api/v1/session``: the account behind the session cookie (401 without one)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from nkohub_console.api.deps import Context
from nkohub_console.domain.accounts import account_view
from nkohub_console.domain.sessions import COOKIE

router = APIRouter(tags=["session"])


@router.get("/session")
async def who_am_i(request: Request, ctx: Context) -> dict[str, Any]:
    current = await ctx.sessions.current(request.cookies.get(COOKIE))
    if current is None:
        raise HTTPException(401, "not signed in")
    view = account_view(current.account)
    return {
        "account": {k: v for k, v in view.items() if k not in ("created_at", "deactivated_at")},
        "expires_at": current.session["expires_at"],
    }
