"""The blog's ways to the public forms of the other services (the pages' CSP lets a form
post only to its own service, so each service serves its own form and the blog links to
it): the subscription form from every page's footer, the NGO self-registration from the
list of NGOs."""

from __future__ import annotations


async def test_every_page_links_to_the_subscription_form(service):
    async with service(notifications_public_url="https://notify.example.org") as client:
        home = await client.get("/")
        assert home.status_code == 200
        assert 'href="https://notify.example.org/subscribe?topic=blog"' in home.text
        missing = await client.get("/posts/no-such-post")
        assert "https://notify.example.org/subscribe?topic=blog" in missing.text


async def test_the_list_of_ngos_links_to_the_self_registration_form(service):
    async with service(registry_public_url="https://registry.example.org/") as client:
        page = await client.get("/ngo")
        assert page.status_code == 200
        assert 'href="https://registry.example.org/organizations/join"' in page.text
        assert "Подайте заявку в реестр" in page.text
