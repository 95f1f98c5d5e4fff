"""`nkohub-registry` (or `python -m nkohub_registry`): start the registry service."""

from nkohub_registry.app import create_app
from nkohub_registry.settings import RegistrySettings
from nkohub_shared.serve import serve


def main() -> None:
    serve(RegistrySettings, create_app)


if __name__ == "__main__":
    main()
