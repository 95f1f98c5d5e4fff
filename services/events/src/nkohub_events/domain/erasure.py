"""Erasure of a person's data (152-ФЗ) on ``registry.person.erased``: names, e-mails and
phones behind the person's keys go; the pseudonymous key and the role stay, so the
practice report's figures do not change. Setting erased values twice changes nothing."""

from __future__ import annotations

from typing import Any

ERASED = "(удалено)"


def erased_registration(registration_id: str) -> dict[str, Any]:
    """A registration's personal fields, erased. Its e-mail key is freed: the address
    may register afresh."""
    return {
        "name": ERASED,
        "email": f"erased-{registration_id}@invalid",
        "email_key": f"erased:{registration_id}",
        "phone": None,
        "search": "",
        "erased": True,
    }


ERASED_ATTENDANCE: dict[str, Any] = {"name": ERASED, "erased": True}
ERASED_CONTACT: dict[str, Any] = {"name": ERASED, "email": "erased@invalid", "phone": None}
