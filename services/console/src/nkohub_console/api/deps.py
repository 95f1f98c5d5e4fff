"""Dependencies the console's routes share: the typed context."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from nkohub_console.context import ConsoleContext
from nkohub_shared.web.app import context_of

Context = Annotated[ConsoleContext, Depends(context_of)]
