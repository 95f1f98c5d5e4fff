"""Moved to ``nkohub_contracts.events``; re-exported here until every import is renamed."""

from nkohub_contracts.events import *  # noqa: F403
from nkohub_contracts.events import __all__  # noqa: F401
