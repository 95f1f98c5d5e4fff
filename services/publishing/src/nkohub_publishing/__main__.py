"""`nkohub-publishing` (or `python -m nkohub_publishing`): start the publishing service."""

from nkohub_publishing.app import create_app
from nkohub_publishing.settings import PublishingSettings
from nkohub_shared.serve import serve


def main() -> None:
    serve(PublishingSettings, create_app)


if __name__ == "__main__":
    main()
