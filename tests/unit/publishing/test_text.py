"""Slugs of Russian titles, excerpts, search words and tags."""

from __future__ import annotations

from nkohub_publishing.domain.text import (
    EXCERPT_LENGTH,
    derive_excerpt,
    normalize,
    normalize_tag,
    post_slug,
    query_words,
    render_markdown,
    rendered_fields,
    search_words,
    slug_variant,
    text_of,
)


def test_slug_transliteration_follows_the_passport_system():
    assert post_slug("Жюри, щука, цапля, чай, хор, ёлка, йога, съезд") == (
        "zhiuri-shchuka-tsaplia-chai-khor-elka-ioga-sezd"
    )
    assert post_slug("Гранты для НКО: щедрый отбор") == "granty-dlia-nko-shchedryi-otbor"
    assert post_slug("!!!") == "post"


def test_a_long_title_is_cut_at_a_word_to_80_characters():
    slug = post_slug("Очень длинный заголовок записи " * 10)
    assert len(slug) <= 80
    assert slug.startswith("ochen-dlinnyi-zagolovok-zapisi-ochen")
    assert not slug.endswith("-")
    assert slug in "-".join(["ochen-dlinnyi-zagolovok-zapisi"] * 10)


def test_slug_variants_number_from_two_and_stay_short():
    assert slug_variant("granty", 1) == "granty"
    assert slug_variant("granty", 2) == "granty-2"
    long = "a" * 80
    assert slug_variant(long, 12) == "a" * 75 + "-12"


def test_excerpt_is_cut_at_a_word_with_an_ellipsis():
    html = render_markdown("Слово " * 100)
    excerpt = derive_excerpt(html)
    assert excerpt == ("Слово " * 40).strip() + "…"
    assert len(excerpt) <= EXCERPT_LENGTH + 1
    assert derive_excerpt("<p>Коротко, и всё.</p>") == "Коротко, и всё."


def test_excerpt_drops_trailing_punctuation_before_the_ellipsis():
    html = f"<p>{'а' * 236}, конец длинного предложения</p>"
    assert derive_excerpt(html) == "а" * 236 + "…"


def test_excerpt_decodes_every_entity():
    """Before, only five entities were decoded: ``&nbsp;`` and the like stayed as text."""
    html = render_markdown("Гранты&nbsp;для НКО &laquo;Проект +&raquo; &amp; &lt;b&gt;")
    assert "&nbsp;" in html, "the sanitiser writes a non-breaking space as an entity"
    assert derive_excerpt(html) == "Гранты для НКО «Проект +» & <b>"
    assert derive_excerpt("<p>Фонд&nbsp;&mdash; &laquo;Добро&raquo;</p>") == "Фонд — «Добро»"
    assert rendered_fields("Т", "Гранты&nbsp;для НКО", None)["excerpt"] == "Гранты для НКО"


def test_tags_separate_words():
    assert text_of("<p>один</p><p>два</p>") == "один два"
    assert text_of("строка<br>другая") == "строка другая"
    assert text_of("<ul><li>а</li><li>б</li></ul>") == "а б"


def test_search_words_are_normalised_and_distinct():
    assert normalize("ЁЛКА и Ёж") == "елка и еж"
    assert search_words("Ёлки и ГРАНТЫ", "ёлки, 2024 год; Grant!") == [
        "елки",
        "и",
        "гранты",
        "2024",
        "год",
        "grant",
    ]


def test_a_query_has_at_most_eight_words():
    assert query_words("раз два три четыре пять шесть семь восемь девять") == [
        "раз", "два", "три", "четыре", "пять", "шесть", "семь", "восемь",
    ]  # fmt: skip
    assert query_words("<script>") == ["script"]
    assert query_words("!!!") == []


def test_stored_search_words_come_from_title_and_text_not_markup():
    body = "**Для** детских [объединений](https://x.example)"
    fields = rendered_fields("Ёлочный конкурс", body, None)
    assert fields["words"] == ["елочный", "конкурс", "для", "детских", "объединений"]


def test_tags_are_trimmed_lower_case_single_spaced():
    assert normalize_tag("  Открытое   Общение ") == "открытое общение"
