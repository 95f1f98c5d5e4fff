"""The notifications service's domain: pure rules, no I/O.

- ``messages``: a message is stored before it is sent (recipient, channel, template,
  rendered content, a unique idempotency key); its status and retries;
- ``subscribers``: topics, consent, double opt-in, who may be mailed;
- ``reminders``: due times, and their recomputation when a meetup moves;
- ``digest``: the daily digest's window and each follower's posts;
- ``rate``: the per-channel rate limit's arithmetic;
- ``links``: signed links and ``List-Unsubscribe``;
- ``rendering``, ``wording``, ``samples``: the templates, their Russian and sample data;
- ``readmodel``: states of the meetups and registrations read model.
"""

from nkohub_notifications.domain.messages import (
    Channel,
    Delivery,
    MessageFilter,
    Outcome,
    Recipient,
    Status,
)
from nkohub_notifications.domain.subscribers import (
    SubscriberFields,
    SubscriberStatus,
    Topic,
    TopicChoice,
    subscriber_document,
)

__all__ = [
    "Channel",
    "Delivery",
    "MessageFilter",
    "Outcome",
    "Recipient",
    "Status",
    "SubscriberFields",
    "SubscriberStatus",
    "Topic",
    "TopicChoice",
    "subscriber_document",
]
