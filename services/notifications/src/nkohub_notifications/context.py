"""The context of the notifications service: its runtime, repositories and use cases,
built once from the runtime; consumers, routes, pages and background jobs receive it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from nkohub_notifications.channels.targets import WebhookTargets
from nkohub_notifications.domain.links import MailLinks
from nkohub_notifications.domain.rendering import Renderer
from nkohub_notifications.domain.targets import TargetPolicy
from nkohub_notifications.repository import Repositories
from nkohub_notifications.repository.attachments import AttachmentStore
from nkohub_notifications.service.alerts import Alerts
from nkohub_notifications.service.attachments import Attachments
from nkohub_notifications.service.consultations import ConsultationMail
from nkohub_notifications.service.delivery_log import DeliveryLog
from nkohub_notifications.service.digest import Digests
from nkohub_notifications.service.erasure import Erasure
from nkohub_notifications.service.erasure_requests import ErasureRequestMail
from nkohub_notifications.service.grants import GrantMail
from nkohub_notifications.service.mailings import Mailings
from nkohub_notifications.service.meetups import MeetupMail
from nkohub_notifications.service.messages import Notifier
from nkohub_notifications.service.reminders import Reminders
from nkohub_notifications.service.segments import Segments
from nkohub_notifications.service.sender import Sender
from nkohub_notifications.service.sending_rate import Pacing
from nkohub_notifications.service.speakers import SpeakerReminders
from nkohub_notifications.service.specialists import SpecialistReminders
from nkohub_notifications.service.subscriptions import SubscriptionLimits, Subscriptions
from nkohub_notifications.service.templates import TemplateEditing
from nkohub_notifications.settings import NotificationsSettings
from nkohub_shared.links import LinkSigner
from nkohub_shared.runtime import ServiceRuntime
from nkohub_shared.storage.organizations import OrganizationReadModel


@dataclass(frozen=True)
class NotificationsContext:
    runtime: ServiceRuntime[NotificationsSettings, NotificationsContext]
    repositories: Repositories
    notifier: Notifier
    sender: Sender
    reminders: Reminders
    digests: Digests
    subscriptions: Subscriptions
    meetups: MeetupMail
    consultations: ConsultationMail
    grants: GrantMail
    delivery_log: DeliveryLog
    erasure: Erasure
    mailings: Mailings
    segments: Segments
    templates: TemplateEditing
    alerts: Alerts
    specialists: SpecialistReminders
    erasure_requests: ErasureRequestMail
    speakers: SpeakerReminders
    attachments: Attachments

    @property
    def organization_read_model(self) -> OrganizationReadModel:
        """Fed by the registry's ``registry.organization.*`` events."""
        return self.repositories.organizations.read_model

    @property
    def settings(self) -> NotificationsSettings:
        return self.runtime.settings

    @classmethod
    def of(
        cls, runtime: ServiceRuntime[NotificationsSettings, NotificationsContext]
    ) -> NotificationsContext:
        s = runtime.settings
        repos = Repositories.of(runtime.db, runtime.outbox)
        links = MailLinks(
            signer=LinkSigner(s.link_secret.get_secret_value()),
            events_url=str(s.events_public_url),
            own_url=str(s.public_base_url),
        )
        targets = WebhookTargets(
            TargetPolicy.of(s.webhook_allow_private_targets, s.webhook_allowed_networks)
        )
        attachments = Attachments(
            AttachmentStore(runtime.db),
            repos.mailings,
            publishing_url=str(s.publishing_url),
            cap_bytes=s.attachments_max_bytes,
            keep=timedelta(days=s.attachments_keep_days),
        )
        sender = Sender(
            repos.messages,
            repos.subscribers,
            s,
            rate_limits=runtime.rate_limits,
            targets=targets,
            attachments=attachments,
            pacing=Pacing.of(s, repos.send_slots),
        )
        renderer = Renderer()
        notifier = Notifier(
            repos.messages,
            repos.subscribers,
            renderer,
            links,
            wake_sender=sender.wake,
            telegram_enabled=s.telegram_bot_token is not None,
        )
        reminders = Reminders(
            repos.reminders, repos.registrations, repos.meetups, notifier, s.reminder_offsets
        )
        subscriptions = Subscriptions(
            repos.subscribers,
            repos.messages,
            notifier,
            rate_limits=runtime.rate_limits,
            limits=SubscriptionLimits(
                per_client_per_hour=s.subscribe_per_client_per_hour,
                per_address_per_day=s.subscribe_per_address_per_day,
                resend_hours=s.confirm_resend_hours,
                link_days=s.confirm_link_days,
            ),
            targets=targets,
        )
        erasure = Erasure(repos)
        segments = Segments(
            repos.subscribers, repos.organizations, repos.meetups, repos.registrations
        )
        return cls(
            runtime=runtime,
            repositories=repos,
            notifier=notifier,
            sender=sender,
            reminders=reminders,
            digests=Digests(
                repos.posts,
                repos.digests,
                notifier,
                digest_time=s.digest_time,
                timezone=s.digest_timezone,
            ),
            subscriptions=subscriptions,
            meetups=MeetupMail(
                repos.meetups,
                repos.registrations,
                repos.organizations,
                notifier,
                reminders,
                subscriptions,
                erasure,
            ),
            consultations=ConsultationMail(notifier, erasure),
            grants=GrantMail(notifier),
            delivery_log=DeliveryLog(repos.messages, wake_sender=sender.wake),
            erasure=erasure,
            mailings=Mailings(
                repos.mailings,
                repos.messages,
                repos.subscribers,
                segments,
                notifier,
                attachments,
                lease=timedelta(seconds=s.mailing_lease_seconds),
            ),
            segments=segments,
            templates=TemplateEditing(repos.templates, renderer),
            alerts=Alerts(
                repos.alert_settings,
                repos.meetups,
                notifier,
                console_url=str(s.console_public_url),
            ),
            specialists=SpecialistReminders(
                repos.consultation_slots, repos.meetups, notifier, erasure
            ),
            erasure_requests=ErasureRequestMail(notifier, erasure),
            speakers=SpeakerReminders(repos.speakers, repos.meetups, notifier, erasure),
            attachments=attachments,
        )
