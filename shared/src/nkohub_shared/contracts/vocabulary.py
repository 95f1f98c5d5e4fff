"""Moved to ``nkohub_contracts.vocabulary``; re-exported here until every import is renamed."""

from nkohub_contracts.vocabulary import *  # noqa: F403
from nkohub_contracts.vocabulary import __all__  # noqa: F401
