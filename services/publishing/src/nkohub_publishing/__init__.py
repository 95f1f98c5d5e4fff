"""nkohub publishing service: the blog «Проект +», the grants calendar, feeds and public pages.

Rooms (the same in every service): ``domain`` (pure rules and the events they record),
``service`` (use cases), ``repository`` (MongoDB storage), ``api`` (staff HTTP under
``/api/v1``), ``pages`` (public HTML, feeds), ``consumers`` (bus handlers), ``context``
(what they all reach), ``settings``, and ``app``, which wires them into one runtime and
one FastAPI app.
"""
