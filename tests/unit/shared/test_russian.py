from datetime import UTC, datetime

from nkohub_shared.russian import date_ru


def test_dates_read_as_russian_in_the_venue_time_zone():
    moment = datetime(2019, 3, 28, 11, 0, tzinfo=UTC)  # 15:00 in Glazov (UTC+4)
    assert date_ru(moment) == "28 марта 2019"
    assert date_ru(moment, with_time=True) == "28 марта 2019, 15:00"
    assert date_ru(moment, with_time=True, year_suffix=True) == "28 марта 2019 г., 15:00"
    assert date_ru("2019-12-31T22:30:00+00:00") == "1 января 2020"
    assert date_ru(moment, "Europe/Moscow", with_time=True) == "28 марта 2019, 14:00"
    assert date_ru(moment, "Nowhere/Unknown") == "28 марта 2019"
