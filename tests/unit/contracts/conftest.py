"""The example subscriber is a standalone project; its source is imported from the checkout."""

from tests.contracts.example import EXAMPLE_SRC  # noqa: F401  (puts it on sys.path)
