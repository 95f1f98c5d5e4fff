"""Questions to speakers (asked by registered participants, moderated by staff, public
when approved) and feedback after a completed meetup."""

from __future__ import annotations

from typing import Any

from nkohub_contracts import new_event
from nkohub_events.domain import audit
from nkohub_events.domain import questions as rules
from nkohub_events.domain.common import utcnow
from nkohub_events.repository.questions import FeedbackRepository, QuestionRepository
from nkohub_events.service.door import PublicDoor
from nkohub_events.service.meetups import MeetupService
from nkohub_events.service.registrations import RegistrationService
from nkohub_shared.errors import Conflict, NotFound
from nkohub_shared.ids import new_id

Question = dict[str, Any]


class QuestionService:
    def __init__(
        self,
        questions: QuestionRepository,
        feedback: FeedbackRepository,
        meetups: MeetupService,
        registrations: RegistrationService,
        *,
        door: PublicDoor,
    ) -> None:
        self._door = door
        self._questions = questions
        self._feedback = feedback
        self._meetups = meetups
        self._registrations = registrations

    async def _participant(
        self, meetup_id: str, registration_id: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The published meetup and a registration for it (its link was checked)."""
        meetup = await self._meetups.get_published(meetup_id)
        registration = await self._registrations.get(registration_id)
        rules.require_registration_of(meetup, registration)
        return meetup, registration

    async def submit(
        self, meetup_id: str, data: rules.QuestionIn, *, client: str | None = None
    ) -> Question:
        """A registered participant asks (``client``: the caller's address, counted at
        the door with the registration it speaks for)."""
        await self._door.enter("question", client, registration_id=data.registration_id)
        meetup, registration = await self._participant(meetup_id, data.registration_id)
        rules.check_can_ask(meetup, registration, utcnow())
        doc, event = rules.new_question(new_id(), meetup, registration, data, utcnow())
        return await self._questions.insert(doc, new_event(event))

    async def get(self, question_id: str) -> Question:
        q = await self._questions.get(question_id)
        if q is None:
            raise NotFound(f"no question {question_id!r}", field="question_id")
        return q

    async def public(self, meetup_id: str) -> list[Question]:
        """Approved and answered questions of a published meetup."""
        meetup = await self._meetups.get_published(meetup_id)
        return await self._questions.of_meetup(meetup["_id"], list(rules.PUBLIC_STATUSES))

    async def for_staff(self, meetup_id: str, statuses: list[str] | None) -> list[Question]:
        meetup = await self._meetups.get(meetup_id)
        return await self._questions.of_meetup(meetup["_id"], statuses or list(rules.ALL_STATUSES))

    async def _move(
        self, q: Question, fields: dict[str, Any], *events: Any, by: tuple[str, str]
    ) -> Question:
        """Change the question from the status it was read with; ``by``: (actor, action)."""
        history = audit.entry(*by, utcnow())
        done = await self._questions.move(q["_id"], q["status"], fields, *events, history=history)
        if done is None:
            raise Conflict("the question changed meanwhile; reload", field="status")
        return done

    async def approve(self, question_id: str, text: str | None, *, actor: str) -> Question:
        q = await self.get(question_id)
        return await self._move(q, rules.approval(q, text, utcnow()), by=(actor, "approved"))

    async def reject(self, question_id: str, *, actor: str) -> Question:
        q = await self.get(question_id)
        return await self._move(q, rules.rejection(q, utcnow()), by=(actor, "rejected"))

    async def merge(self, question_id: str, into: str, *, actor: str) -> Question:
        """Merge a duplicate into another question of the same meetup."""
        target = await self._questions.get(into)
        q = await self.get(question_id)
        rules.check_merge(q, target)
        done = await self._move(q, rules.merger(q, into, utcnow()), by=(actor, "merged"))
        await self._questions.add_merged(into, question_id)
        return done

    async def answer(self, question_id: str, answer: str, *, actor: str) -> Question:
        q = await self.get(question_id)
        fields, event = rules.answering(q, answer, utcnow())
        return await self._move(q, fields, new_event(event), by=(actor, "answered"))

    # -- feedback ----------------------------------------------------------------------

    async def leave_feedback(
        self, meetup_id: str, data: rules.FeedbackIn, *, client: str | None = None
    ) -> dict[str, Any]:
        await self._door.enter("feedback", client, registration_id=data.registration_id)
        meetup, registration = await self._participant(meetup_id, data.registration_id)
        doc, event = rules.new_feedback(meetup, registration, data, utcnow())
        if not await self._feedback.insert(doc, new_event(event)):
            raise Conflict("feedback was already left", field="registration_id")
        return doc

    async def feedback_summary(self, meetup_id: str) -> dict[str, Any]:
        meetup = await self._meetups.get(meetup_id)
        return rules.feedback_summary(await self._feedback.of_meetup(meetup["_id"]))
