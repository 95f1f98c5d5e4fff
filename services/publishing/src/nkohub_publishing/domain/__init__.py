"""The publishing service's pure rules and the events they record: no storage, no HTTP.

- ``posts``: categories, statuses and their transitions, staff fields, edits, post events;
- ``text``: slugs, Markdown rendering and sanitising, excerpts, search words;
- ``clock``: the local (Europe/Samara) calendar;
- ``views``: visitor pseudonyms, counting periods, view reports;
- ``catalogues``: competitions, foundations and official documents as staff enter them;
- ``grants``: the grants calendar (deadline marks, days left, months);
- ``meetup_posts``: announcement and report posts of the events service's meetups;
- ``blogger``: reading the old blog's export and its view history;
- ``feeds``: Atom/RSS, sitemap and the .ics of deadlines;
- ``directory``: the «НКО Глазова» page by activity area;
- ``staff_settings``: what staff change at run time.
"""

from typing import Any

Document = dict[str, Any]
"""A stored record as the rules see it (a post, a competition, ...)."""
