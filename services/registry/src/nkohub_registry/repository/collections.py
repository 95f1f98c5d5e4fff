"""The registry's collections."""

from typing import Any

Document = dict[str, Any]

ORGANIZATIONS = "organizations"
PEOPLE = "people"
HISTORY = "history"
