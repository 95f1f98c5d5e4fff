"""Pure rules of the one site and of the cluster connection (no servers)."""

from __future__ import annotations

from nkohub_notifications.settings import NotificationsSettings
from nkohub_publishing.settings import PublishingSettings
from nkohub_shared.cluster import node_urls
from nkohub_shared.settings import ServiceSettings
from tests.operations.test_site_routes import SETTINGS


class ConsoleLike(ServiceSettings):
    service_name = "console"
    default_port = 8000
    site_path = "/console"


def test_without_a_site_each_service_links_to_its_own_port():
    assert str(PublishingSettings(**SETTINGS).public_base_url) == "http://localhost:8004/"
    assert str(PublishingSettings(**SETTINGS).events_public_url) == "http://localhost:8002/"


def test_the_site_is_every_public_url_unless_one_is_set():
    site = {**SETTINGS, "site_url": "https://nko.example.ru"}
    notifications = NotificationsSettings(**site)
    assert str(notifications.public_base_url) == "https://nko.example.ru/"
    assert str(notifications.events_public_url) == "https://nko.example.ru/"
    publishing = PublishingSettings(**site, events_public_url="http://localhost:8002")
    assert publishing.base_url == "https://nko.example.ru"
    assert str(publishing.events_public_url) == "http://localhost:8002/"
    own = PublishingSettings(**site, public_base_url="http://blog.local:8004")
    assert own.base_url == "http://blog.local:8004"


def test_a_service_under_a_path_of_the_site_links_below_it():
    console = ConsoleLike(**{**SETTINGS, "site_url": "https://nko.example.ru/"})
    assert str(console.public_base_url) == "https://nko.example.ru/console"


def test_every_node_keeps_the_credentials_and_the_vhost():
    urls = node_urls(
        "amqp://user:secret@10.0.0.1:5672/glazov?heartbeat=30", ["10.0.0.1:5672", "rmq2:5673"]
    )
    assert [str(u) for u in urls] == [
        "amqp://user:secret@10.0.0.1:5672/glazov?heartbeat=30",
        "amqp://user:secret@rmq2:5673/glazov?heartbeat=30",
    ]
