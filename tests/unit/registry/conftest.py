"""Helpers of the registry's unit tests: stored organizations as the domain makes them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from nkohub_registry.domain.organizations import OrganizationCreate, new_document, stored_values
from nkohub_registry.domain.vocabulary import Source

NOW = datetime(2019, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def stored() -> Any:
    """``stored(**fields)``: a stored organization document (staff entry by default)."""

    def make(source: Source = Source.STAFF, approved: bool = True, **fields: Any) -> dict[str, Any]:
        data = OrganizationCreate.model_validate(
            {
                "full_name": "Автономная некоммерческая организация «Ёлочка»",
                "legal_form": "ano",
                "ogrn": "1027700132195",
                "inn": "7707083893",
                "city": "Глазов",
                **fields,
            }
        )
        by_hand = sorted(data.model_fields_set) if source is Source.STAFF else []
        return new_document(
            stored_values(data.model_dump()), source=source, hand_edited=by_hand, approved=approved
        )

    return make
