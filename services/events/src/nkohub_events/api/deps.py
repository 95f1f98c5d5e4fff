"""Dependencies the routes share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from nkohub_events.context import EventsContext
from nkohub_shared.web.app import context_of

Context = Annotated[EventsContext, Depends(context_of)]
