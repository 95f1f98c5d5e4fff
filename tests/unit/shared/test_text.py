"""Slugs, e-mail addresses, HTML to text and one-line names, shared by every service."""

from __future__ import annotations

import time

import pytest

from nkohub_shared.text import html_to_text, make_slug, normalise_email, one_line


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Гранты для НКО", "granty-dlia-nko"),
        (
            "Жизнеспособность проекта: щи, ёж и Чебоксары",
            "zhiznesposobnost-proekta-shchi-ezh-i-cheboksary",
        ),
        ("«Открытое общение» — 2019", "otkrytoe-obshchenie-2019"),
    ],
)
def test_slugs_follow_the_passport_romanisation(title, slug):
    assert make_slug(title, fallback="x") == slug


def test_a_slug_is_cut_at_a_word_and_falls_back_when_empty():
    slug = make_slug("слово " * 40, fallback="x", max_length=20)
    assert len(slug) <= 20 and not slug.endswith("-") and slug.startswith("slovo")
    assert make_slug("!!! ???", fallback="meetup") == "meetup"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (" Ivan.Petrov@Example.RU ", "Ivan.Petrov@example.ru"),
        ("anna+nko@mail.ru", "anna+nko@mail.ru"),
        ("пример@почта.рф", "пример@почта.рф"),
    ],
)
def test_addresses_are_checked_and_normalised(given, stored):
    assert normalise_email(given) == stored


@pytest.mark.parametrize(
    "bad",
    ["", "no-at-sign", "two@@signs.ru", "a@b", "a b@c.ru", "x@" + "d" * 250 + ".ru", "<a@b.ru>"],
)
def test_bad_addresses_are_refused(bad):
    with pytest.raises(ValueError):
        normalise_email(bad)


def test_a_huge_address_is_refused_by_its_length_first():
    started = time.perf_counter()
    with pytest.raises(ValueError, match="1 to 254"):
        normalise_email("a" * 100_000 + "@" + "b" * 100_000)
    # Not a timing claim: a regex that backtracks would take minutes, not this.
    assert time.perf_counter() - started < 5


def test_html_to_text_decodes_every_entity_and_drops_markup():
    html = (
        "<p>Гранты&nbsp;&laquo;Проект&raquo; &amp; &lt;b&gt; &#8212; "
        "<script>x</script><b>итоги</b></p>"
    )
    assert html_to_text(html) == "Гранты «Проект» & <b> — итоги"


def test_one_line_names_lose_control_characters():
    assert one_line("Анна\r\nBcc: evil@x.ru\t ") == "Анна Bcc: evil@x.ru"
    assert one_line("  Пётр   Иванов ") == "Пётр Иванов"


def test_blocks_and_line_breaks_separate_words_inline_tags_do_not():
    assert html_to_text("<p>один</p><p>два</p>три<br>четыре<li>пять</li>") == (
        "один два три четыре пять"
    )
    assert html_to_text("при<b>вет</b> <a href='x'>мир</a>") == "привет мир"
