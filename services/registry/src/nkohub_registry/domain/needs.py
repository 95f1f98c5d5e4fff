"""The needs survey of an organization and the staff report over all answers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from nkohub_registry.domain.fields import LongText
from nkohub_registry.domain.vocabulary import NEED_LABELS, SPECIALIST_LABELS, Need, SpecialistKind


class NeedsSurvey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    needs: list[Need] = []
    needs_other: LongText | None = None
    specialists: list[SpecialistKind] = []
    wants_meetups: bool
    wants_consultations: bool | None = None  # default: true when a specialist is named
    answered_on: date

    def stored(self) -> dict[str, Any]:
        return {
            "needs": [n.value for n in dict.fromkeys(self.needs)],
            "needs_other": self.needs_other,
            "specialists": [s.value for s in dict.fromkeys(self.specialists)],
            "wants_meetups": self.wants_meetups,
            "wants_consultations": (
                self.wants_consultations
                if self.wants_consultations is not None
                else bool(self.specialists)
            ),
            "answered_on": self.answered_on.isoformat(),
        }


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def needs_report(answers: Iterable[dict[str, Any]], organizations_total: int) -> dict[str, Any]:
    """Shares are of the organizations that answered (as in the 2019 survey)."""
    answers = list(answers)
    n = len(answers)

    def rows(key: str, labels: dict[str, str]) -> list[dict[str, Any]]:
        out = []
        for code, label in labels.items():
            count = sum(1 for a in answers if code in a.get(key, []))
            out.append({"code": code, "label": label, "count": count, "share": _share(count, n)})
        return out

    meet = sum(1 for a in answers if a.get("wants_meetups"))
    consult = sum(1 for a in answers if a.get("wants_consultations"))
    return {
        "organizations_total": organizations_total,
        "answered": n,
        "needs": rows("needs", NEED_LABELS),
        "specialists": rows("specialists", SPECIALIST_LABELS),
        "wants_meetups": {"count": meet, "share": _share(meet, n)},
        "wants_consultations": {"count": consult, "share": _share(consult, n)},
    }
