"""The daily briefs page: both briefs of a day, a .docx of each, for those with ANALYTICS_VIEW."""

from __future__ import annotations

import io
from datetime import timedelta

from docx import Document
from sqlalchemy import func, select
from tests.appeals.helpers import submit
from tests.pages.helpers import csrf_token, login

from zhengshu.appeals.library_models import DailyBrief
from zhengshu.audit import AuditEvent
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
    assert "尚未保存" in page.text and "第 1 版" not in page.text
    response = client.post(
        "/briefs/generate",
        data={"date": day.isoformat(), "csrf_token": csrf_token(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "第 1 版" in client.get(response.headers["location"]).text
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
    assert page.status_code == 422 and "日期格式应为 YYYY-MM-DD" in page.text
    assert "民生诉求每日5条" in page.text
    bad = client.get("/briefs/2026-02-30/daily_five.docx")
    assert bad.status_code == 422 and "日期格式应为 YYYY-MM-DD" in bad.text
    assert client.get(f"/briefs/{now().date()}/weekly.docx").status_code == 404
    client.cookies.clear()
    login(client, "handler_zjj")
    assert 'href="/briefs"' not in client.get("/").text
    assert client.get("/briefs").status_code == 403
    assert client.get(f"/briefs/{now().date()}/daily_five.docx").status_code == 403


def _stored_and_audited(db) -> tuple[int, int]:
    with db.factory() as session:
        stored = session.scalar(select(func.count()).select_from(DailyBrief))
        audited = session.scalar(select(func.count()).where(AuditEvent.action == "daily_brief.generated"))
    return stored, audited


def test_viewing_a_brief_writes_nothing_and_shows_the_stored_one_once_generated(client, db):
    day = (now() - timedelta(days=1)).date()
    login(client, "leader")
    page = client.get(f"/briefs?date={day}")
    assert page.status_code == 200 and "尚未保存" in page.text
    assert client.get(f"/briefs/{day}/daily_five.docx").status_code == 200
    assert client.get(f"/briefs/{day}/enterprise.docx").status_code == 200
    assert _stored_and_audited(db) == (0, 0)
    client.post("/briefs/generate", data={"date": day.isoformat(), "csrf_token": csrf_token(page.text)})
    assert _stored_and_audited(db) == (2, 2)
    again = client.get(f"/briefs?date={day}")
    assert "第 1 版" in again.text and "尚未保存" not in again.text
    assert client.get(f"/briefs/{day}/daily_five.docx").status_code == 200
    assert _stored_and_audited(db) == (2, 2)


def test_days_near_year_1_or_9999_are_refused_in_chinese(client, db):
    login(client, "leader")
    for text in ("0001-01-01", "9999-12-31"):
        page = client.get(f"/briefs?date={text}")
        assert page.status_code == 422 and "日期须在 2000-01-01 至今天" in page.text
        docx = client.get(f"/briefs/{text}/daily_five.docx")
        assert docx.status_code == 422 and "日期须在 2000-01-01 至今天" in docx.text
    token = csrf_token(client.get("/briefs").text)
    refused = client.post("/briefs/generate", data={"date": "0001-01-01", "csrf_token": token})
    assert refused.status_code == 422 and "日期须在 2000-01-01 至今天" in refused.text
    assert _stored_and_audited(db) == (0, 0)
