"""What routes, pages, consumers and the background job of the service reach: its use
cases, built once from the runtime."""

from __future__ import annotations

from dataclasses import dataclass

from nkohub_publishing.domain.files import SizeLimits
from nkohub_publishing.repository import (
    CompetitionRepository,
    FileRepository,
    OrganizationRepository,
    PostRepository,
    SettingsRepository,
    ViewRepository,
    document_repository,
    foundation_repository,
)
from nkohub_publishing.service.catalogues import CatalogueService, CompetitionService
from nkohub_publishing.service.directory import DirectoryService
from nkohub_publishing.service.files import FileService
from nkohub_publishing.service.imports import ImportService
from nkohub_publishing.service.meetup_posts import MeetupPostService
from nkohub_publishing.service.posts import PostService
from nkohub_publishing.service.staff_settings import StaffSettingsService
from nkohub_publishing.service.views import ViewService
from nkohub_publishing.settings import PublishingSettings
from nkohub_shared.runtime import ServiceRuntime


@dataclass(frozen=True)
class PublishingContext:
    runtime: ServiceRuntime[PublishingSettings, PublishingContext]
    posts: PostService
    competitions: CompetitionService
    foundations: CatalogueService
    documents: CatalogueService
    views: ViewService
    staff_settings: StaffSettingsService
    meetup_posts: MeetupPostService
    imports: ImportService
    directory: DirectoryService
    files: FileService
    organizations: OrganizationRepository  # kept by the registry's events

    @property
    def settings(self) -> PublishingSettings:
        return self.runtime.settings

    @classmethod
    def of(
        cls, runtime: ServiceRuntime[PublishingSettings, PublishingContext]
    ) -> PublishingContext:
        """The context of a running service (its runtime's database and outbox)."""
        settings, db, outbox = runtime.settings, runtime.db, runtime.outbox
        post_repository = PostRepository(db, outbox)
        view_repository = ViewRepository(db, outbox)
        files = FileService(
            FileRepository(db, outbox),
            SizeLimits(settings.file_image_max_bytes, settings.file_pdf_max_bytes),
            settings.base_url,
        )
        posts = PostService(post_repository, settings.base_url, files)
        staff_settings = StaffSettingsService(
            SettingsRepository(db),
            {"publish_meetup_announcements": settings.publish_meetup_announcements},
        )
        organizations = OrganizationRepository(db)
        return cls(
            runtime=runtime,
            posts=posts,
            competitions=CompetitionService(CompetitionRepository(db, outbox), files),
            foundations=CatalogueService(foundation_repository(db)),
            documents=CatalogueService(document_repository(db), files),
            views=ViewService(
                view_repository,
                post_repository,
                secret=settings.person_key_secret.get_secret_value(),
                bucket_seconds=settings.view_bucket_seconds,
                rate_limits=runtime.rate_limits,
            ),
            staff_settings=staff_settings,
            meetup_posts=MeetupPostService(posts, staff_settings, str(settings.events_public_url)),
            imports=ImportService(posts, view_repository),
            directory=DirectoryService(organizations),
            files=files,
            organizations=organizations,
        )
