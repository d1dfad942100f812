"""Rate limits on public submission, public tracking and login: brute force gets 429, everyone else
carries on. Each test's app has its own limiter, so nothing here leaks into other tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from starlette.requests import Request
from tests.appeals.helpers import submit
from tests.conftest import PASSWORD, Database
from tests.pages.helpers import csrf_token

from zhengshu.db import transaction
from zhengshu.settings import RateLimit, Settings
from zhengshu.web.app import create_app
from zhengshu.web.ratelimit import TOO_MANY, RateLimiter, Window

AppFactory = Callable[..., FastAPI]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def make_app(db: Database) -> Iterator[AppFactory]:
    """Apps with overridden settings; each is started (and its engine disposed) like the `app` fixture."""
    started: list[TestClient] = []

    def make(**overrides: Any) -> FastAPI:
        app = create_app(Settings(database_url=db.url, dev=True, **overrides))
        client = TestClient(app)
        client.__enter__()
        started.append(client)
        return app

    yield make
    for client in started:
        client.__exit__(None, None, None)


def from_address(app: FastAPI, address: str) -> TestClient:
    """A client the app sees at `address` (request.client.host)."""
    return TestClient(app, client=(address, 40000))


def appeal_number(db: Database, phone: str) -> str:
    with transaction(db.factory) as session:
        return submit(session, appellant_phone=phone).number


def api_track(client: TestClient, number: str, digits: str) -> Any:
    return client.post("/api/v1/public/track", json={"number": number, "phone_last4": digits})


def page_track(client: TestClient, number: str, digits: str) -> Any:
    token = csrf_token(client.get("/public/track").text)
    return client.post("/public/track", data={"csrf_token": token, "number": number, "phone_last4": digits})


def api_login(client: TestClient, username: str, password: str) -> Any:
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def page_login(client: TestClient, username: str, password: str) -> Any:
    token = csrf_token(client.get("/login").text)
    fields = {"username": username, "password": password, "csrf_token": token, "next": "/"}
    return client.post("/login", data=fields, follow_redirects=False)


def assert_limited_problem(response: Any) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == TOO_MANY
    assert int(response.headers["retry-after"]) >= 1


def assert_limited_page(response: Any) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert TOO_MANY in response.text and "请求过于频繁" in response.text
    assert int(response.headers["retry-after"]) >= 1


# The window itself, on a clock the test moves.


def test_window_allows_a_burst_then_refills_evenly() -> None:
    clock = FakeClock()
    window = Window("test", RateLimit(10, 3600), max_keys=100, clock=clock)
    for _ in range(10):
        assert window.hit("k") == 0
    assert window.hit("k") == pytest.approx(360)
    assert window.retry_after("k") == pytest.approx(360)
    assert window.hit("other") == 0
    clock.now += 359
    assert window.hit("k") == pytest.approx(1)
    clock.now += 1
    assert window.hit("k") == 0
    assert window.hit("k") > 0


def test_recording_counts_even_past_the_limit_and_says_when_the_limit_is_reached() -> None:
    clock = FakeClock()
    window = Window("test", RateLimit(3, 30), max_keys=100, clock=clock)
    assert window.retry_after("k") == 0
    assert [window.record("k") for _ in range(3)] == [False, False, True]
    assert window.retry_after("k") == pytest.approx(10)
    # Attempts that passed the check together are all paid for: the key waits longer.
    assert window.record("k") is False
    assert window.retry_after("k") == pytest.approx(20)


def test_window_forgets_idle_keys_and_stays_bounded() -> None:
    clock = FakeClock()
    window = Window("test", RateLimit(2, 10), max_keys=100, clock=clock)
    for index in range(50):
        window.record(f"old-{index}")
    clock.now += 11
    window.record("new")
    assert len(window) == 1
    for index in range(500):
        window.record(f"key-{index}")
    assert len(window) == 100
    assert window.retry_after("key-499") == 0 and window.record("key-499") is True


def test_window_counts_exactly_under_concurrency() -> None:
    window = Window("test", RateLimit(100, 3600), max_keys=1000, clock=FakeClock())
    allowed: list[int] = []

    def hammer() -> None:
        allowed.append(sum(1 for _ in range(200) if window.hit("k") == 0))

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(allowed) == 100


def test_rate_limit_settings_parse_and_zero_turns_off() -> None:
    settings = Settings(
        dev=True,
        rate_limit_submit_per_ip="600/1m",
        rate_limit_track_failures_per_number="10/1h",
        rate_limit_login_failures_per_user="10/15m",
        rate_limit_login_failures_per_ip="30/900",
        rate_limit_track_failures_per_ip="0",
    )
    assert settings.rate_limit_submit_per_ip == RateLimit(600, 60)
    assert settings.rate_limit_ask_per_ip == RateLimit(120, 60)
    assert settings.rate_limit_track_failures_per_number == RateLimit(10, 3600)
    assert settings.rate_limit_login_failures_per_user == RateLimit(10, 900)
    assert settings.rate_limit_login_failures_per_ip == RateLimit(30, 900)
    limiter = RateLimiter.from_settings(settings)
    assert limiter.track_per_address is None and limiter.track_per_number is not None
    everything_off = RateLimiter.from_settings(Settings(dev=True, rate_limits=False))
    assert everything_off == RateLimiter(
        submit_exempt=everything_off.submit_exempt, trusted_proxies=everything_off.trusted_proxies
    )
    for wrong in ("10", "ten/1h", "10/0s", "-1/1h"):
        with pytest.raises(ValidationError):
            Settings(dev=True, rate_limit_login_failures_per_user=wrong)


def test_defaults() -> None:
    settings = Settings(dev=True)
    assert settings.rate_limits is True
    assert settings.rate_limit_submit_per_ip == RateLimit(600, 60)
    assert settings.rate_limit_track_failures_per_number == RateLimit(10, 3600)
    assert settings.rate_limit_track_failures_per_ip == RateLimit(60, 3600)
    assert settings.rate_limit_login_failures_per_user == RateLimit(10, 900)
    assert settings.rate_limit_login_failures_per_ip == RateLimit(30, 900)
    assert [str(network) for network in settings.rate_limit_submit_exempt] == ["127.0.0.0/8", "::1/128"]
    assert settings.trusted_proxies == []


def _request(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "client": (peer, 1)})


def test_forwarded_for_is_believed_only_from_trusted_proxies() -> None:
    plain = RateLimiter.from_settings(Settings(dev=True))
    assert plain.client(_request("203.0.113.9", "198.51.100.1"))[0] == "203.0.113.9"
    assert plain.client(_request("testclient"))[0] == "testclient"

    proxied = RateLimiter.from_settings(Settings(dev=True, trusted_proxies="10.0.0.1, 10.8.0.0/16"))
    assert proxied.client(_request("10.0.0.1", "198.51.100.1"))[0] == "198.51.100.1"
    # What the client wrote itself is left of the address the proxy saw: read from the right.
    assert proxied.client(_request("10.0.0.1", "127.0.0.1, 198.51.100.1"))[0] == "198.51.100.1"
    assert proxied.client(_request("10.0.0.1", "198.51.100.1, 10.8.3.4"))[0] == "198.51.100.1"
    assert proxied.client(_request("10.0.0.1", "garbage"))[0] == "10.0.0.1"
    assert proxied.client(_request("10.0.0.1"))[0] == "10.0.0.1"
    assert proxied.client(_request("203.0.113.9", "198.51.100.1"))[0] == "203.0.113.9"
    # One IPv6 client holds a /64: counted as one.
    assert plain.client(_request("2001:db8:1:2::5"))[0] == plain.client(_request("2001:db8:1:2::9"))[0]
    assert plain.client(_request("::ffff:198.51.100.7"))[0] == "198.51.100.7"


# Public tracking.


def test_guessing_one_numbers_digits_is_stopped_across_addresses(
    app: FastAPI, client: TestClient, db
) -> None:
    target = appeal_number(db, "13800001111")
    other = appeal_number(db, "13800002222")
    for attempt in range(10):
        wrong = api_track(from_address(app, f"198.51.100.{attempt}"), target, f"{attempt:04d}")
        assert wrong.status_code == 404, wrong.text
    limited = api_track(from_address(app, "198.51.100.200"), target, "0010")
    assert_limited_problem(limited)
    # Once limited, even the right digits get no answer: otherwise the guessing would go on.
    assert_limited_problem(api_track(client, target, "1111"))
    # Another number is untouched, from any address.
    found = api_track(from_address(app, "198.51.100.1"), other, "2222")
    assert found.status_code == 200 and found.json()["number"] == other
    assert api_track(client, other, "0000").status_code == 404


def test_successful_tracking_is_never_counted(make_app: AppFactory, db) -> None:
    app = make_app(rate_limit_track_failures_per_number="2/1h", rate_limit_track_failures_per_ip="2/1h")
    client = from_address(app, "198.51.100.7")
    number = appeal_number(db, "13800003333")
    for _ in range(20):
        assert api_track(client, number, "3333").status_code == 200
    assert api_track(client, "99999999999", "3333").status_code == 404


def test_one_address_guessing_many_numbers_is_stopped(make_app: AppFactory, db) -> None:
    app = make_app(rate_limit_track_failures_per_ip="3/1h")
    number = appeal_number(db, "13800004444")
    guesser = from_address(app, "198.51.100.66")
    for attempt in range(3):
        assert api_track(guesser, f"2601010{attempt:04d}", "0000").status_code == 404
    assert_limited_problem(api_track(guesser, number, "4444"))
    assert api_track(from_address(app, "198.51.100.67"), number, "4444").status_code == 200


def test_tracking_page_answers_429_with_the_chinese_error_page(app: FastAPI, client: TestClient, db) -> None:
    target = appeal_number(db, "13800005555")
    for attempt in range(10):
        page = page_track(from_address(app, f"198.51.100.{attempt}"), target, f"{attempt:04d}")
        assert page.status_code == 200 and "未找到该诉求" in page.text
    assert_limited_page(page_track(client, target, "5555"))
    # The page and the API share the count.
    assert_limited_problem(api_track(client, target, "5555"))
    other = appeal_number(db, "13800006666")
    found = page_track(client, other, "6666")
    assert found.status_code == 200 and "track-result" in found.text


def test_badly_formed_tracking_is_not_a_guess(app: FastAPI, client: TestClient, db) -> None:
    target = appeal_number(db, "13800007777")
    for _ in range(12):
        assert api_track(client, target, "12a4").status_code == 422
        assert page_track(client, target, "12").status_code == 422
    assert api_track(client, target, "7777").status_code == 200


# Login.


def test_password_guessing_is_stopped_while_other_users_log_in(app: FastAPI, client: TestClient) -> None:
    for attempt in range(10):
        wrong = api_login(from_address(app, f"198.51.100.{attempt}"), "operator", f"guess-{attempt}")
        assert wrong.status_code == 401
    assert_limited_problem(api_login(from_address(app, "198.51.100.99"), "operator", "guess-10"))
    # Even the right password: the account is closed to everyone until the window refills.
    assert_limited_problem(api_login(client, "operator", PASSWORD))
    assert api_login(client, "dispatcher", PASSWORD).status_code == 200
    # The login page shares the count.
    assert_limited_page(page_login(client, "operator", PASSWORD))
    assert page_login(client, "reviewer", PASSWORD).status_code == 303


def test_login_page_guessing_gets_the_error_page(app: FastAPI, client: TestClient) -> None:
    for attempt in range(10):
        wrong = page_login(from_address(app, f"198.51.100.{attempt}"), "leader", f"guess-{attempt}")
        assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    assert_limited_page(page_login(from_address(app, "198.51.100.150"), "leader", "guess-10"))
    assert page_login(client, "supervisor", PASSWORD).status_code == 303


def test_successful_logins_are_not_counted(make_app: AppFactory) -> None:
    app = make_app(rate_limit_login_failures_per_user="1/15m", rate_limit_login_failures_per_ip="1/15m")
    client = from_address(app, "198.51.100.5")
    for _ in range(4):
        assert api_login(client, "admin", PASSWORD).status_code == 200


def test_one_address_trying_many_usernames_is_stopped(make_app: AppFactory) -> None:
    app = make_app(rate_limit_login_failures_per_ip="3/15m")
    sprayer = from_address(app, "198.51.100.77")
    for name in ("nobody-1", "nobody-2", "nobody-3"):
        assert api_login(sprayer, name, PASSWORD).status_code == 401
    assert_limited_problem(api_login(sprayer, "admin", PASSWORD))
    assert api_login(from_address(app, "198.51.100.78"), "admin", PASSWORD).status_code == 200


# Anonymous submission.

PUBLIC_APPEAL = {
    "title": "路灯不亮",
    "content": "小区门口路灯连续多日不亮，夜间出行不便，请尽快维修。",
    "appellant_name": "王五",
    "appellant_phone": "13900009999",
    "street": "平湖街道",
}


def test_submissions_are_limited_per_address(make_app: AppFactory) -> None:
    app = make_app(rate_limit_submit_per_ip="2/1m")
    flooder = from_address(app, "198.51.100.10")
    assert [flooder.post("/api/v1/public/appeals", json=PUBLIC_APPEAL).status_code for _ in range(2)] == [
        201,
        201,
    ]
    assert_limited_problem(flooder.post("/api/v1/public/appeals", json=PUBLIC_APPEAL))
    form = flooder.get("/public/submit")
    page = flooder.post("/public/submit", data={"csrf_token": csrf_token(form.text), **PUBLIC_APPEAL})
    assert_limited_page(page)
    neighbour = from_address(app, "198.51.100.11")
    assert neighbour.post("/api/v1/public/appeals", json=PUBLIC_APPEAL).status_code == 201


def test_loopback_is_exempt_from_the_submission_limit_unless_configured(make_app: AppFactory) -> None:
    exempt = from_address(make_app(rate_limit_submit_per_ip="1/1m"), "127.0.0.1")
    for _ in range(3):
        assert exempt.post("/api/v1/public/appeals", json=PUBLIC_APPEAL).status_code == 201
    counted = from_address(
        make_app(rate_limit_submit_per_ip="1/1m", rate_limit_submit_exempt=""), "127.0.0.1"
    )
    assert counted.post("/api/v1/public/appeals", json=PUBLIC_APPEAL).status_code == 201
    assert_limited_problem(counted.post("/api/v1/public/appeals", json=PUBLIC_APPEAL))


def test_clients_behind_a_trusted_proxy_are_counted_apart(make_app: AppFactory) -> None:
    app = make_app(rate_limit_submit_per_ip="1/1m", trusted_proxies="10.0.0.1")
    proxy = from_address(app, "10.0.0.1")

    def post(forwarded: str) -> int:
        headers = {"X-Forwarded-For": forwarded}
        return proxy.post("/api/v1/public/appeals", json=PUBLIC_APPEAL, headers=headers).status_code

    assert post("198.51.100.20") == 201
    assert post("198.51.100.21") == 201
    assert post("198.51.100.20") == 429
    # A client cannot pick its own address by writing the header: the proxy appends what it saw.
    assert post("198.51.100.99, 198.51.100.21") == 429
    # An untrusted peer's header is ignored: it is counted as itself.
    direct = from_address(app, "203.0.113.5")
    assert (
        direct.post(
            "/api/v1/public/appeals", json=PUBLIC_APPEAL, headers={"X-Forwarded-For": "1.1.1.1"}
        ).status_code
        == 201
    )
    assert (
        direct.post(
            "/api/v1/public/appeals", json=PUBLIC_APPEAL, headers={"X-Forwarded-For": "1.1.1.2"}
        ).status_code
        == 429
    )


# Turned off.


@pytest.mark.parametrize(
    "overrides",
    [
        {"rate_limits": False},
        {
            "rate_limit_track_failures_per_number": "0",
            "rate_limit_track_failures_per_ip": "0",
            "rate_limit_login_failures_per_user": "0",
            "rate_limit_login_failures_per_ip": "0",
        },
    ],
    ids=["all-off", "each-off"],
)
def test_limits_set_to_zero_are_off(make_app: AppFactory, db, overrides: dict[str, Any]) -> None:
    app = make_app(**overrides)
    client = from_address(app, "198.51.100.30")
    number = appeal_number(db, "13800008888")
    for attempt in range(15):
        assert api_track(client, number, f"{attempt:04d}").status_code == 404
    assert api_track(client, number, "8888").status_code == 200
    for attempt in range(12):
        assert api_login(client, "handler_zjj", f"guess-{attempt}").status_code == 401
    assert api_login(client, "handler_zjj", PASSWORD).status_code == 200


def test_open311_submissions_share_the_limit_and_answer_in_open311_format(make_app: AppFactory) -> None:
    app = make_app(rate_limit_submit_per_ip="1/1m")
    client = from_address(app, "198.51.100.20")
    request = {
        "service_code": "urban-construction",
        "description": "工地夜间施工噪音很大，影响休息",
        "phone": "13812345678",
        "address_string": "平湖街道凤凰大道88号",
        "attribute[street]": "平湖街道",
    }
    first = client.post("/open311/v2/requests.json", data=request)
    assert first.status_code == 201, first.text
    refused = client.post("/open311/v2/requests.json", data=request)
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert refused.json() == [{"code": 429, "description": "请求过于频繁，请稍后再试"}]
    as_xml = client.post("/open311/v2/requests.xml", data=request)
    assert as_xml.status_code == 429 and "<errors>" in as_xml.text and "<code>429</code>" in as_xml.text


def test_questions_to_the_policy_qa_are_limited_per_address(make_app: AppFactory, db) -> None:
    app = make_app(rate_limit_ask_per_ip=RateLimit(2, 60), rate_limit_submit_exempt=[])
    asker, neighbour = from_address(app, "203.0.113.7"), from_address(app, "203.0.113.8")
    for _ in range(2):
        assert asker.post("/api/v1/policy/ask", json={"question": "租金补贴"}).status_code == 200
    refused = asker.get("/public/policy", params={"q": "租金补贴"})
    assert refused.status_code == 429 and TOO_MANY in refused.text
    assert asker.post("/api/v1/policy/ask", json={"question": "租金补贴"}).status_code == 429
    assert neighbour.get("/public/policy", params={"q": "租金补贴"}).status_code == 200
