"""The 弱信号预警 page: warnings with explanation, series and appeals; detection and decisions by form."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select
from tests.appeals.test_warnings import DAY, background, seed
from tests.pages.helpers import csrf_token, login

from zhengshu.appeals.signal_models import SignalRun, SignalWarning
from zhengshu.appeals.warnings import detect_day
from zhengshu.audit import events_for
from zhengshu.db import transaction

PAGE = "/analytics/signals"


def burst_day(db) -> list[int]:
    with transaction(db.factory) as session:
        background(session, days=21)
        ids = seed(session, DAY, 8, category="城乡建设", title="工地夜间施工噪音")
        detect_day(session, DAY, actor=None)
    return ids


def test_the_page_lists_the_days_warnings_with_explanation_chart_and_appeals(db, client):
    burst_day(db)
    login(client, "leader")
    home = client.get("/")
    assert 'href="/analytics/signals"' in home.text and "弱信号预警" in home.text
    page = client.get(f"{PAGE}?day={DAY.isoformat()}")
    assert page.status_code == 200
    assert "平湖街道·城乡建设：今日 8 件，基线" in page.text
    assert "signal-chart__bar" in page.text
    assert len(re.findall(r'<a href="/appeals/\d+">', page.text)) >= 8
    assert "工地夜间施工噪音" in page.text
    assert "负二项分布" in page.text  # the method explains itself


def test_the_default_day_is_the_last_detected_one(db, client):
    burst_day(db)
    login(client, "supervisor")
    page = client.get(PAGE)
    assert f'value="{DAY.isoformat()}"' in page.text
    assert "平湖街道·城乡建设" in page.text


def test_a_day_without_appeals_gives_a_clear_message(db, client):
    login(client, "leader")
    empty_day = DAY - timedelta(days=100)
    page = client.get(f"{PAGE}?day={empty_day.isoformat()}")
    assert "尚未检测" in page.text
    response = client.post(
        f"{PAGE}/detect",
        data={"csrf_token": csrf_token(page.text), "day": empty_day.isoformat()},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "没有登记诉求，未产生弱信号预警" in response.text


def test_a_bad_date_is_explained_on_the_page(db, client):
    login(client, "leader")
    page = client.get(f"{PAGE}?day=2026-13-45")
    assert page.status_code == 200
    assert "日期格式应为 YYYY-MM-DD" in page.text


def test_acknowledging_by_form_changes_the_status_and_is_audited(db, client):
    burst_day(db)
    login(client, "leader")
    page = client.get(f"{PAGE}?day={DAY.isoformat()}")
    warning_id = int(re.search(r'id="decide-(\d+)"', page.text).group(1))
    response = client.post(
        f"{PAGE}/{warning_id}/decide",
        data={"csrf_token": csrf_token(page.text), "to": "acknowledged", "note": "已通知街道"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "已确认关注" in response.text and "已通知街道" in response.text
    with db.factory() as session:
        assert (
            session.scalar(select(SignalWarning.status).where(SignalWarning.id == warning_id))
            == "acknowledged"
        )
        assert events_for(session, "signal_warning", warning_id)[-1].action == "signal.acknowledged"


def test_an_unknown_decision_is_refused_in_chinese(db, client):
    burst_day(db)
    login(client, "leader")
    page = client.get(f"{PAGE}?day={DAY.isoformat()}")
    warning_id = int(re.search(r'id="decide-(\d+)"', page.text).group(1))
    response = client.post(
        f"{PAGE}/{warning_id}/decide", data={"csrf_token": csrf_token(page.text), "to": "delete"}
    )
    assert response.status_code == 422 and "确认关注" in response.text


def test_a_handler_may_not_open_the_page(db, client):
    login(client, "handler_zjj")
    page = client.get(PAGE)
    assert page.status_code == 403
    assert "弱信号预警" in page.text


def test_days_out_of_range_are_explained_and_detection_refuses_them(db, client):
    login(client, "leader")
    for text in ("0001-01-01", "9999-12-31"):
        page = client.get(f"{PAGE}?day={text}")
        assert page.status_code == 200 and "日期须在 2000-01-01 至今天" in page.text
    page = client.get(PAGE)
    response = client.post(f"{PAGE}/detect", data={"csrf_token": csrf_token(page.text), "day": "0001-01-01"})
    assert response.status_code == 422 and "日期须在 2000-01-01 至今天" in response.text
    with db.factory() as session:
        assert session.scalar(select(func.count()).select_from(SignalRun)) == 0


def test_a_warning_id_beyond_the_integer_range_is_a_bad_request(db, client):
    login(client, "leader")
    token = csrf_token(client.get(PAGE).text)
    for warning_id in ("0", str(2**31), "99999999999999999999999"):
        response = client.post(f"{PAGE}/{warning_id}/decide", data={"csrf_token": token, "to": "dismissed"})
        assert response.status_code == 400, warning_id
    missing = client.post(f"{PAGE}/{2**31 - 1}/decide", data={"csrf_token": token, "to": "dismissed"})
    assert missing.status_code == 404
