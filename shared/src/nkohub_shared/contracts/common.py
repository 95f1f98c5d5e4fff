"""Moved to ``nkohub_contracts.common``; re-exported here until every import is renamed."""

from nkohub_contracts.common import *  # noqa: F403
from nkohub_contracts.common import __all__  # noqa: F401
