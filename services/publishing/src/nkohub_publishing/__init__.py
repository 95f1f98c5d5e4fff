"""nkohub publishing service: the blog «Проект +», the grants calendar, feeds and public pages.

Layout (the same in every service): `domain` (model and rules), `repository` (MongoDB
storage), `api` (HTTP routes), `consumers` (bus handlers), `settings`, and `app`, which
wires them into one runtime and one FastAPI app.
"""
