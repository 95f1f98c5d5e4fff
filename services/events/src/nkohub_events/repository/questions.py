"""Questions and feedback: each change others hear about carries its event in one write."""

from __future__ import annotations

from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from nkohub_events.domain import questions as rules
from nkohub_events.domain.common import new_id, utcnow
from nkohub_events.repository.base import Store
from nkohub_shared.contracts import new_event
from nkohub_shared.contracts.events import FeedbackReceived, QuestionAnswered, QuestionSubmitted
from nkohub_shared.errors import Conflict, InvalidInput, NotFound
from nkohub_shared.storage.outbox import push_outbox, strip_outbox, with_outbox


class QuestionStore(Store):
    @property
    def questions(self):
        return self.db["questions"]

    async def submit(
        self, meetup: dict[str, Any], registration: dict[str, Any], data: rules.QuestionIn
    ) -> dict[str, Any]:
        if meetup["status"] != "scheduled" or meetup["ends_at"] <= utcnow():
            raise Conflict("questions are taken before and during a meetup", field="meetup_id")
        if registration["status"] not in ("confirmed", "waitlisted"):
            raise Conflict(f"the registration is {registration['status']}", field="registration_id")
        addressed_to = data.addressed_to
        if data.program_position is not None:
            items = {p["position"]: p for p in meetup.get("program", [])}
            item = items.get(data.program_position)
            if item is None:
                raise InvalidInput("no such program item", field="program_position")
            addressed_to = addressed_to or item.get("speaker_name") or item["title"]
        qid = new_id()
        event = QuestionSubmitted(
            question_id=qid, meetup_id=meetup["_id"], addressed_to=addressed_to, text=data.text
        )
        doc = {
            "_id": qid,
            "meetup_id": meetup["_id"],
            "registration_id": registration["_id"],
            "person_key": registration["person_key"],
            "author_name": registration["name"],
            "text": data.text,
            "addressed_to": addressed_to,
            "program_position": data.program_position,
            "status": "submitted",
            "merged": [],
            "submitted_at": utcnow(),
        }
        await self.questions.insert_one(with_outbox(doc, new_event(event)))
        self.kick()
        return doc

    async def get(self, question_id: str) -> dict[str, Any]:
        q = await self.questions.find_one({"_id": question_id}, {"_outbox": 0})
        if q is None:
            raise NotFound(f"no question {question_id!r}", field="question_id")
        return q

    async def list(self, meetup_id: str, statuses: list[str]) -> list[dict[str, Any]]:
        cursor = self.questions.find(
            {"meetup_id": meetup_id, "status": {"$in": statuses}}, {"_outbox": 0}
        ).sort("submitted_at", 1)
        return [q async for q in cursor]

    async def _move(
        self, question_id: str, allowed: tuple[str, ...], update: dict, *events
    ) -> dict[str, Any]:
        q = await self.get(question_id)
        if q["status"] not in allowed:
            raise Conflict(f"the question is {q['status']}", field="status")
        done = await self.questions.find_one_and_update(
            {"_id": question_id, "status": q["status"]},
            push_outbox(update, *[new_event(e) for e in events]),
            return_document=ReturnDocument.AFTER,
        )
        if done is None:
            raise Conflict("the question changed meanwhile; reload", field="status")
        self.kick()
        return strip_outbox(done)

    async def approve(self, question_id: str, text: str | None) -> dict[str, Any]:
        q = await self.get(question_id)
        fields: dict[str, Any] = {"status": "approved", "moderated_at": utcnow()}
        if text and text != q["text"]:
            fields.update(text=text, original_text=q["text"])
        return await self._move(question_id, ("submitted", "rejected"), {"$set": fields})

    async def reject(self, question_id: str) -> dict[str, Any]:
        return await self._move(
            question_id,
            ("submitted", "approved"),
            {"$set": {"status": "rejected", "moderated_at": utcnow()}},
        )

    async def merge(self, question_id: str, into: str) -> dict[str, Any]:
        if into == question_id:
            raise InvalidInput("a question cannot be merged into itself", field="into")
        target = await self.questions.find_one({"_id": into})
        q = await self.get(question_id)
        if target is None or target["meetup_id"] != q["meetup_id"]:
            raise NotFound("no such question at this meetup", field="into")
        if target["status"] in ("merged", "rejected"):
            raise Conflict(f"the target question is {target['status']}", field="into")
        done = await self._move(
            question_id,
            ("submitted", "approved"),
            {"$set": {"status": "merged", "merged_into": into, "moderated_at": utcnow()}},
        )
        await self.questions.update_one({"_id": into}, {"$addToSet": {"merged": question_id}})
        return done

    async def answer(self, question_id: str, answer: str) -> dict[str, Any]:
        q = await self.get(question_id)
        event = QuestionAnswered(
            question_id=q["_id"],
            meetup_id=q["meetup_id"],
            addressed_to=q.get("addressed_to"),
            text=q["text"],
            answer=answer,
        )
        return await self._move(
            question_id,
            ("approved",),
            {"$set": {"status": "answered", "answer": answer, "answered_at": utcnow()}},
            event,
        )

    # -- feedback ----------------------------------------------------------------------

    async def leave_feedback(
        self, meetup: dict[str, Any], registration: dict[str, Any], data: rules.FeedbackIn
    ) -> dict[str, Any]:
        if meetup["status"] != "completed":
            raise Conflict("feedback opens when the meetup is completed", field="meetup_id")
        if registration["status"] != "confirmed":
            raise Conflict(f"the registration is {registration['status']}", field="registration_id")
        fid = registration["_id"]  # one feedback per registration
        event = FeedbackReceived(
            feedback_id=fid,
            meetup_id=meetup["_id"],
            rating=data.rating,
            has_comment=bool(data.comment),
        )
        doc = {
            "_id": fid,
            "meetup_id": meetup["_id"],
            "rating": data.rating,
            "comment": data.comment or None,
            "received_at": utcnow(),
        }
        try:
            await self.db["feedback"].insert_one(with_outbox(doc, new_event(event)))
        except DuplicateKeyError:
            raise Conflict("feedback was already left", field="registration_id") from None
        self.kick()
        return doc

    async def feedback_summary(self, meetup_id: str) -> dict[str, Any]:
        cursor = self.db["feedback"].find({"meetup_id": meetup_id}, {"_outbox": 0})
        return rules.feedback_summary([f async for f in cursor.sort("received_at", 1)])
