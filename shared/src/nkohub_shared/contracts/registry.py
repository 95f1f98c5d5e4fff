"""Moved to ``nkohub_contracts.registry``; re-exported here until every import is renamed."""

from nkohub_contracts.registry import *  # noqa: F403
from nkohub_contracts.registry import __all__  # noqa: F401
