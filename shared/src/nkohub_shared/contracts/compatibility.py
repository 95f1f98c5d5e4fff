"""Moved to ``nkohub_contracts.compatibility``; re-exported here until every import is renamed."""

from nkohub_contracts.compatibility import *  # noqa: F403
from nkohub_contracts.compatibility import __all__  # noqa: F401
