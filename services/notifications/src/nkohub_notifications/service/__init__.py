"""Use cases of the notifications service: each loads through the repositories, decides
through the domain and stores (with events) through the repositories. Consumers, routes,
pages and the background jobs call these.

- ``messages`` (``Notifier``): build, render and queue messages, fan out to followers;
- ``sender`` (``Sender``): deliver queued messages through the channels;
- ``meetups`` (``MeetupMail``), ``consultations``, ``grants``: mail the events cause;
- ``reminders`` (``Reminders``), ``digest`` (``Digests``): scheduled mail;
- ``subscriptions`` (``Subscriptions``): double opt-in, unsubscribe, staff's recipients;
- ``delivery_log`` (``DeliveryLog``): what staff see of the messages;
- ``erasure`` (``Erasure``): a person's data removed.
"""
