"""Reply templates and exemplary cases on the pages: management, suggestions at the reply form, the
case panel on the appeal page and the case library."""

from __future__ import annotations

import re

from tests.appeals.helpers import submit
from tests.pages.helpers import act, csrf_token, login

from zhengshu.appeals import handling
from zhengshu.appeals.demo_templates import ensure_demo_templates
from zhengshu.appeals.rules import AppealRules
from zhengshu.db import transaction


def switch(client, username: str) -> None:
    client.cookies.clear()
    login(client, username)


def test_a_reviewer_manages_templates_and_bad_fields_are_explained(client, db):
    login(client, "reviewer")
    listing = client.get("/templates")
    assert listing.status_code == 200 and 'href="/templates/new"' in listing.text
    form = client.get("/templates/new")
    token = csrf_token(form.text)
    bad = client.post(
        "/templates",
        data={
            "csrf_token": token,
            "title": "油烟答复",
            "body": "{诉求人称呼}！{投诉人}",
            "category": "环境保护",
        },
    )
    assert bad.status_code == 422
    assert "未知字段 {投诉人}" in bad.text and "油烟答复" in bad.text
    created = client.post(
        "/templates",
        data={
            "csrf_token": token,
            "title": "油烟答复",
            "body": "{诉求人称呼}！{承办单位}已责令整改。",
            "category": "环境保护",
            "keywords": "油烟，餐饮",
            "use_surname": "on",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    page = client.get("/templates?category=环境保护").text
    assert "油烟答复" in page and "油烟 餐饮" in page and "可用姓氏" in page
    template_id = re.search(r'href="/templates/(\d+)"', page).group(1)
    deleted = client.post(
        f"/templates/{template_id}", data={"csrf_token": token, "delete": "1"}, follow_redirects=False
    )
    assert deleted.status_code == 303 and "油烟答复" not in client.get("/templates").text


def test_handlers_read_templates_but_do_not_write_them(client, db):
    login(client, "handler_cgj")
    listing = client.get("/templates")
    assert listing.status_code == 200 and "/templates/new" not in listing.text
    assert client.get("/templates/new").status_code == 403
    refused = client.post(
        "/templates", data={"csrf_token": csrf_token(listing.text), "title": "x", "body": "好"}
    )
    assert refused.status_code == 403
    switch(client, "leader")
    assert 'href="/templates"' not in client.get("/").text
    assert client.get("/templates").status_code == 403


def test_the_reply_form_suggests_templates_filled_with_the_appeal(client, db):
    with transaction(db.factory) as session:
        ensure_demo_templates(session)
        appeal = submit(
            session,
            db.user("operator"),
            title="垃圾收集点清运不及时",
            content="垃圾三天没有清运，很臭。",
            category="市容环卫",
        )
        handling.dispatch(
            session, appeal.id, db.user("dispatcher"), AppealRules.default(), department_code="cgj"
        )
        handling.accept(session, appeal.id, db.user("handler_cgj"))
        number = appeal.number
    switch(client, "reviewer")
    assert "推荐答复模板" not in client.get(f"/appeals/{number}").text  # the reviewer does not reply
    switch(client, "handler_cgj")
    page = client.get(f"/appeals/{number}").text
    assert "推荐答复模板" in page and "市容环卫·垃圾清运" in page and "分类相同（市容环卫）" in page
    template_id = re.search(rf'hx-get="/appeals/{number}/reply-templates/(\d+)"', page).group(1)
    filled = client.get(f"/appeals/{number}/reply-templates/{template_id}")
    assert filled.status_code == 200
    assert filled.text.startswith('<textarea id="reply-text" name="text"')
    assert number in filled.text and "{" not in filled.text
    switch(client, "handler_zjj")
    assert client.get(f"/appeals/{number}/reply-templates/{template_id}").status_code == 404


def closed(db) -> str:
    with transaction(db.factory) as session:
        appeal = submit(session, db.user("operator"), title="井盖缺失", category="市容环卫")
        handling.dispatch(
            session, appeal.id, db.user("dispatcher"), AppealRules.default(), department_code="cgj"
        )
        handling.accept(session, appeal.id, db.user("handler_cgj"))
        handling.reply(session, appeal.id, db.user("handler_cgj"), text="当天补装井盖并设置警示。")
        return appeal.number


def test_a_curator_marks_a_closed_appeal_and_the_library_finds_it(client, db):
    number = closed(db)
    login(client, "reviewer")
    assert 'id="exemplary"' not in client.get(f"/appeals/{number}").text  # not closed yet
    assert act(client, number, "approve").status_code == 303
    page = client.get(f"/appeals/{number}").text
    assert 'action="/appeals/' + number + '/case"' in page
    token = csrf_token(page)
    empty = client.post(f"/appeals/{number}/case", data={"csrf_token": token, "kind": "positive", "note": ""})
    assert "请写明列为典型案例的理由" in empty.text
    marked = client.post(
        f"/appeals/{number}/case",
        data={"csrf_token": token, "kind": "positive", "note": "当天处置，消除隐患"},
    )
    assert marked.status_code == 200 and "已列为正面典型" in marked.text
    library = client.get("/cases?kind=positive&q=隐患")
    assert number in library.text and "当天处置，消除隐患" in library.text
    assert number not in client.get("/cases?kind=negative").text
    assert client.get("/cases?kind=odd").status_code == 422
    switch(client, "leader")
    page = client.get(f"/appeals/{number}").text
    assert "当天处置，消除隐患" in page and f'action="/appeals/{number}/case"' not in page
    refused = client.post(f"/appeals/{number}/case", data={"csrf_token": csrf_token(page), "remove": "1"})
    assert refused.status_code == 403 and "无权标记典型案例" in refused.text
    switch(client, "reviewer")
    page = client.get(f"/appeals/{number}").text
    removed = client.post(f"/appeals/{number}/case", data={"csrf_token": csrf_token(page), "remove": "1"})
    assert "已取消典型案例" in removed.text
    assert number not in client.get("/cases").text
