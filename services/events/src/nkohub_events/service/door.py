"""The public door (``domain.door``): every public form passes it before it does anything.
Counts are the shared ``BatchedRateCounter``'s (in MongoDB, so every replica shares them;
a request's counts, with those of the requests at the same moment, in one group)."""

from __future__ import annotations

from nkohub_events.domain import door as rules
from nkohub_shared.storage.ratebatch import BatchedRateCounter, Check


class PublicDoor:
    def __init__(self, counter: BatchedRateCounter, limits: rules.DoorLimits) -> None:
        self._counter = counter
        self.limits = limits

    async def enter(
        self,
        form: rules.Form,
        client: str | None,
        *,
        address: str | None = None,
        address_field: str = "email",
        registration_id: str | None = None,
    ) -> None:
        """Count this use of ``form`` by ``client`` (``None``: staff, who pass), against
        the target ``address`` it mails and the ``registration_id`` it speaks for;
        ``RateLimited`` once a limit is passed."""
        if client is None:
            return
        limits = self.limits
        checks: list[Check] = [(limits.client(form), client, rules.TOO_MANY_FROM_CLIENT, None)]
        if address is not None:
            checks.append(
                (
                    limits.address(),
                    rules.address_key(address),
                    rules.TOO_MANY_TO_ADDRESS,
                    address_field,
                )
            )
        if registration_id is not None:
            checks.append(
                (
                    limits.registration(form),
                    registration_id,
                    rules.TOO_MANY_FOR_REGISTRATION,
                    "registration_id",
                )
            )
        await self._counter.check_all(checks)  # one group of counts, not one each
