"""The closed-on-paper audit on the pages: the queue with its reasons and highlighted boilerplate, the
redo and clear buttons, the panel on the appeal page, and who may see them."""

from __future__ import annotations

from tests.appeals.helpers import submit
from tests.pages.helpers import csrf_token, login

from zhengshu.appeals import handling
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.workflow import Status
from zhengshu.db import transaction

RULES = AppealRules.default()
BOILERPLATE = "您好！您的留言已收悉。我们将认真研究，进一步加强管理。感谢您对我们工作的支持、理解与监督！"


def replied(db, text: str = BOILERPLATE, *, close: bool = False) -> str:
    with transaction(db.factory) as session:
        appeal = submit(session, db.user("operator"))
        appeal_id, number = appeal.id, appeal.number
    with transaction(db.factory) as session:
        handling.dispatch(session, appeal_id, db.user("dispatcher"), RULES, department_code="zjj")
    with transaction(db.factory) as session:
        handling.accept(session, appeal_id, db.user("admin"))
    with transaction(db.factory) as session:
        handling.reply(session, appeal_id, db.user("admin"), text=text)
    if close:
        with transaction(db.factory) as session:
            handling.approve(session, appeal_id, db.user("reviewer"))
    return number


def status_of(db, number: str) -> str:
    with transaction(db.factory) as session:
        return session.query(Appeal).filter_by(number=number).one().status


def test_the_queue_shows_score_reasons_and_highlighted_boilerplate(client, db):
    number = replied(db)
    login(client, "reviewer")
    home = client.get("/").text
    assert 'href="/audit/closure"' in home and "形式办结审查" in home
    page = client.get("/audit/closure")
    assert page.status_code == 200
    assert number in page.text
    assert '<mark class="formula">' in page.text and "收悉" in page.text
    assert "认真研究" in page.text  # the vague-promise reason names what it found


def test_redo_from_the_queue_sends_the_reply_back(client, db):
    number = replied(db)
    login(client, "reviewer")
    page = client.get("/audit/closure")
    response = client.post(
        f"/audit/closure/appeals/{number}/redo",
        data={"csrf_token": csrf_token(page.text), "note": "请写明处理措施和结果"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert status_of(db, number) == Status.HANDLING.value
    assert f'href="/appeals/{number}"' not in client.get("/audit/closure").text


def test_clear_without_a_note_is_refused_with_a_message(client, db):
    number = replied(db, close=True)
    login(client, "reviewer")
    page = client.get("/audit/closure")
    refused = client.post(
        f"/audit/closure/appeals/{number}/clear", data={"csrf_token": csrf_token(page.text), "note": ""}
    )
    assert refused.status_code == 200 and "请填写排除理由" in refused.text
    assert f'href="/appeals/{number}"' in client.get("/audit/closure").text
    cleared = client.post(
        f"/audit/closure/appeals/{number}/clear",
        data={"csrf_token": csrf_token(page.text), "note": "已电话核实，问题已解决"},
        follow_redirects=False,
    )
    assert cleared.status_code == 303
    assert f'href="/appeals/{number}"' not in client.get("/audit/closure").text
    assert status_of(db, number) == Status.CLOSED.value


def test_the_appeal_page_shows_the_audit_to_reviewers_only(client, db):
    number = replied(db)
    login(client, "reviewer")
    page = client.get(f"/appeals/{number}").text
    assert 'id="closure-audit"' in page and "疑似形式办结" in page
    client.cookies.clear()
    login(client, "handler_zjj")
    assert 'id="closure-audit"' not in client.get(f"/appeals/{number}").text
    assert client.get("/audit/closure").status_code == 403
