"""Pre-fill and pre-review over HTTP: the stateless API and page (no login), the applicant's profile,
pre-filled form, drafts, pre-review next to the fields and submission, 帮办 by an officer, who is
refused, and bad input as problem details or Chinese pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.conftest import Database
from tests.guide.applications_data import (
    GUARD,
    GUARD_MATERIALS,
    ID_NUMBER,
    PERSON_VALUES,
    SHOP,
    answers,
    clean,
    ensure_applicants,
    load_items,
    person,
)
from tests.pages.helpers import csrf_token, login
from tests.web_helpers import token_headers

from zhengshu.db import reading
from zhengshu.guide.application_models import ServiceApplication
from zhengshu.org.models import User

PREREVIEW = "/api/v1/guide/prereview"
APPLICATIONS = "/api/v1/guide/applications"
PROBLEM = "application/problem+json"
WRONG_ID = ID_NUMBER[:17] + "5"


@pytest.fixture
def guide(db: Database) -> Iterator[Database]:
    ensure_applicants(db)
    clean(db)
    load_items(db)
    yield db
    clean(db)


def _form_data(
    page: str, values: dict[str, str], materials: dict[int, dict[str, str]] | None = None, **extra: str
) -> dict[str, str]:
    """The page's form as a browser would post it: ticked material rows by their index."""
    data = {"csrf_token": csrf_token(page), "kind": "person", **values, **extra}
    for index, parts in (materials or {}).items():
        data[f"m{index}_has"] = "1"
        data.update({f"m{index}_{key}": value for key, value in parts.items()})
    return data


ALL_MATERIALS = {
    0: {"form": "原件和复印件", "medium": "纸质", "valid_until": "2036-01-01"},
    1: {"medium": "纸质", "issued_on": "2026-10-01"},
    2: {"form": "原件"},
}


def _block(html: str, element_id: str) -> str:
    """The HTML from the element with this id to the next field's block."""
    start = html.index(f'id="{element_id}"')
    following = html.find('id="field-', start + 10)
    return html[start : following if following > 0 else len(html)]


# --- the stateless pre-review --------------------------------------------------------------------


def test_the_api_checks_an_application_without_login(guide: Database, client: Any) -> None:
    body = {"item": GUARD.code, "values": person(id_number=WRONG_ID), "materials": GUARD_MATERIALS[:2]}
    reply = client.post(PREREVIEW, json=body)
    assert reply.status_code == 200, reply.text
    found = reply.json()
    assert found["passed"] is False and found["counts"]["errors"] == 2
    by_code = {f["code"]: f for f in found["findings"]}
    assert by_code["id_number.check_digit"]["message"] == "身份证号码第18位校验码应为2，与填写的不符"
    assert by_code["id_number.check_digit"]["field"] == "id_number"
    assert by_code["material.missing"]["material"] == "学历证明" and by_code["material.missing"]["action"]
    clean_reply = client.post(
        PREREVIEW, json={**body, "values": person(), "materials": GUARD_MATERIALS}
    ).json()
    assert clean_reply["passed"] is True


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"item": "NO-SUCH", "values": {}}, 404, "未找到编码为"),
        ({"item": GUARD.code, "values": {"nickname": "x"}}, 422, "不认识的字段"),
        ({"item": GUARD.code, "values": {"name": "陈" * 80}}, 422, "不能超过 50 个字"),
        ({"item": GUARD.code, "values": {"name": 5}}, 422, "格式不正确"),
        ({"item": GUARD.code, "kind": "robot"}, 422, "申请人类型取值无效"),
        ({"item": GUARD.code, "materials": [{"name": "身份证", "form": "扫描件"}]}, 422, "取值无效"),
        # The service's own words for too many materials, not pydantic's "materials：无效".
        ({"item": GUARD.code, "materials": [{"name": "x"}] * 61}, 422, "材料不能超过 60 项"),
        ({"values": {}}, 422, "提交的内容有误"),
    ],
)
def test_bad_prereview_bodies_get_problem_details(
    guide: Database, client: Any, body: dict[str, Any], status: int, says: str
) -> None:
    reply = client.post(PREREVIEW, json=body)
    assert reply.status_code == status and reply.headers["content-type"].startswith(PROBLEM)
    assert says in reply.json()["detail"]


