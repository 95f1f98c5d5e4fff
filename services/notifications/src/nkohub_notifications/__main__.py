"""`nkohub-notifications` (or `python -m nkohub_notifications`): start the notifications service."""

from nkohub_notifications.app import create_app
from nkohub_notifications.settings import NotificationsSettings
from nkohub_shared.serve import serve


def main() -> None:
    serve(NotificationsSettings, create_app)


if __name__ == "__main__":
    main()
