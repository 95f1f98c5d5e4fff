"""Where the example subscriber's source is: its folder is put on ``sys.path`` on import,
since it is a standalone project (not a workspace member) that other teams copy."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "subscriber"
EXAMPLE_SRC = EXAMPLE / "src"
if str(EXAMPLE_SRC) not in sys.path:
    sys.path.insert(0, str(EXAMPLE_SRC))
