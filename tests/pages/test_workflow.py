from __future__ import annotations

import re

from tests.appeals.helpers import submit
from tests.pages.helpers import act, action_form, csrf_token, form_version, login

from zhengshu.appeals.queries import by_number
from zhengshu.db import transaction


def new_appeal(db, **overrides) -> str:
    with transaction(db.factory) as session:
        return submit(session, db.user("operator"), **overrides).number


def status_of(db, number: str) -> str:
    with transaction(db.factory) as session:
        appeal = by_number(session, number)
        assert appeal is not None
        return appeal.status


def switch_user(client, username: str) -> None:
    client.cookies.clear()
    login(client, username)


def test_dispatcher_dispatches_from_the_detail_page(client, db):
    number = new_appeal(db, category="城乡建设")
    login(client, "dispatcher")
    queue = client.get("/queues/dispatch").text
    assert number in queue
    page = client.get(f"/appeals/{number}").text
    form = action_form(page, "dispatch")
    # The category's usual department is proposed.
    assert re.search(r'<option value="zjj"\s+selected>', form)
    response = act(client, number, "dispatch", department="zjj", co_departments=["cgj"], note="请尽快核查")
    assert response.status_code == 303 and response.headers["location"] == f"/appeals/{number}"
    after = client.get(f"/appeals/{number}").text
    assert "“分拨”已完成" in after
    assert "区住房和建设局" in after and "区城市管理和综合执法局" in after
    assert "主办：区住房和建设局" in after and "说明：请尽快核查" in after
    assert status_of(db, number) == "dispatched"
    assert number not in client.get("/queues/dispatch").text


def test_dispatch_errors_are_shown_in_chinese(client, db):
    number = new_appeal(db)
    login(client, "dispatcher")
    response = act(client, number, "dispatch", department="")
    assert response.status_code == 422 and "请选择主办单位" in response.text
    response = act(client, number, "dispatch", department="zjj", co_departments=["zjj"])
    assert response.status_code == 422 and "主办单位不能同时是协办单位" in response.text
    assert status_of(db, number) == "submitted"


def test_handler_of_another_department_gets_404(client, db):
    number = new_appeal(db)
    login(client, "dispatcher")
    act(client, number, "dispatch", department="zjj")
    switch_user(client, "handler_pinghu")
    page = client.get(f"/appeals/{number}")
    assert page.status_code == 404 and "诉求不存在或无权查看" in page.text
    token = csrf_token(client.get("/").text)
    post = client.post(f"/appeals/{number}/actions/accept", data={"csrf_token": token, "version": "2"})
    assert post.status_code == 404
    assert number not in client.get("/appeals").text
    assert status_of(db, number) == "dispatched"


def test_handler_accepts_and_replies_then_reviewer_approves(client, db):
    number = new_appeal(db)
    login(client, "dispatcher")
    act(client, number, "dispatch", department="zjj", co_departments=["cgj"])

    switch_user(client, "handler_zjj")
    assert number in client.get("/queues/inbox").text
    page = client.get(f"/appeals/{number}").text
    assert 'id="action-accept"' in page and 'id="action-return"' in page
    assert 'id="action-co_handler_opinion"' not in page
    assert act(client, number, "accept").status_code == 303
    page = client.get(f"/appeals/{number}").text
    assert "“签收”已完成" in page
    assert 'id="action-reply"' in page and 'id="action-request_extension"' in page

    # The co-handling department only gives its opinion.
    switch_user(client, "handler_cgj")
    page = client.get(f"/appeals/{number}").text
    assert re.findall(r'id="action-([a-z_]+)"', page) == ["co_handler_opinion"]
    assert act(client, number, "co_handler_opinion", opinion="已派执法队配合夜查").status_code == 303

    switch_user(client, "handler_zjj")
    empty = act(client, number, "reply", text="   ")
    assert empty.status_code == 422 and "请填写答复内容" in empty.text
    assert act(client, number, "reply", text="经核查，已责令工地停止夜间施工。").status_code == 303
    assert status_of(db, number) == "replied"

    switch_user(client, "reviewer")
    assert number in client.get("/queues/review").text
    assert act(client, number, "approve", note="答复规范").status_code == 303
    page = client.get(f"/appeals/{number}").text
    assert "“审核通过并办结”已完成" in page and "已办结" in page
    assert status_of(db, number) == "closed"
    assert number in client.get("/queues/follow-up").text
    assert act(client, number, "follow_up", satisfaction="satisfied").status_code == 303
    assert "<dt>回访结果</dt><dd>满意</dd>" in client.get(f"/appeals/{number}").text
    assert number not in client.get("/queues/follow-up").text


def test_stale_version_shows_the_conflict_message(client, db):
    number = new_appeal(db)
    login(client, "dispatcher")
    page = client.get(f"/appeals/{number}").text
    stale = form_version(page, "dispatch")
    act(client, number, "dispatch", department="zjj")
    switch_user(client, "handler_zjj")
    page = client.get(f"/appeals/{number}").text
    current = form_version(page, "accept")
    assert current != stale
    response = act(client, number, "accept", version=stale)
    assert response.status_code == 409
    assert "该诉求已被他人更新，请刷新后再操作" in response.text
    assert status_of(db, number) == "dispatched"
    # The page shown again carries the current version, so the next try goes through.
    assert form_version(response.text, "accept") == current
    assert act(client, number, "accept").status_code == 303


