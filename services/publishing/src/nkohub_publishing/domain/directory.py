"""«НКО Глазова»: the active organizations of the registry, by activity area."""

from __future__ import annotations

from collections import defaultdict

from nkohub_contracts.vocabulary import ACTIVITY_AREA_LABELS, LEGAL_FORM_LABELS
from nkohub_publishing.domain import Document


def by_activity_area(organizations: list[Document]) -> list[tuple[str, list[Document]]]:
    """Groups by area label, alphabetically with «Другое» last; an organization is listed
    under each of its areas (or «Другое» when it names none)."""
    groups: dict[str, list[Document]] = defaultdict(list)
    for org in organizations:
        org["legal_form_label"] = LEGAL_FORM_LABELS.get(org.get("legal_form", ""), "")
        for area in org.get("activity_areas") or ["other"]:
            groups[ACTIVITY_AREA_LABELS.get(area, area).capitalize()].append(org)
    other = ACTIVITY_AREA_LABELS["other"].capitalize()
    return sorted(groups.items(), key=lambda kv: (kv[0] == other, kv[0].lower()))
