"""HTTP routes of the registry service, all under the one prefix `/api/v1`.

Reads of public fields are open; every write and every read of personal data needs a
staff token. Self-registration (``POST /organizations`` without a token) is the one
anonymous write: a proposal kept apart from the official records (``/proposals``) until
staff approve it; its answer is always the same.
"""

from fastapi import APIRouter

from nkohub_registry.api import exports, imports, organizations, people, proposals, reports

router = APIRouter(prefix="/api/v1", tags=["registry"])
router.include_router(exports.router)  # before /organizations/{organization_id}
router.include_router(imports.router)
router.include_router(organizations.search_router)  # the public search, cached
router.include_router(organizations.router)
router.include_router(people.router)
router.include_router(proposals.router)
router.include_router(reports.router)