def test_an_action_the_status_does_not_allow_shows_its_message(client, db):
    number = new_appeal(db)
    login(client, "reviewer")
    page = client.get(f"/appeals/{number}").text
    token = csrf_token(page)
    response = client.post(f"/appeals/{number}/actions/approve", data={"csrf_token": token, "version": "1"})
    assert response.status_code == 409
    assert "诉求当前状态为“待分拨”，不能执行“审核通过并办结”" in response.text
    denied = client.post(
        f"/appeals/{number}/actions/dispatch", data={"csrf_token": token, "version": "1", "department": "zjj"}
    )
    assert denied.status_code == 403 and "审核员无权执行“分拨”" in denied.text
    unknown = client.post(f"/appeals/{number}/actions/explode", data={"csrf_token": token, "version": "1"})
    assert unknown.status_code == 404
    missing_token = client.post(f"/appeals/{number}/actions/approve", data={"version": "1"})
    assert missing_token.status_code == 403 and "刷新页面" in missing_token.text


def test_extension_request_and_decision_from_the_supervision_list(client, db):
    number = new_appeal(db)
    login(client, "dispatcher")
    act(client, number, "dispatch", department="zjj")
    switch_user(client, "handler_zjj")
    act(client, number, "accept")
    requested = act(client, number, "request_extension", days="3", reason="需协调多个部门现场核查")
    assert requested.status_code == 303
    page = client.get(f"/appeals/{number}").text
    assert "待审批" in page and 'id="action-request_extension"' not in page

    switch_user(client, "supervisor")
    supervision = client.get("/supervision").text
    assert number in supervision and "需协调多个部门现场核查" in supervision
    version = re.search(r'actions/decide_extension".*?name="version" value="(\d+)"', supervision, re.S)
    assert version
    response = client.post(
        f"/appeals/{number}/actions/decide_extension",
        data={
            "csrf_token": csrf_token(supervision),
            "version": version.group(1),
            "back": "/supervision",
            "decision": "approve",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/supervision"
    after = client.get("/supervision").text
    assert "已批准延期申请" in after and "没有待审批的延期申请" in after
    assert "已批准" in client.get(f"/appeals/{number}").text


def test_supervisor_issues_a_notice(client, db):
    number = new_appeal(db)
    login(client, "dispatcher")
    act(client, number, "dispatch", department="zjj")
    switch_user(client, "supervisor")
    assert act(client, number, "supervise", message="请于今日内签收").status_code == 303
    assert "请于今日内签收" in client.get("/supervision").text
    switch_user(client, "handler_zjj")
    assert "请于今日内签收" in client.get(f"/appeals/{number}").text


def test_returned_appeal_leaves_the_handlers_view(client, db):
    number = new_appeal(db)
    login(client, "dispatcher")
    act(client, number, "dispatch", department="zjj")
    switch_user(client, "handler_zjj")
    response = act(client, number, "return", reason="不属于本单位职责")
    assert response.status_code == 303 and response.headers["location"] == "/queues/inbox"
    assert "“退回”已完成" in client.get("/queues/inbox").text
    switch_user(client, "dispatcher")
    assert number in client.get("/queues/dispatch").text


def test_personal_information_is_masked_for_the_leader(client, db):
    number = new_appeal(
        db,
        appellant_id_number="11010519491231002X",
        content="请联系我13812345678，我住在凤凰大道88号附近，晚上施工很吵。",
    )
    login(client, "leader")
    page = client.get(f"/appeals/{number}")
    assert page.status_code == 200
    html = page.text
    assert "13812345678" not in html and "138****5678" in html
    assert "张三" not in html and "张*" in html
    assert "11010519491231002X" not in html and "110105********002X" in html
    assert "已脱敏" in html
    assert not re.search(r'id="action-', html)
    assert page.headers["cache-control"] == "no-store"

    switch_user(client, "dispatcher")
    html = client.get(f"/appeals/{number}").text
    assert "13812345678" in html and "张三" in html


def test_search_filters_and_pages(client, db):
    first = new_appeal(db, title="龙岗大道路灯不亮")
    second = new_appeal(db, title="布吉街道垃圾清运不及时", street="布吉街道", community=None)
    login(client, "leader")
    everything = client.get("/appeals").text
    assert first in everything and second in everything
    by_keyword = client.get("/appeals", params={"q": "路灯"}).text
    assert first in by_keyword and second not in by_keyword
    by_street = client.get("/appeals", params={"street": "440307014"}).text
    assert second in by_street and first not in by_street
    by_status = client.get("/appeals", params={"status": "closed"}).text
    assert first not in by_status and "没有符合条件的诉求" in by_status
    assert client.get("/appeals", params={"page": "0"}).status_code == 400