def test_the_form_api_lists_fields_questions_and_materials(guide: Database, client: Any) -> None:
    form = client.get("/api/v1/guide/form", params={"item": GUARD.code}).json()
    names = [f["name"] for f in form["fields"]]
    assert names[:3] == ["name", "id_type", "id_number"]
    questions = [f for f in form["fields"] if f["kind"] == "yes_no"]
    assert questions[0]["label"] == "申请人是否年满18周岁？" and questions[0]["condition"]["source"]
    assert [m["name"] for m in form["materials"]][0] == "居民身份证"
    enterprise = client.get("/api/v1/guide/form", params={"item": SHOP.code, "kind": "enterprise"}).json()
    assert "credit_code" in [f["name"] for f in enterprise["fields"]]


def test_the_page_shows_findings_next_to_the_fields_without_login(guide: Database, client: Any) -> None:
    page = client.get(f"/guide/items/{GUARD.code}/apply")
    assert (
        page.status_code == 200
        and "申请人是否年满18周岁？" in page.text
        and "登录</a>后可自动预填" in page.text
    )
    data = _form_data(
        page.text, person(id_number=WRONG_ID), {0: ALL_MATERIALS[0], 1: ALL_MATERIALS[1]}, action="prereview"
    )
    reviewed = client.post(f"/guide/items/{GUARD.code}/apply", data=data)
    assert reviewed.status_code == 200
    assert "智能预审结果：2 项错误" in reviewed.text
    assert "身份证号码第18位校验码应为2" in _block(reviewed.text, "field-id_number")
    assert "缺少申请材料「学历证明」" in _block(reviewed.text, "material-2")
    # What was typed is kept.
    assert f'value="{WRONG_ID}"' in reviewed.text
    assert re.search(r'name="m0_has" value="1"\s+checked', reviewed.text)
    # An htmx request gets the same page; the button swaps the #application part of it.
    htmx = client.post(f"/guide/items/{GUARD.code}/apply", data=data, headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and 'id="application"' in htmx.text


def test_the_page_refuses_a_post_without_its_token(guide: Database, client: Any) -> None:
    client.get(f"/guide/items/{GUARD.code}/apply")
    refused = client.post(
        f"/guide/items/{GUARD.code}/apply",
        data={"kind": "person", "action": "prereview"},
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 403 and "页面已过期" in refused.text


def test_the_page_answers_bad_values_in_chinese(guide: Database, client: Any) -> None:
    page = client.get(f"/guide/items/{GUARD.code}/apply")
    data = _form_data(page.text, person(name="陈" * 80), action="prereview")
    reply = client.post(f"/guide/items/{GUARD.code}/apply", data=data)
    assert reply.status_code == 422 and "姓名不能超过 50 个字" in reply.text
    assert client.get("/guide/items/NO-SUCH/apply", headers={"Accept": "text/html"}).status_code == 404


def test_a_post_naming_no_button_of_the_page_is_refused(guide: Database, client: Any) -> None:
    login(client, "t_citizen")
    form = client.get(f"/guide/items/{GUARD.code}/apply")
    for action in ("delete", ""):
        data = _form_data(form.text, person(), ALL_MATERIALS, action=action)
        reply = client.post(f"/guide/items/{GUARD.code}/apply", data=data, headers={"Accept": "text/html"})
        assert reply.status_code == 422 and "请使用页面上的「智能预审」、「保存草稿」按钮" in reply.text
    with reading(guide.factory) as session:
        assert session.scalar(select(func.count()).select_from(ServiceApplication)) == 0
    data = _form_data(form.text, person(), ALL_MATERIALS, action="save")
    target = client.post(f"/guide/items/{GUARD.code}/apply", data=data).url.path
    draft = client.get(target)
    changed = _form_data(
        draft.text, person(address="别处"), ALL_MATERIALS, action="bogus", version=_version(draft.text)
    )
    reply = client.post(target, data=changed, headers={"Accept": "text/html"})
    assert reply.status_code == 422 and "不认识的操作“bogus”" in reply.text
    assert "「智能预审」、「保存草稿」、「提交申请」" in reply.text
    with reading(guide.factory) as session:
        kept = session.scalars(select(ServiceApplication)).one()
        assert kept.version == int(_version(draft.text)) and kept.values["address"] != "别处"


# --- the applicant -------------------------------------------------------------------------------


def test_an_applicant_gets_a_prefilled_form_and_submits(guide: Database, client: Any) -> None:
    login(client, "t_citizen")
    profile = client.get("/guide/profile")
    assert profile.status_code == 200
    saved = client.post(
        "/guide/profile",
        data={"csrf_token": csrf_token(profile.text), "kind": "person", **PERSON_VALUES},
        follow_redirects=False,
    )
    assert saved.status_code == 303

    form = client.get(f"/guide/items/{GUARD.code}/apply")
    assert f'value="{ID_NUMBER}"' in form.text and "个人资料" in _block(form.text, "field-id_number")
    data = _form_data(
        form.text,
        person(mobile="1380013800"),
        {0: ALL_MATERIALS[0], 1: ALL_MATERIALS[1], 2: ALL_MATERIALS[2]},
        action="save",
    )
    created = client.post(f"/guide/items/{GUARD.code}/apply", data=data, follow_redirects=False)
    assert created.status_code == 303
    target = created.headers["location"]
    draft = client.get(target)
    assert draft.status_code == 200 and "草稿" in draft.text and "已保存为草稿" in draft.text

    review = _form_data(
        draft.text,
        person(mobile="1380013800"),
        ALL_MATERIALS,
        action="prereview",
        version=_version(draft.text),
    )
    assert client.post(target, data=review, follow_redirects=False).status_code == 303
    reviewed = client.get(target)
    assert "智能预审结果：1 项错误" in reviewed.text and "手机号码格式不正确" in _block(
        reviewed.text, "field-mobile"
    )

    refused = _form_data(
        reviewed.text,
        person(mobile="1380013800"),
        ALL_MATERIALS,
        action="submit",
        version=_version(reviewed.text),
    )
    answer = client.post(target, data=refused)  # redirected back to the application's page
    assert "还有错误未改正，不能提交：手机号码格式不正确" in answer.text
    assert 'id="application-status">已预审' in answer.text

    fixed_page = client.get(target)
    fixed = _form_data(
        fixed_page.text, person(), ALL_MATERIALS, action="submit", version=_version(fixed_page.text)
    )
    client.post(target, data=fixed)
    done = client.get(target)
    assert 'id="application-status">已提交' in done.text and "不能再修改" in done.text

    listed = client.get("/guide/applications")
    assert listed.status_code == 200 and GUARD.name in listed.text and "已提交" in listed.text


def _version(html: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match
    return match.group(1)


def test_the_next_form_is_filled_from_the_earlier_application(guide: Database, client: Any) -> None:
    token = token_headers(client, "t_citizen")
    body = {
        "item": GUARD.code,
        "values": person(address="深圳市龙岗区布吉街道"),
        "materials": GUARD_MATERIALS,
    }
    created = client.post(APPLICATIONS, json=body, headers=token)
    assert created.status_code == 201 and created.headers["location"].endswith(str(created.json()["id"]))
    prefill = client.get("/api/v1/guide/prefill", params={"item": GUARD.code}, headers=token).json()
    assert prefill["values"]["address"] == "深圳市龙岗区布吉街道"
    assert prefill["sources"]["address"].endswith(f"申请「{GUARD.name}」")
    assert (
        prefill["materials"][0]["name"] == "居民身份证"
        and prefill["materials"][0]["valid_until"] == "2036-01-01"
    )
    assert set(answers(GUARD)) <= set(prefill["sources"])


def test_the_api_keeps_an_application_through_its_statuses(guide: Database, client: Any) -> None:
    token = token_headers(client, "t_citizen")
    created = client.post(
        APPLICATIONS, json={"item": GUARD.code, "values": person(id_number=WRONG_ID)}, headers=token
    ).json()
    path = f"{APPLICATIONS}/{created['id']}"
    assert created["status"] == "draft" and created["counts"] is None
    premature = client.post(f"{path}/submit", headers=token)
    assert premature.status_code == 409 and "请先进行智能预审" in premature.json()["detail"]
    reviewed = client.post(f"{path}/prereview", json={"version": created["version"]}, headers=token).json()
    assert reviewed["status"] == "reviewed" and reviewed["counts"]["errors"] >= 2
    refused = client.post(f"{path}/submit", headers=token)
    assert refused.status_code == 409 and "身份证号码第18位校验码应为2" in refused.json()["detail"]
    stale = client.put(
        path, json={"values": person(), "materials": GUARD_MATERIALS, "version": 1}, headers=token
    )
    assert stale.status_code == 409
    updated = client.put(
        path,
        json={"values": person(), "materials": GUARD_MATERIALS, "version": reviewed["version"]},
        headers=token,
    ).json()
    assert updated["status"] == "draft"
    client.post(f"{path}/prereview", headers=token)
    submitted = client.post(f"{path}/submit", headers=token).json()
    assert submitted["status"] == "submitted" and submitted["counts"] == {"errors": 0, "notices": 1}
    listed = client.get(APPLICATIONS, headers=token).json()
    assert listed["total"] == 1 and listed["items"][0]["status_label"] == "已提交"


# --- who may see what ----------------------------------------------------------------------------


def test_others_are_refused(guide: Database, client: Any) -> None:
    mine = client.post(
        APPLICATIONS,
        json={"item": GUARD.code, "values": person()},
        headers=token_headers(client, "t_citizen"),
    ).json()
    other = token_headers(client, "t_citizen2")
    assert client.get(f"{APPLICATIONS}/{mine['id']}", headers=other).status_code == 404
    assert client.get(APPLICATIONS, headers=other).json()["total"] == 0
    leader = token_headers(client, "leader")
    for response in (
        client.get(f"{APPLICATIONS}/{mine['id']}", headers=leader),
        client.get(APPLICATIONS, headers=leader),
        client.get("/api/v1/guide/prefill", params={"item": GUARD.code}, headers=leader),
        client.post(APPLICATIONS, json={"item": GUARD.code}, headers=leader),
    ):
        assert response.status_code == 403 and response.headers["content-type"].startswith(PROBLEM)
    assert client.get("/api/v1/guide/prefill", params={"item": GUARD.code}).status_code == 401
    login(client, "leader")
    assert client.get("/guide/applications", headers={"Accept": "text/html"}).status_code == 403
    client.cookies.clear()
    assert client.get("/guide/applications", follow_redirects=False).status_code == 303  # to the login


def test_an_officer_helps_an_applicant(guide: Database, client: Any) -> None:
    login(client, "t_guide")
    listed = client.get("/guide/applications")
    assert listed.status_code == 200 and 'id="assist-form"' in listed.text
    opened = client.get(
        "/guide/assist", params={"username": "t_citizen", "item": GUARD.code}, follow_redirects=False
    )
    assert opened.status_code == 303 and "applicant=" in opened.headers["location"]
    form = client.get(opened.headers["location"])
    assert "帮办：正在为办事人" in form.text
    applicant = re.search(r'name="applicant" value="(\d+)"', form.text)
    assert applicant
    data = _form_data(form.text, person(), ALL_MATERIALS, action="save", applicant=applicant.group(1))
    saved = client.post(f"/guide/items/{GUARD.code}/apply", data=data, follow_redirects=False)
    assert saved.status_code == 303
    with reading(guide.factory) as session:
        row = session.scalars(select(ServiceApplication)).one()
        officer = session.scalars(select(User).where(User.username == "t_guide")).one()
        assert row.user_id == int(applicant.group(1)) and row.created_by_id == officer.id
    unknown = client.get("/guide/assist", params={"username": "leader"}, headers={"Accept": "text/html"})
    assert unknown.status_code == 404 and "未找到办事人账号" in unknown.text


def test_the_profile_api(guide: Database, client: Any) -> None:
    token = token_headers(client, "t_citizen")
    missing = client.get("/api/v1/guide/profile", headers=token)
    assert missing.status_code == 404 and "尚未填写" in missing.json()["detail"]
    saved = client.put(
        "/api/v1/guide/profile", json={"kind": "person", "values": PERSON_VALUES}, headers=token
    )
    assert saved.status_code == 200 and saved.json()["values"]["id_number"] == ID_NUMBER
    again = client.get("/api/v1/guide/profile", headers=token).json()
    assert again["version"] == 1 and again["kind_label"] == "个人"
    stale = client.put(
        "/api/v1/guide/profile", json={"kind": "person", "values": PERSON_VALUES, "version": 5}, headers=token
    )
    assert stale.status_code == 409
    bad = client.put(
        "/api/v1/guide/profile", json={"kind": "person", "values": {"mobile": "1" * 40}}, headers=token
    )
    assert bad.status_code == 422 and "手机号码不能超过 30 个字" in bad.json()["detail"]
    # The page shows the saved profile; a too-long value comes back in Chinese with the form.
    login(client, "t_citizen")
    page = client.get("/guide/profile")
    assert f'value="{ID_NUMBER}"' in page.text
    refused = client.post(
        "/guide/profile",
        data={"csrf_token": csrf_token(page.text), "kind": "person", **PERSON_VALUES, "name": "陈" * 60},
    )
    assert refused.status_code == 422 and "姓名不能超过 50 个字" in refused.text
