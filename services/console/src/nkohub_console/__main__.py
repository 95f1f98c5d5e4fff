"""`nkohub-console` (or `python -m nkohub_console`): start the staff console."""

from nkohub_console.app import create_app
from nkohub_console.settings import ConsoleSettings
from nkohub_shared.serve import serve


def main() -> None:
    serve(ConsoleSettings, create_app)


if __name__ == "__main__":
    main()
