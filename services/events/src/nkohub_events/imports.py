"""Sign-in sheets (issue 7): a CSV or XLSX list of who came to a meetup — columns name,
role, organization, optional contact (e-mail) — recorded as attendances.

People are matched to the meetup's registrations by e-mail, else by name; organizations
to the registry's read model by ОГРН or name. A person without an e-mail gets a
pseudonymous key from name + organization, so the same sheet imported twice records
nothing new (one attendance per person per meetup).
"""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

from openpyxl import load_workbook

from nkohub_events.domain.common import EMAIL_RE, ROLE_LABELS, normalise, utcnow
from nkohub_shared.errors import InvalidInput
from nkohub_shared.privacy import person_key

HEADERS = {
    "name": ("name", "имя", "фио", "участник"),
    "role": ("role", "роль", "кто"),
    "organization": ("organization", "организация", "нко"),
    "contact": ("contact", "email", "e-mail", "почта", "контакт"),
}
ROLE_BY_LABEL = {normalise(v): k for k, v in ROLE_LABELS.items()} | {
    "нко": "ngo_representative",
    "омс": "official",
    "администрация": "official",
    "сми": "media",
}


def read_sheet(filename: str, content: bytes) -> list[dict[str, str]]:
    if not content:
        raise InvalidInput("the file is empty", field="file")
    if filename.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True).active
        except Exception:
            raise InvalidInput("not a readable XLSX file", field="file") from None
        rows = [
            ["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)
        ]
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1251")
        try:
            dialect: Any = csv.Sniffer().sniff(text[:2000], delimiters=",;\t")
        except csv.Error:
            dialect = "excel"
        rows = list(csv.reader(io.StringIO(text), dialect))
    if not rows:
        raise InvalidInput("the file has no rows", field="file")
    header = [normalise(h) for h in rows[0]]
    columns: dict[str, int] = {}
    for key, names in HEADERS.items():
        for i, h in enumerate(header):
            if h in names:
                columns[key] = i
                break
    if "name" not in columns:
        raise InvalidInput("the first row must name the columns (name/имя, ...)", field="file")
    out = []
    for row in rows[1:]:
        item = {k: (row[i].strip() if i < len(row) and row[i] else "") for k, i in columns.items()}
        if any(item.values()):
            out.append(item)
    return out


def role_of(value: str) -> str | None:
    v = normalise(value)
    if not v:
        return "other"
    if v in ROLE_LABELS:
        return v
    return ROLE_BY_LABEL.get(v)


def anonymous_key(name: str, organization: str) -> str:
    raw = f"sheet:{normalise(name)}|{normalise(organization)}"
    return hashlib.sha256(raw.encode()).hexdigest()


async def import_sign_in_sheet(ctx, meetup: dict[str, Any], rows: list[dict[str, str]]) -> dict:
    db = ctx.runtime.db
    registrations = [
        r async for r in db["registrations"].find({"meetup_id": meetup["_id"]}, {"_outbox": 0})
    ]
    by_email = {r["email_key"]: r for r in registrations}
    by_name = {normalise(r["name"]): r for r in registrations}
    orgs = [o async for o in db["organizations"].find()]
    org_by_name = {}
    for o in orgs:
        for n in (o.get("full_name"), o.get("short_name")):
            if n:
                org_by_name[normalise(n)] = o
    org_by_ogrn = {o.get("ogrn"): o for o in orgs}
    recorded, repeated, errors = 0, 0, []
    after_the_fact = meetup["status"] == "completed" or bool(meetup.get("recorded_after_the_fact"))
    for number, row in enumerate(rows, start=2):
        name = row.get("name", "")
        if not name:
            errors.append({"row": number, "field": "name", "message": "no name"})
            continue
        role = role_of(row.get("role", ""))
        if role is None:
            errors.append(
                {"row": number, "field": "role", "message": f"unknown role {row['role']!r}"}
            )
            continue
        contact = row.get("contact", "")
        if contact and not EMAIL_RE.match(contact):
            errors.append({"row": number, "field": "contact", "message": "not an e-mail address"})
            continue
        registration = by_email.get(contact.lower()) if contact else None
        registration = registration or by_name.get(normalise(name))
        org_text = row.get("organization", "")
        org = org_by_ogrn.get(org_text) or org_by_name.get(normalise(org_text))
        if registration is not None:
            key = registration["person_key"]
            org_id = registration.get("organization_id") or (org["_id"] if org else None)
            org_name = registration.get("organization_name") or org_text or None
            role = registration["role"] if not row.get("role") else role
        else:
            key = person_key(contact) if contact else anonymous_key(name, org_text)
            org_id = org["_id"] if org else None
            org_name = (org.get("short_name") or org["full_name"]) if org else (org_text or None)
        new = await ctx.registrations.record_attendance(
            meetup,
            person=key,
            role=role,
            name=name,
            organization_id=org_id,
            organization_name=org_name,
            registration_id=registration["_id"] if registration else None,
            at=meetup["starts_at"] if after_the_fact else utcnow(),
            after_the_fact=after_the_fact,
        )
        if new:
            recorded += 1
            if registration is not None and registration["status"] == "confirmed":
                await db["registrations"].update_one(
                    {"_id": registration["_id"], "checked_in_at": None},
                    {"$set": {"checked_in_at": utcnow(), "no_show": False}},
                )
        else:
            repeated += 1
    return {"rows": len(rows), "recorded": recorded, "already_recorded": repeated, "errors": errors}
