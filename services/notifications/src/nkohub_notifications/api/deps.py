"""Dependencies of the routes and pages: the typed context, query shapes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from nkohub_notifications.context import NotificationsContext
from nkohub_shared.web.app import context_of

Context = Annotated[NotificationsContext, Depends(context_of)]
Limit = Annotated[int, Query(ge=1, le=500)]
