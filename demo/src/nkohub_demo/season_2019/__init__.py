"""The files of the 2019 season. ``generate.py`` made them (seeded); the demo reads them."""

from pathlib import Path

DATA = Path(__file__).resolve().parent
