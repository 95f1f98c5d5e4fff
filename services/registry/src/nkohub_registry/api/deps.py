"""Dependencies of the registry's routes: the typed context and the organization filter.
Staff dependencies (``StaffUser``, ``MaybeStaff``) come from ``nkohub_shared.web.auth``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query

from nkohub_registry.context import RegistryContext
from nkohub_registry.domain.organizations import OrganizationFilter
from nkohub_registry.domain.vocabulary import ActivityArea, LegalForm, Source, Status
from nkohub_shared.web.app import context_of

Context = Annotated[RegistryContext, Depends(context_of)]

Sort = Literal["name", "-name", "registered_on", "-registered_on", "created_at", "-created_at"]


async def organization_filter(  # async: no worker thread per request
    q: Annotated[str | None, Query(max_length=200, description="слова названия")] = None,
    activity_area: ActivityArea | None = None,
    legal_form: LegalForm | None = None,
    status: Status | None = None,
    city: Annotated[str | None, Query(max_length=100)] = None,
    never_came: Annotated[bool, Query(description="ни разу не были у нас")] = False,
    source: Annotated[Source | None, Query(description="только для сотрудников")] = None,
    awaiting_approval: Annotated[bool, Query(description="только для сотрудников")] = False,
) -> OrganizationFilter:
    return OrganizationFilter(
        q=q,
        activity_area=activity_area.value if activity_area else None,
        legal_form=legal_form.value if legal_form else None,
        status=status.value if status else None,
        city=city,
        never_came=never_came,
        source=source.value if source else None,
        awaiting_approval=awaiting_approval,
    )


Filter = Annotated[OrganizationFilter, Depends(organization_filter)]
