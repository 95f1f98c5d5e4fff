"""Use cases of the publishing service: load through the repositories, decide through the
domain, store with the events (through the repositories' ``EventWriter``).

- ``posts``: staff editing, statuses, public reads of the blog;
- ``scheduling``: the background job (scheduled posts, deadline reminders, view reports);
- ``views``: counting, reporting and statistics of views;
- ``catalogues``: competitions (with deadline reminders), foundations, documents;
- ``meetup_posts``: posts from the events service's meetups;
- ``imports``: the old blog's posts and view history;
- ``directory``: the «НКО Глазова» page;
- ``staff_settings``: settings staff change at run time.
"""
