"""Moved to ``nkohub_contracts.base``; re-exported here until every import is renamed."""

from nkohub_contracts.base import *  # noqa: F403
from nkohub_contracts.base import __all__  # noqa: F401
