"""Slugs of Russian titles (python-slugify's transliteration, through nkohub_shared.text)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from nkohub_events.domain.meetups import SLUG_MAX, slug_candidates, slug_of

DAY = datetime(2030, 3, 28, 11, 0, tzinfo=UTC)


def test_a_russian_title_becomes_a_latin_slug_with_the_date():
    assert slug_of("Открытое общение: гранты", DAY) == "otkrytoe-obshchenie-granty-2030-03-28"
    assert slug_of("Гранты для НКО", DAY) == "granty-dlia-nko-2030-03-28"


def test_passport_transliteration_of_the_hard_letters():
    slug = slug_of("Щука, ёж и юный ястреб — Хьюстон, Царь, Чай, Шум", DAY)
    assert slug == "shchuka-ezh-i-iunyi-iastreb-khiuston-tsar-chai-shum-2030-03-28"


def test_a_long_title_is_cut_at_a_word_and_a_title_without_letters_falls_back():
    slug = slug_of("Встреча некоммерческих организаций " * 5, DAY)
    title_part = slug.removesuffix("-2030-03-28")
    assert len(title_part) <= SLUG_MAX and not title_part.endswith("-")
    assert title_part.startswith("vstrecha-nekommercheskikh-organizatsii-")
    assert slug_of("!!! ???", DAY) == "meetup-2030-03-28"


def test_a_taken_slug_gets_a_random_suffix():
    candidates = list(slug_candidates("granty-2030-03-28"))
    assert candidates[0] == "granty-2030-03-28" and len(candidates) == 5
    assert all(re.fullmatch(r"granty-2030-03-28-[0-9a-f]{4}", c) for c in candidates[1:])
