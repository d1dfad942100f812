"""The daily briefs page: both briefs of a day, a .docx of each, for those with ANALYTICS_VIEW."""

from __future__ import annotations

import io
from datetime import timedelta

from docx import Document
from tests.appeals.helpers import submit
from tests.pages.helpers import csrf_token, login

from zhengshu.appeals import briefs
from zhengshu.clock import now
from zhengshu.db import transaction


def test_a_leader_reads_both_briefs_and_downloads_each_docx(client, db):
    with transaction(db.factory) as session:
        appeal = submit(
            session,
            db.user("operator"),
            urgency="critical",
            title="燃气管道泄漏",
            content="小区燃气管道泄漏，味道很重，担心爆炸。",
        )
        number, day = appeal.number, appeal.created_at.date()
    login(client, "leader")
    assert 'href="/briefs"' in client.get("/").text
    page = client.get(f"/briefs?date={day}")
    assert page.status_code == 200
    assert "民生诉求每日5条" in page.text and "企业诉求每日速报" in page.text
    assert number in page.text and "特急件" in page.text and "“燃气”" in page.text
    assert "无新受理企业诉求" in page.text
    for kind, title in (("daily_five", "民生诉求每日5条"), ("enterprise", "企业诉求每日速报")):
        download = client.get(f"/briefs/{day}/{kind}.docx")
        assert download.status_code == 200
        assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in download.headers["content-disposition"]
        assert Document(io.BytesIO(download.content)).paragraphs[0].text == title


def test_regenerating_replaces_the_stored_brief(client, db):
    day = (now() - timedelta(days=1)).date()
    login(client, "supervisor")
    page = client.get(f"/briefs?date={day}")
    assert "第 1 版" in page.text
    response = client.post(
        "/briefs/generate",
        data={"date": day.isoformat(), "csrf_token": csrf_token(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "第 2 版" in client.get(response.headers["location"]).text
    refused = client.post("/briefs/generate", data={"date": day.isoformat()}, follow_redirects=False)
    assert refused.status_code == 403


def test_a_bad_date_is_explained_and_a_handler_has_no_briefs(client, db):
    login(client, "leader")
    page = client.get("/briefs?date=2026-02-30")
    assert page.status_code == 422 and "日期格式有误" in page.text
    assert "民生诉求每日5条" in page.text
    bad = client.get("/briefs/2026-02-30/daily_five.docx")
    assert bad.status_code == 422 and "日期格式有误" in bad.text
    assert client.get(f"/briefs/{briefs.parse_day(None)}/weekly.docx").status_code == 404
    client.cookies.clear()
    login(client, "handler_zjj")
    assert 'href="/briefs"' not in client.get("/").text
    assert client.get("/briefs").status_code == 403
    assert client.get(f"/briefs/{briefs.parse_day(None)}/daily_five.docx").status_code == 403
