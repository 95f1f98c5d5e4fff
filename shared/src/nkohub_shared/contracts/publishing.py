"""Moved to ``nkohub_contracts.publishing``; re-exported here until every import is renamed."""

from nkohub_contracts.publishing import *  # noqa: F403
from nkohub_contracts.publishing import __all__  # noqa: F401
