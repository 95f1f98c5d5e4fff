"""Writes the 2019 season's files, deterministically.

Run ``python -m nkohub_demo.season_2019.generate``.

What the practice passport (../shared/seed/practice-passport.ru.txt) says decides the shape:
72 socially oriented NGOs in Glazov, of which 15 took part (nine are named in the passport;
the other six names are invented here and marked so); a January survey (88% wanted to meet,
100% wanted consultations); five meetups plus the unscheduled meeting of 14.06; 200 distinct
participants (NGO representatives, officials, activists) on the sign-in sheets; 15
consultations; 260 blog posts with 1,953 views. Registration numbers are invented and pass
their check digits. The autumn meetup's and the December meetup's days are not in the
passport and are invented (24.10 and 19.12).
"""

from __future__ import annotations

import csv
import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from nkohub_demo.numbers import inn10, ogrn
from nkohub_demo.season_2019 import DATA

SEED = 2019

PASSPORT_NGOS = [  # (full name, legal form, activity areas) — named in the passport
    ("АНО «Молодежный культурно-спортивный центр «Тайм-клуб»", "ano", ["youth", "sport"]),
    ("АНО поддержки и развития спорта КУНГ-ФУ «Спортивный клуб «Красный кулак»", "ano", ["sport"]),
    ("АНО ДО «Лингвистический центр»", "ano", ["education"]),
    ("Фонд развития городской среды «Город-сад»", "fund", ["urban_environment"]),
    ("Благотворительный фонд помощи бездомным животным «МЫ в Ответе»", "fund", ["animals"]),
    (
        "Городская общественная организация «Краеведческий клуб» города Глазова "
        "Удмуртской Республики",
        "public_organization",
        ["local_history"],
    ),
    (
        "АНО «Центр развития и творчества для детей и взрослых «Радость»",
        "ano",
        ["children_family", "culture"],
    ),
    (
        "Местная общественная организация «Федерация шахмат города Глазов и Глазовского района»",
        "public_organization",
        ["sport"],
    ),
    ("СО АНО «Инициатива»", "ano", ["social_support"]),
]
INVENTED_PARTICIPANTS = [  # the passport counts 15 NGOs but names nine
    ("АНО «Серебряный возраст» (вымышленная)", "ano", ["veterans", "social_support"]),
    (
        "Общественная организация «Экодозор Глазова» (вымышленная)",
        "public_organization",
        ["ecology"],
    ),
    ("АНО «Удмуртский дом ремёсел» (вымышленная)", "ano", ["culture"]),
    ("Фонд «Здоровый город» (вымышленная)", "fund", ["health"]),
    ("АНО «Добрые соседи» (вымышленная)", "ano", ["social_support", "urban_environment"]),
    (
        "Местная общественная организация «Молодые семьи Глазова» (вымышленная)",
        "public_organization",
        ["children_family"],
    ),
]
OTHER_WORDS = [
    "Надежда",
    "Исток",
    "Вдохновение",
    "Открытый город",
    "Свет",
    "Парус",
    "Добродея",
    "Родник",
    "Перспектива",
    "Содружество",
    "Милосердие",
    "Радуга",
    "Гармония",
    "Опора",
    "Доверие",
    "Береги природу",
    "Память",
    "Шаг навстречу",
    "Наследие",
    "Полёт",
]
OTHER_FORMS = [
    ("АНО", "ano"),
    ("Благотворительный фонд", "fund"),
    ("Местная общественная организация", "public_organization"),
    ("Общественное движение", "public_movement"),
    ("ТОС", "tos"),
]
AREAS = [
    "youth",
    "sport",
    "culture",
    "education",
    "urban_environment",
    "ecology",
    "animals",
    "local_history",
    "children_family",
    "social_support",
    "health",
    "veterans",
    "other",
]
SURNAMES = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Корепанов",
    "Волков",
    "Бабинцев",
    "Булдаков",
    "Ившин",
    "Поздеев",
    "Чирков",
    "Шкляев",
]
MALE = [
    "Александр",
    "Сергей",
    "Дмитрий",
    "Андрей",
    "Алексей",
    "Михаил",
    "Иван",
    "Николай",
    "Владимир",
    "Евгений",
    "Павел",
    "Олег",
    "Юрий",
    "Артём",
    "Игорь",
]
FEMALE = [
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Светлана",
    "Анна",
    "Мария",
    "Екатерина",
    "Людмила",
    "Галина",
    "Марина",
    "Юлия",
    "Надежда",
    "Анастасия",
]
PATRONYMS_M = ["Александрович", "Сергеевич", "Викторович", "Иванович", "Петрович", "Юрьевич"]
PATRONYMS_F = ["Александровна", "Сергеевна", "Викторовна", "Ивановна", "Петровна", "Юрьевна"]

