from __future__ import annotations

from tests.conftest import PASSWORD
from tests.pages.helpers import csrf_token, login


def test_staff_page_redirects_to_login_with_next(client):
    response = client.get("/queues/dispatch?page=2", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fqueues%2Fdispatch%3Fpage%3D2"
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    # A form posted after the session ended comes back to the form's page after login.
    posted = client.post(
        "/appeals/26010100001/actions/accept",
        data={"version": "1"},
        headers={"referer": "http://testserver/appeals/26010100001"},
        follow_redirects=False,
    )
    assert posted.headers["location"] == "/login?next=%2Fappeals%2F26010100001"
    foreign = {"referer": "https://evil.example/x"}
    elsewhere = client.post("/appeals/new", headers=foreign, follow_redirects=False)
    assert elsewhere.headers["location"] == "/login"


def test_login_goes_to_next_and_logout_ends_the_session(client):
    page = client.get("/login?next=/queues/dispatch")
    assert "工作人员登录" in page.text
    response = client.post(
        "/login",
        data={
            "username": "dispatcher",
            "password": PASSWORD,
            "next": "/queues/dispatch",
            "csrf_token": csrf_token(page.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/queues/dispatch"
    home = client.get("/")
    assert home.status_code == 200 and "dispatcher" in home.text and "分拨员" in home.text

    logout = client.post("/logout", data={"csrf_token": csrf_token(home.text)}, follow_redirects=False)
    assert logout.status_code == 303 and logout.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_wrong_password_shows_chinese_error(client):
    page = client.get("/login")
    token = csrf_token(page.text)
    fields = {"username": "operator", "password": "wrong-password", "csrf_token": token}
    response = client.post("/login", data=fields)
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert 'value="operator"' in response.text
    unknown = client.post(
        "/login", data={"username": "nobody", "password": PASSWORD, "csrf_token": csrf_token(page.text)}
    )
    assert "用户名或密码错误" in unknown.text


def test_login_only_redirects_to_local_paths(client):
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        page = client.get("/login", params={"next": target})
        response = client.post(
            "/login",
            data={
                "username": "operator",
                "password": PASSWORD,
                "next": target,
                "csrf_token": csrf_token(page.text),
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == "/", target
        client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})


def test_posts_without_the_csrf_token_are_refused(client):
    page = client.get("/login")
    refused = client.post("/login", data={"username": "operator", "password": PASSWORD})
    assert refused.status_code == 403 and "过期" in refused.text
    assert client.get("/", follow_redirects=False).status_code == 303

    login(client, "operator")
    response = client.post("/logout", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 403
    assert "刷新页面" in response.text
    assert client.get("/").status_code == 200


def test_navigation_shows_only_what_the_role_can_use(client):
    login(client, "operator")
    home = client.get("/").text
    assert 'href="/appeals/new"' in home and 'href="/queues/follow-up"' in home
    assert 'href="/queues/dispatch"' not in home and 'href="/queues/inbox"' not in home
    forbidden = client.get("/queues/dispatch")
    assert forbidden.status_code == 403 and "无权" in forbidden.text
    assert forbidden.headers["content-type"].startswith("text/html")


def test_handler_home_counts_its_inbox(client):
    login(client, "handler_zjj")
    home = client.get("/").text
    assert "本单位待办" in home and 'href="/appeals/new"' not in home
    assert client.get("/queues/inbox").status_code == 200


def test_unknown_appeal_is_a_chinese_404_page(client):
    login(client, "leader")
    response = client.get("/appeals/99999999999")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "诉求不存在或无权查看" in response.text
