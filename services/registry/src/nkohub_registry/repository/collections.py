"""The registry's collections."""

from typing import Any

Document = dict[str, Any]

ORGANIZATIONS = "organizations"
PROPOSALS = "proposals"
PEOPLE = "people"
ERASED = "erased_people"
HISTORY = "history"
ERASURE_REQUESTS = "erasure_requests"
