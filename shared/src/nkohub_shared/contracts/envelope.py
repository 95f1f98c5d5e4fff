"""Moved to ``nkohub_contracts.envelope``; re-exported here until every import is renamed."""

from nkohub_contracts.envelope import *  # noqa: F403
from nkohub_contracts.envelope import __all__  # noqa: F401
