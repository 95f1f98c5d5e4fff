"""Limits on what staff send: lengths (checked first), control characters, dates of the
blog's era, amounts; a refusal is a validation error naming the field, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from nkohub_publishing.domain.catalogues import CompetitionCreate, DocumentCreate
from nkohub_publishing.domain.limits import BODY_MAX, TITLE_MAX
from nkohub_publishing.domain.posts import PostCreate, PostFields, Schedule


def refused_field(model: type, **values: object) -> str:
    with pytest.raises(ValidationError) as caught:
        model(**values)
    return ".".join(str(p) for p in caught.value.errors()[0]["loc"])


def test_post_texts_have_finite_lengths():
    base = {"title": "Запись", "category": "ngo-news"}
    assert refused_field(PostCreate, **{**base, "title": "я" * (TITLE_MAX + 1)}) == "title"
    assert refused_field(PostCreate, **{**base, "body": "я" * (BODY_MAX + 1)}) == "body"
    assert PostCreate(**base, body="я" * BODY_MAX).body == "я" * BODY_MAX
    assert refused_field(PostFields, excerpt="я" * 1001) == "excerpt"
    assert refused_field(PostFields, tags=["я" * 61]) == "tags.0"
    assert refused_field(PostFields, tags=["т"] * 31) == "tags"
    assert refused_field(PostFields, author="я" * 121) == "author"
    long_url = "https://img.example/" + "x" * 2000
    assert refused_field(PostFields, cover_image_url=long_url) == "cover_image_url"


def test_control_characters_never_reach_a_post():
    fields = PostCreate(
        title="Гранты\x0b\x00для\nНКО", body="Текст\x00\x0c\nвторая строка\t.", category="ngo-news"
    )
    assert fields.title == "Гранты для НКО"
    assert fields.body == "Текст\nвторая строка\t."
    assert refused_field(PostCreate, title="\x01\x02", category="ngo-news") == "title"


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+04:00", "9999-12-31T23:59:59-04:00"])
def test_dates_outside_the_blogs_era_are_refused_not_crashed_on(moment: str):
    assert refused_field(CompetitionCreate, name="К", operator="О", closes_at=moment) == "closes_at"
    assert refused_field(Schedule, publish_at=moment) == "publish_at"
    assert refused_field(DocumentCreate, title="Д", url="https://d.example", issued_on="0001-01-01")


def test_amounts_fit_the_database():
    closes = datetime(2030, 1, 1, tzinfo=UTC)
    assert (
        refused_field(
            CompetitionCreate, name="К", operator="О", closes_at=closes, max_amount=10**30
        )
        == "max_amount"
    )
