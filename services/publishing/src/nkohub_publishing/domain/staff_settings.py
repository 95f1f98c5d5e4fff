"""Settings staff change at run time (they start from the service's configuration)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class StaffSettingsChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    publish_meetup_announcements: bool | None = Field(
        default=None, description="publish meetup announcements at once instead of drafting"
    )
