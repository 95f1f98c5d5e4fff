"""The console's small JSON API, one ``/api/v1`` prefix: who is signed in (for scripts
and the pages' health), nothing a service's own API already offers."""

from fastapi import APIRouter

from nkohub_console.api import session

router = APIRouter(prefix="/api/v1")
router.include_router(session.router)
