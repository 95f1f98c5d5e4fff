"""Moved to ``nkohub_contracts.notifications``; re-exported here until every import is renamed."""

from nkohub_contracts.notifications import *  # noqa: F403
from nkohub_contracts.notifications import __all__  # noqa: F401
