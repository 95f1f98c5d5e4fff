"""Staff HTTP of the publishing service: every route under ``/api/v1``, staff only."""

from fastapi import APIRouter

from nkohub_publishing.api import catalogues, files, imports, posts, staff_settings, stats

router = APIRouter(prefix="/api/v1", tags=["publishing"])
for module in (posts, catalogues, files, stats, staff_settings, imports):
    router.include_router(module.router)
