"""The console under ``/console`` on the one site: its addresses, its settings' public
links (no servers)."""

from __future__ import annotations

from nkohub_console.pages.common import PREFIX, console_path, url
from nkohub_console.settings import ConsoleSettings
from tests.support.isolation import (
    LINK_SECRET,
    PERSON_KEY_SECRET,
    STAFF_TOKEN_PRIVATE_KEY,
    STAFF_TOKEN_PUBLIC_KEY,
)

SETTINGS = {
    "mongodb_url": "mongodb://127.0.0.1:9",
    "amqp_url": "amqp://guest:guest@127.0.0.1:9/",
    "staff_token_public_key": STAFF_TOKEN_PUBLIC_KEY,
    "staff_token_private_key": STAFF_TOKEN_PRIVATE_KEY,
    "link_secret": LINK_SECRET,
    "person_key_secret": PERSON_KEY_SECRET,
}


def test_every_console_address_is_under_its_prefix():
    assert PREFIX == ConsoleSettings.site_path == "/console"
    assert url("/") == "/console/"
    assert url("/meetups/m1/edit") == "/console/meetups/m1/edit"
    assert url("/static/console.css") == "/console/static/console.css"


def test_a_received_path_loses_the_prefix_and_nothing_else():
    assert console_path("/console/") == "/"
    assert console_path("/console") == "/"
    assert console_path("/console/meetups/m1") == "/meetups/m1"
    assert console_path("/consoles/x") == "/consoles/x"  # not the prefix, kept as it is
    assert console_path("/health/ready") == "/health/ready"


def test_on_its_own_port_the_links_go_to_the_services_and_the_console_to_localhost():
    settings = ConsoleSettings(**SETTINGS)
    assert settings.base_url == "http://localhost:8000"
    assert settings.public_url("events") == "http://127.0.0.1:8002"
    assert settings.public_url("publishing") == "http://127.0.0.1:8004"
    assert not settings.secure_cookies


def test_behind_the_site_every_public_link_is_the_site_unless_one_is_set():
    site = {**SETTINGS, "site_url": "https://nko.example.ru/"}
    settings = ConsoleSettings(**site)
    assert settings.base_url == "https://nko.example.ru/console"
    assert settings.public_url("events") == "https://nko.example.ru"
    assert settings.public_url("publishing") == "https://nko.example.ru"
    assert settings.secure_cookies
    explicit = ConsoleSettings(
        **site,
        console_events_public_url="https://events.example.ru",
        public_base_url="http://localhost:8000",
    )
    assert explicit.public_url("events") == "https://events.example.ru"
    assert explicit.public_url("publishing") == "https://nko.example.ru"
    assert explicit.base_url == "http://localhost:8000"
