"""`nkohub-events` (or `python -m nkohub_events`): start the events service."""

from nkohub_events.app import create_app
from nkohub_events.settings import EventsSettings
from nkohub_shared.serve import serve


def main() -> None:
    serve(EventsSettings, create_app)


if __name__ == "__main__":
    main()
