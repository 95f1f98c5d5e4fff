"""Integration events: the public API other teams subscribe to.

The contracts live in their own package, ``nkohub_contracts`` (``contracts/`` at the
repository's root, published as the ``nkohub-contracts`` wheel). This package and its
modules (``nkohub_shared.contracts.events`` …) re-export it until every import is renamed.
"""

from nkohub_contracts import *  # noqa: F403
from nkohub_contracts import __all__  # noqa: F401
