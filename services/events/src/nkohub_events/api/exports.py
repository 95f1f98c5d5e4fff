"""Tables staff download, in the one dialect of ``nkohub_shared.tables`` (Russian headers)."""

from __future__ import annotations

from nkohub_shared.tables import Column

REGISTRATION_COLUMNS = (
    Column("registration_id", "ID регистрации"),
    Column("status", "Статус"),
    Column("position", "Место в листе ожидания"),
    Column("name", "Имя"),
    Column("email", "Электронная почта"),
    Column("phone", "Телефон"),
    Column("role", "Роль"),
    Column("organization_id", "ID организации в реестре"),
    Column("organization_ogrn", "ОГРН"),
    Column("organization_name", "Организация"),
    Column("mailing_consent", "Согласие на рассылку"),
    Column("consent_text_version", "Версия текста согласия"),
    Column("short_code", "Код"),
    Column("created_at", "Дата регистрации"),
    Column("checked_in_at", "Отметка о приходе"),
    Column("no_show", "Не пришёл"),
)

INDICATOR_COLUMNS = (
    Column("indicator", "Код"),
    Column("label", "Показатель"),
    Column("value", "Значение"),
)
MEETUP_COLUMNS = (
    Column("date", "Дата"),
    Column("title", "Встреча"),
    Column("participants", "Участников"),
    Column("attendances", "Посещений"),
    Column("ngos", "НКО"),
    Column("consultations", "Консультаций"),
)
ROLE_COLUMNS = (
    Column("role", "Код"),
    Column("label", "Роль"),
    Column("participants", "Участников"),
    Column("attendances", "Посещений"),
)
SPECIALTY_COLUMNS = (
    Column("specialty", "Код"),
    Column("label", "Специалист"),
    Column("consultations", "Консультаций"),
)