VENUE = {
    "name": "ПНБ им. В.Г. Короленко",
    "address": "Удмуртская Республика, г. Глазов",
    "hall_capacity": 65,
}

NEEDS = ["legal", "reporting", "premises", "pr", "grants", "other"]
SPECIALISTS = [
    "lawyer",
    "tax_inspector",
    "economist",
    "accountant",
    "pr_specialist",
    "animal_protection",
    "ecologist",
    "project_expert",
]

CATEGORIES = {  # Blogger labels the library used, and how many posts of each
    "Гранты": 95,
    "Методические рекомендации": 45,
    "Фонды-грантодатели": 35,
    "Официальные документы": 30,
    "Новости НКО": 40,
    "Митапы": 15,
}
BLOG = "https://proekt-plus-glazov.blogspot.com"


def _person(rng: random.Random, used: set[str]) -> str:
    while True:
        female = rng.random() < 0.6
        surname = rng.choice(SURNAMES) + ("а" if female else "")
        first = rng.choice(FEMALE if female else MALE)
        patronym = rng.choice(PATRONYMS_F if female else PATRONYMS_M)
        name = f"{surname} {first} {patronym}"
        if name not in used:
            used.add(name)
            return name


def organizations(rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    numbers: set[str] = set()

    def add(full_name: str, form: str, areas: list[str], took_part: bool, invented: bool) -> None:
        while True:
            number = ogrn(rng, year=rng.randrange(2002, 2019))
            inn = inn10(rng)
            if number not in numbers and inn not in numbers:
                numbers.update({number, inn})
                break
        registered = date(2000 + int(number[1:3]), rng.randrange(1, 13), rng.randrange(1, 28))
        rows.append(
            {
                "full_name": full_name,
                "legal_form": form,
                "ogrn": number,
                "inn": inn,
                "kpp": inn[:4] + "01001",
                "registration_date": registered.isoformat(),
                "address": f"Удмуртская Республика, г. Глазов, ул. {rng.choice(OTHER_WORDS)}, "
                f"д. {rng.randrange(1, 90)}",
                "city": "Глазов",
                "activity_areas": ";".join(areas),
                "took_part_2019": took_part,
                "name_invented": invented,
            }
        )

    for full_name, form, areas in PASSPORT_NGOS:
        add(full_name, form, areas, True, False)
    for full_name, form, areas in INVENTED_PARTICIPANTS:
        add(full_name, form, areas, True, True)
    combos = [(form, word) for form in OTHER_FORMS for word in OTHER_WORDS]
    for (prefix, form), word in rng.sample(combos, 72 - len(rows)):
        name = f"{prefix} «{word}» г. Глазова (вымышленная)"
        add(name, form, rng.sample(AREAS, rng.randrange(1, 3)), False, True)
    return rows


def survey(rng: random.Random, orgs: list[dict[str, object]]) -> list[dict[str, object]]:
    """25 answers: 22 want to meet (88%), all 25 want at least one consultation (100%)."""
    answered = [o for o in orgs if o["took_part_2019"]] + [
        o for o in orgs if not o["took_part_2019"]
    ][:10]
    rows = []
    for i, org in enumerate(answered):
        rows.append(
            {
                "ogrn": org["ogrn"],
                "answered_on": date(2019, 1, rng.randrange(10, 31)).isoformat(),
                "needs": ";".join(sorted(rng.sample(NEEDS[:5], rng.randrange(1, 4)))),
                "specialists": ";".join(sorted(rng.sample(SPECIALISTS, rng.randrange(1, 4)))),
                "wants_to_meet": i < 22,
            }
        )
    return rows


def _at(day: str, hhmm: str) -> str:
    return f"{day}T{hhmm}:00+04:00"  # Europe/Samara


def meetups(orgs: list[dict[str, object]]) -> list[dict[str, object]]:
    ngo = [o["ogrn"] for o in orgs if o["took_part_2019"]]
    presenting = ngo[:12]
    return [
        {
            "key": "2019-03-28",
            "title": "Митап «Открытое общение»",
            "kind": "meetup",
            "starts_at": _at("2019-03-28", "15:00"),
            "ends_at": _at("2019-03-28", "18:00"),
            "topics": ["учредительные документы", "продвижение в соцсетях", "вопросы главе города"],
            "program": [
                {
                    "kind": "consultation_block",
                    "title": "Порядок оформления уставных "
                    "(учредительных) документов НКО, порядок внесения изменений",
                    "speaker": "Управление Минюста России по УР",
                },
                {
                    "kind": "consultation_block",
                    "title": "Реклама НКО в соцсетях, формирование положительного имиджа",
                    "speaker": "Сетевое издание «Город Глазов»",
                },
                {
                    "kind": "qa_session",
                    "title": "Сессия вопросов и ответов с Главой города Глазова",
                    "speaker": "С.Н. Коновалов, Глава города Глазова",
                },
            ],
        },
        {
            "key": "2019-05-28",
            "title": "Открытое общение. Презентация НКО",
            "kind": "meetup",
            "starts_at": _at("2019-05-28", "15:00"),
            "ends_at": _at("2019-05-28", "18:00"),
            "topics": ["аналитика НКО Глазова", "презентации НКО"],
            "program": [
                {
                    "kind": "talk",
                    "title": "Краткая аналитическая информация об НКО Глазова",
                    "speaker": "ПНБ им. В.Г. Короленко",
                },
                *[
                    {
                        "kind": "ngo_presentation",
                        "title": "Презентация деятельности НКО",
                        "organization_ogrn": number,
                    }
                    for number in presenting
                ],
            ],
        },
        {
            "key": "2019-06-14",
            "title": "Внеплановая встреча НКО: итоги грантовых конкурсов",
            "kind": "unscheduled_meeting",
            "starts_at": _at("2019-06-14", "16:00"),
            "ends_at": _at("2019-06-14", "18:00"),
            "topics": ["гранты", "работа над ошибками"],
            "program": [
                {
                    "kind": "talk",
                    "title": "Итоги участия в конкурсах Фонда президентских "
                    "грантов и Росатома, «работа над ошибками»",
                    "speaker": "ПНБ им. В.Г. Короленко",
                },
            ],
        },
        {
            "key": "2019-07-11",
            "title": "Открытое общение. Точка кипения",
            "kind": "meetup",
            "starts_at": _at("2019-07-11", "15:00"),
            "ends_at": _at("2019-07-11", "18:00"),
            "topics": ["нацпроекты", "Точка кипения"],
            "program": [
                {
                    "kind": "talk",
                    "title": "Приоритетные направления проектной деятельности согласно нацпроектам",
                    "speaker": "Администрация г. Глазова",
                },
                {"kind": "networking", "title": "Идея проекта «Точка кипения» в Глазове"},
            ],
        },
        {
            "key": "2019-10-24",
            "title": "Митап «Открытое общение»: эффективность НКО",
            "kind": "meetup",
            "starts_at": _at("2019-10-24", "15:00"),
            "ends_at": _at("2019-10-24", "18:00"),
            "topics": ["эффективность НКО", "налоги", "бухгалтерская отчётность"],
            "program": [
                {
                    "kind": "talk",
                    "title": "Об эффективности участия НКО в проектной деятельности",
                    "speaker": "С.Н. Коновалов, Глава города Глазова",
                },
                {
                    "kind": "talk",
                    "title": "Сравнительный анализ участия НКО в конкурсах за три года",
                    "speaker": "Т.Г. Гафиатуллин",
                },
                {
                    "kind": "consultation_block",
                    "title": "Налогообложение и льготы НКО",
                    "speaker": "Межрайонная ИФНС России № 2 по УР",
                },
                {
                    "kind": "consultation_block",
                    "title": "Бухгалтерская отчётность и сопровождение НКО",
                    "speaker": "Центр «Сопровождение бизнеса»",
                },
            ],
        },
        {
            "key": "2019-12-19",
            "title": "Открытое общение. Новогодний",
            "kind": "meetup",
            "starts_at": _at("2019-12-19", "15:00"),
            "ends_at": _at("2019-12-19", "18:00"),
            "topics": ["итоги года", "ресурсный центр НКО"],
            "program": [
                {
                    "kind": "talk",
                    "title": "Итоги встреч 2019 года",
                    "speaker": "ПНБ им. В.Г. Короленко",
                },
                {"kind": "networking", "title": "Ресурсный центр НКО в Глазове: планы"},
            ],
        },
    ]


SPECIALIST_LIST = [
    {
        "key": "minjust",
        "name": "Консультант Управления Минюста",
        "specialty": "lawyer",
        "body": "Управление Минюста России по Удмуртской Республике",
    },
    {
        "key": "pr",
        "name": "Редакция «Город Глазов»",
        "specialty": "pr",
        "body": "Сетевое издание «Город Глазов»",
    },
    {
        "key": "tax",
        "name": "Налоговый инспектор",
        "specialty": "tax_inspector",
        "body": "Межрайонная ИФНС России № 2 по Удмуртской Республике",
    },
    {
        "key": "accounting",
        "name": "Руководитель центра «Сопровождение бизнеса»",
        "specialty": "accountant",
        "body": "Центр оказания услуг «Сопровождение бизнеса»",
    },
]


def consultations(rng: random.Random, orgs: list[dict[str, object]]) -> list[dict[str, object]]:
    ngo = [o["ogrn"] for o in orgs if o["took_part_2019"]]
    plan = [
        ("2019-03-28", "minjust", 4),
        ("2019-03-28", "pr", 3),
        ("2019-10-24", "tax", 4),
        ("2019-10-24", "accounting", 4),
    ]
    rows = []
    for meetup_key, specialist, count in plan:
        for i, number in enumerate(rng.sample(ngo, count)):
            start = datetime.fromisoformat(_at(meetup_key, "16:00")) + timedelta(minutes=20 * i)
            rows.append(
                {
                    "meetup": meetup_key,
                    "specialist": specialist,
                    "ogrn": number,
                    "starts_at": start.isoformat(),
                    "duration_minutes": 20,
                }
            )
    return rows


def sign_in_sheets(rng: random.Random, orgs: list[dict[str, object]]) -> dict[str, list[dict]]:
    """200 distinct people (NGO representatives, officials, activists) over five meetups;
    the 14.06 meeting's people all come from them too."""
    used: set[str] = set()
    ngo = [o for o in orgs if o["took_part_2019"]]
    people = []
    for i in range(200):
        if i < 120:
            org = ngo[i % len(ngo)]
            people.append(
                {
                    "name": _person(rng, used),
                    "role": "ngo_representative",
                    "organization": org["full_name"],
                    "ogrn": org["ogrn"],
                }
            )
        elif i < 150:
            people.append(
                {
                    "name": _person(rng, used),
                    "role": "official",
                    "organization": "Администрация г. Глазова",
                    "ogrn": "",
                }
            )
        else:
            people.append(
                {"name": _person(rng, used), "role": "activist", "organization": "", "ogrn": ""}
            )
    for j, person in enumerate(people):
        person["contact"] = f"participant{j + 1:03d}@example.org" if j % 3 == 0 else ""
    sizes = {
        "2019-03-28": 52,
        "2019-05-28": 60,
        "2019-07-11": 45,
        "2019-10-24": 55,
        "2019-12-19": 48,
    }
    order = people[:]
    rng.shuffle(order)
    sheets: dict[str, list[dict]] = {key: [] for key in sizes}
    cursor = 0
    for key, size in sizes.items():  # everybody once, then repeat visitors fill the hall
        fresh = order[cursor : cursor + 40]
        cursor += 40
        repeat = rng.sample([p for p in people if p not in fresh], size - len(fresh))
        sheets[key] = fresh + repeat
    assert cursor == 200
    reps = [p for p in people if p["role"] == "ngo_representative"]
    sheets["2019-06-14"] = rng.sample(reps, 20)
    return sheets


def blog(rng: random.Random) -> tuple[str, list[dict[str, object]]]:
    """A Blogger export (Atom) with 260 posts of 2019, and a stats file with 1,953 views."""
    labels = [label for label, n in CATEGORIES.items() for _ in range(n)]
    rng.shuffle(labels)
    start = datetime(2019, 1, 9, 10, 0)
    entries, posts = [], []
    for i, label in enumerate(labels):
        published = start + timedelta(hours=round(i * (8400 / 260)))
        slug = f"post-{i + 1:03d}"
        url = f"{BLOG}/{published:%Y/%m}/{slug}.html"
        title = f"{label}: выпуск {i + 1}"
        body = (
            f"<p>Материал блога «Проект +» № {i + 1} в рубрике «{label}».</p>"
            f"<p>Подробности — в библиотеке им. В.Г. Короленко.</p>"
        )
        posts.append({"url": url, "published": published})
        entries.append(
            "<entry>"
            f"<id>tag:blogger.com,1999:blog-7001.post-{900000 + i}</id>"
            f"<published>{published:%Y-%m-%dT%H:%M:%S}.000+04:00</published>"
            f"<updated>{published:%Y-%m-%dT%H:%M:%S}.000+04:00</updated>"
            "<category scheme='http://schemas.google.com/g/2005#kind' "
            "term='http://schemas.google.com/blogger/2008/kind#post'/>"
            f"<category scheme='http://www.blogger.com/atom/ns#' term={quoteattr(label)}/>"
            f"<title type='text'>{escape(title)}</title>"
            f"<content type='html'>{escape(body)}</content>"
            f"<link rel='alternate' type='text/html' href={quoteattr(url)} "
            f"title={quoteattr(title)}/>"
            "<author><name>ПНБ им. В.Г. Короленко</name></author>"
            "</entry>"
        )
    settings_entry = (
        "<entry><id>tag:blogger.com,1999:blog-7001.settings.BLOG_NAME</id>"
        "<category scheme='http://schemas.google.com/g/2005#kind' "
        "term='http://schemas.google.com/blogger/2008/kind#settings'/>"
        "<title type='text'>BLOG_NAME</title><content type='text'>Проект +</content></entry>"
    )
    feed = (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        "<feed xmlns='http://www.w3.org/2005/Atom' "
        "xmlns:thr='http://purl.org/syndication/thread/1.0'>"
        "<id>tag:blogger.com,1999:blog-7001.archive</id>"
        "<updated>2020-01-10T12:00:00.000+04:00</updated>"
        "<title type='text'>Проект +</title>" + settings_entry + "".join(entries) + "</feed>\n"
    )
    views: dict[tuple[str, str], int] = {}
    for _ in range(1953):
        post = rng.choice(posts)
        day = post["published"].date() + timedelta(days=rng.randrange(0, 20))
        day = min(day, date(2019, 12, 31))
        key = (post["url"], day.isoformat())
        views[key] = views.get(key, 0) + 1
    stats = [{"url": url, "date": day, "views": n} for (url, day), n in sorted(views.items())]
    return feed, stats


def _write_csv(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def main(target: Path = DATA) -> None:
    rng = random.Random(SEED)
    orgs = organizations(rng)
    _write_csv(target / "organizations.csv", orgs)
    _write_csv(target / "needs-survey.csv", survey(rng, orgs))
    (target / "meetups.json").write_text(
        json.dumps(
            {"venue": VENUE, "specialists": SPECIALIST_LIST, "meetups": meetups(orgs)},
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    _write_csv(target / "consultations.csv", consultations(rng, orgs))
    sheets_dir = target / "sign-in"
    sheets_dir.mkdir(exist_ok=True)
    for key, rows in sign_in_sheets(rng, orgs).items():
        _write_csv(
            sheets_dir / f"{key}.csv",
            [{k: r[k] for k in ("name", "role", "organization", "ogrn", "contact")} for r in rows],
        )
    feed, stats = blog(rng)
    (target / "blogger-export.xml").write_text(feed, encoding="utf-8")
    _write_csv(target / "blog-stats.csv", stats)


if __name__ == "__main__":
    main()
