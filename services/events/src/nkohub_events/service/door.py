"""The public door (``domain.door``): every public form passes it before it does anything.
Counts are the shared ``RateCounter``'s (in MongoDB, so every replica shares them)."""

from __future__ import annotations

from nkohub_events.domain import door as rules
from nkohub_shared.storage.ratelimit import RateCounter


class PublicDoor:
    def __init__(self, counter: RateCounter, limits: rules.DoorLimits) -> None:
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
        await self._counter.check(limits.client(form), client, rules.TOO_MANY_FROM_CLIENT)
        if address is not None:
            await self._counter.check(
                limits.address(),
                rules.address_key(address),
                rules.TOO_MANY_TO_ADDRESS,
                field=address_field,
            )
        if registration_id is not None:
            await self._counter.check(
                limits.registration(form),
                registration_id,
                rules.TOO_MANY_FOR_REGISTRATION,
                field="registration_id",
            )
