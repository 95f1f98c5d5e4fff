"""``python -m meetup_subscriber``: run the subscriber (settings: ``MEETUPS_*``);
``python -m meetup_subscriber figures``: print attendance per meetup from the store."""

from __future__ import annotations

import asyncio
import logging
import sys

from meetup_subscriber.settings import Settings
from meetup_subscriber.store import Store
from meetup_subscriber.subscriber import MeetupSubscriber


def print_figures(settings: Settings) -> None:
    store = Store(settings.database)
    print(f"{'дата':<11} {'посещений':>9} {'людей':>6} {'НКО':>4} {'у платформы':>12}  встреча")
    for figures in store.attendance_per_meetup().values():
        reported = "" if figures.reported_participants is None else figures.reported_participants
        print(
            f"{figures.starts_at[:10]:<11} {figures.attendances:>9} {figures.participants:>6} "
            f"{figures.organizations:>4} {reported!s:>12}  {figures.title}"
        )
    store.close()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = Settings.from_environment()
    if sys.argv[1:] == ["figures"]:
        print_figures(settings)
        return
    asyncio.run(MeetupSubscriber(settings).app.run())


if __name__ == "__main__":
    main()
