"""Without a browser: the console's pages that follow work going on elsewhere (a mailing
being sent, an import) reload themselves only when the person asks (``?auto=1``), and
offer «Не обновлять» then — WCAG 2.2.1 "Timing adjustable"; otherwise «Обновить»."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from nkohub_console.pages.common import render
from nkohub_console.pages.mailings import LABELS, REFRESH_SECONDS

ME = {"_id": "a1", "name": "Татьяна", "role": "staff", "email": "t@example.org"}
REFRESH = 'http-equiv="refresh"'


def _request(path: str, query: bytes) -> Request:
    scope = {"type": "http", "method": "GET", "path": path, "query_string": query, "headers": []}
    return Request(scope)


def _mailing_page(status: str, auto: bool) -> str:
    going = status in ("scheduled", "sending")
    mailing = {
        "id": "m1",
        "subject": "Приглашение",
        "status": status,
        "segment": {"kind": "topic", "topic": "meetups"},
        "send_at": "2026-12-01T10:00:00+00:00",
        "fanned_out": status != "scheduled",
        "progress": {"queued": 1, "sending": 0, "sent": 2, "failed": 0, "suppressed": 0},
    }
    query = b"auto=1" if auto else b""
    return render(
        _request("/console/mailings/m1", query),
        "mailing.html",
        m=mailing,
        segment_text="Подписчики темы",
        audience=None,
        preview={"subject": "Приглашение", "html": "<p>x</p>", "text": "x"},
        errors=None,
        form={"email": ME["email"], "when": "now"},
        going=going,
        refresh=REFRESH_SECONDS if going and auto else None,
        refresh_seconds=REFRESH_SECONDS,
        labels=LABELS,
        me=ME,
        csrf="t",
    ).body.decode()


@pytest.mark.parametrize("status", ["scheduled", "sending"])
def test_a_mailing_going_out_reloads_only_on_request(status):
    unasked = _mailing_page(status, auto=False)
    assert REFRESH not in unasked
    assert '<a href="/console/mailings/m1">Обновить</a>' in unasked
    assert '<a href="/console/mailings/m1?auto=1">Обновлять автоматически' in unasked
    asked = _mailing_page(status, auto=True)
    assert f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">' in asked
    assert '<a href="/console/mailings/m1">Не обновлять</a>' in asked
    assert "Обновлять автоматически" not in asked


def test_a_sent_mailing_never_reloads():
    for auto in (False, True):
        page = _mailing_page("sent", auto=auto)
        assert REFRESH not in page and "Обновить" not in page and "Не обновлять" not in page


def _import_page(status: str, query: bytes) -> str:
    job = {"_id": "j1", "status": status, "filename": "minjust.csv", "size": 2048}
    job |= {"started_at": None, "ended_at": None, "report": {"rows": 3}, "error": "нет"}
    return render(
        _request("/console/organizations/import/j1", query),
        "import.html",
        job=job,
        jobs=[],
        me=ME,
        csrf="t",
    ).body.decode()


def test_an_import_running_reloads_only_on_request():
    unasked = _import_page("running", b"")
    assert REFRESH not in unasked
    assert '<a href="/console/organizations/import/j1?auto=1">Обновлять автоматически' in unasked
    asked = _import_page("running", b"auto=1")
    assert '<meta http-equiv="refresh" content="3">' in asked
    assert '<a href="/console/organizations/import/j1">Не обновлять</a>' in asked
    assert REFRESH not in _import_page("done", b"auto=1")
