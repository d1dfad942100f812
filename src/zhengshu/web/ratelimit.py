"""Rate limits for what anyone can reach: anonymous submission, public tracking (the appeal number and
the phone's last four digits: only 10,000 combinations) and staff login.

Each limit is a token bucket per key, kept as one number (the GCRA "theoretical arrival time"): a
burst of the allowed attempts, then refilled evenly over the period; memory is one entry per active key.
Tracking and login count only failed attempts, per client address and per appeal number or username,
so that one number or account cannot be guessed at from many addresses; a success costs nothing.

The state lives in the process, on the app (`app.state.rate_limiter`, built by the app factory): with
several workers each enforces its own limits. A district deployment behind a reverse proxy should limit
there as well.
"""

from __future__ import annotations

import functools
import inspect
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from zhengshu.errors import NotFound
from zhengshu.settings import RateLimit, Settings
from zhengshu.web.deps import NotAuthenticated
from zhengshu.web.pages_base import error_page
from zhengshu.web.problems import problem

log = logging.getLogger("zhengshu.web.ratelimit")

TOO_MANY = "请求过于频繁，请稍后再试"
# Float arithmetic on the clock must not refuse the last allowed attempt of a burst.
EPSILON = 1e-6
# IPv6 clients usually hold a whole /64: counting single addresses would let one client rotate.
IPV6_PREFIX = 64
API_PREFIXES = ("/api/", "/open311/")

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network
Clock = Callable[[], float]
Endpoint = Callable[..., Any]


class Window:
    """One limit: key → when its allowance is next fully spent (GCRA). Thread-safe and bounded."""

    def __init__(self, name: str, rate: RateLimit, max_keys: int, clock: Clock = time.monotonic) -> None:
        if rate.attempts <= 0 or rate.seconds <= 0:
            raise ValueError("a rate limit window needs a positive count and period")
        self.name = name
        self.rate = rate
        self._interval = rate.seconds / rate.attempts
        self._max_keys = max_keys
        self._clock = clock
        # Ordered by last update, oldest first, which is roughly the order in which entries expire.
        self._due: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._due)

    def _next_due(self, key: str, now: float) -> tuple[float, float]:
        """The key's due time after one more attempt, and how long that attempt would have to wait."""
        due = max(self._due.get(key, now), now) + self._interval
        return due, due - now - self.rate.seconds

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may try again, 0 when it may now. Counts nothing."""
        with self._lock:
            _, wait = self._next_due(key, self._clock())
        return wait if wait > EPSILON else 0.0

    def record(self, key: str) -> bool:
        """Count one attempt, allowed or not: attempts that passed the check together are all paid for
        (the key then waits longer). True when this attempt used up the key's allowance."""
        with self._lock:
            now = self._clock()
            due, wait = self._next_due(key, now)
            self._store(key, due, now)
        return wait <= EPSILON and due + self._interval - now - self.rate.seconds > EPSILON

    def hit(self, key: str) -> float:
        """Check and count in one step: 0 when allowed (and counted), else the seconds to wait."""
        with self._lock:
            now = self._clock()
            due, wait = self._next_due(key, now)
            if wait > EPSILON:
                return wait
            self._store(key, due, now)
        return 0.0

    def _store(self, key: str, due: float, now: float) -> None:
        self._due[key] = due
        self._due.move_to_end(key)
        # A key whose allowance has fully come back is the same as one never seen: drop it.
        while self._due:
            oldest, oldest_due = next(iter(self._due.items()))
            if oldest_due > now:
                break
            del self._due[oldest]
        while len(self._due) > self._max_keys:
            self._due.popitem(last=False)


def _parse_address(text: str) -> Address | None:
    try:
        address = ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _within(address: Address, networks: Sequence[Network]) -> bool:
    return any(address in network for network in networks)


def _address_key(address: Address) -> str:
    if isinstance(address, IPv6Address):
        return str(IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


@dataclass
class RateLimiter:
    """Every limit of one app; a limit that is off is None."""

    submit_per_address: Window | None = None
    ask_per_address: Window | None = None
    track_per_number: Window | None = None
    track_per_address: Window | None = None
    login_per_user: Window | None = None
    login_per_address: Window | None = None
    submit_exempt: Sequence[Network] = field(default_factory=tuple)
    trusted_proxies: Sequence[Network] = field(default_factory=tuple)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock = time.monotonic) -> RateLimiter:
        def window(name: str, rate: RateLimit) -> Window | None:
            if not settings.rate_limits or rate.attempts <= 0:
                return None
            return Window(name, rate, settings.rate_limit_max_keys, clock)

        return cls(
            submit_per_address=window("submit/address", settings.rate_limit_submit_per_ip),
            ask_per_address=window("ask/address", settings.rate_limit_ask_per_ip),
            track_per_number=window("track/number", settings.rate_limit_track_failures_per_number),
            track_per_address=window("track/address", settings.rate_limit_track_failures_per_ip),
            login_per_user=window("login/user", settings.rate_limit_login_failures_per_user),
            login_per_address=window("login/address", settings.rate_limit_login_failures_per_ip),
            submit_exempt=tuple(settings.rate_limit_submit_exempt),
            trusted_proxies=tuple(settings.trusted_proxies),
        )

    def client(self, request: Request) -> tuple[str, Address | None]:
        """The client's key and address. X-Forwarded-For counts only when the peer is a trusted
        proxy, read from the right: the first hop that is not a trusted proxy is the client."""
        peer = request.client.host if request.client else ""
        address = _parse_address(peer)
        if address is None:
            return peer or "unknown", None
        if self.trusted_proxies and _within(address, self.trusted_proxies):
            hops = ",".join(request.headers.getlist("x-forwarded-for")).split(",")
            for hop in reversed(hops):
                forwarded = _parse_address(hop)
                if forwarded is None:
                    break
                address = forwarded
                if not _within(address, self.trusted_proxies):
                    break
        return _address_key(address), address


@dataclass
class Attempt:
    """What one request is counted against; `wait` > 0 means it is refused."""

    wait: float = 0.0
    counted: list[tuple[Window, str]] = field(default_factory=list)
    failed: Callable[[object], bool] | None = None

    def settle(self, outcome: object) -> None:
        if self.failed is None or not self.failed(outcome):
            return
        for window, key in self.counted:
            if window.record(key):
                log.warning("rate limit %s reached for %s", window.name, key)


Check = Callable[[Request, RateLimiter, dict[str, Any]], Awaitable[Attempt]]


async def _refusal(request: Request, wait: float) -> Response:
    retry_after = str(max(1, math.ceil(wait)))
    if request.url.path.startswith("/open311/"):
        # Open311 clients expect the spec's error list, in the format they asked for.
        from zhengshu.web.open311 import Open311Format, errors_response

        fmt = Open311Format.XML if request.url.path.endswith(".xml") else Open311Format.JSON
        return errors_response(fmt, 429, [TOO_MANY], {"Retry-After": retry_after})
    if request.url.path.startswith(API_PREFIXES):
        return problem(429, TOO_MANY, code="rate-limited", headers={"Retry-After": retry_after})
    # The error page looks the user up in the database: keep that off the event loop.
    page = await run_in_threadpool(error_page, request, 429, TOO_MANY)
    page.headers["Retry-After"] = retry_after
    return page


def _guarded(endpoint: Endpoint, check: Check) -> Callable[..., Awaitable[Any]]:
    """The endpoint behind a check; FastAPI sees the same parameters, plus the request if needed."""
    signature = inspect.signature(endpoint, eval_str=True)
    needs_request = "request" not in signature.parameters
    parameters = list(signature.parameters.values())
    if needs_request:
        parameters.append(inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request))
    is_async = inspect.iscoroutinefunction(endpoint)

    @functools.wraps(endpoint)
    async def guarded(**values: Any) -> Any:
        request: Request = values["request"]
        arguments = {k: v for k, v in values.items() if k != "request" or not needs_request}
        limiter: RateLimiter = request.app.state.rate_limiter
        attempt = await check(request, limiter, values)
        if attempt.wait > 0:
            return await _refusal(request, attempt.wait)
        try:
            if is_async:
                result = await endpoint(**arguments)
            else:
                result = await run_in_threadpool(endpoint, **arguments)
        except Exception as error:
            attempt.settle(error)
            raise
        attempt.settle(result)
        return result

    guarded.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return guarded


async def _submitted(request: Request, values: dict[str, Any], name: str) -> str:
    """A field of the request's body: the validated model, the posted form, or the form itself."""
    for value in values.values():
        if isinstance(value, BaseModel) and name in type(value).model_fields:
            return str(getattr(value, name) or "")
        if isinstance(value, FormData):
            return str(value.get(name) or "")
    # Starlette keeps the parsed form, so the endpoint reading it again gets the same one.
    form = await request.form()
    return str(form.get(name) or "")


def _every_attempt(window_of: Callable[[RateLimiter], Window | None]) -> Check:
    """Every attempt counts against the client's address (the exempt networks excepted)."""

    async def check(request: Request, limiter: RateLimiter, values: dict[str, Any]) -> Attempt:
        window = window_of(limiter)
        if window is None:
            return Attempt()
        key, address = limiter.client(request)
        if address is not None and _within(address, limiter.submit_exempt):
            return Attempt()
        return Attempt(wait=window.hit(key))

    return check


_check_submission = _every_attempt(lambda limiter: limiter.submit_per_address)
_check_question = _every_attempt(lambda limiter: limiter.ask_per_address)


def _failures_check(
    windows: Callable[[RateLimiter], tuple[Window | None, Window | None]],
    name: str,
    max_length: int,
    failed: Callable[[object], bool],
) -> Check:
    """Refuse while the submitted `name` or the client's address has too many recent failures;
    count this attempt against both only if it fails."""

    async def check(request: Request, limiter: RateLimiter, values: dict[str, Any]) -> Attempt:
        per_value, per_address = windows(limiter)
        counted: list[tuple[Window, str]] = []
        if per_value is not None:
            value = (await _submitted(request, values, name)).strip()[:max_length]
            if value:
                counted.append((per_value, value))
        if per_address is not None:
            counted.append((per_address, limiter.client(request)[0]))
        wait = max((window.retry_after(key) for window, key in counted), default=0.0)
        return Attempt(wait=wait, counted=counted, failed=failed)

    return check


def _tracking_failed(outcome: object) -> bool:
    if isinstance(outcome, BaseException):
        return isinstance(outcome, NotFound)
    # The page answers an unknown number and wrong digits alike, with 200 and no result.
    context = getattr(outcome, "context", None)
    return (
        isinstance(outcome, Response)
        and outcome.status_code == 200
        and isinstance(context, dict)
        and "result" in context
        and context["result"] is None
    )


def _login_failed(outcome: object) -> bool:
    if isinstance(outcome, BaseException):
        return isinstance(outcome, NotAuthenticated)
    return isinstance(outcome, Response) and outcome.status_code == 401


_check_tracking = _failures_check(
    lambda limiter: (limiter.track_per_number, limiter.track_per_address), "number", 16, _tracking_failed
)
_check_login = _failures_check(
    lambda limiter: (limiter.login_per_user, limiter.login_per_address), "username", 64, _login_failed
)


def limit_submissions(endpoint: Endpoint) -> Callable[..., Awaitable[Any]]:
    """Anonymous submission: every attempt counts against the client's address."""
    return _guarded(endpoint, _check_submission)


def limit_questions(endpoint: Endpoint) -> Callable[..., Awaitable[Any]]:
    """The policy Q&A, open to anyone: every question counts against the client's address."""
    return _guarded(endpoint, _check_question)


def limit_failed_tracking(endpoint: Endpoint) -> Callable[..., Awaitable[Any]]:
    """Public tracking: failed attempts count per appeal number and per client address."""
    return _guarded(endpoint, _check_tracking)


def limit_failed_logins(endpoint: Endpoint) -> Callable[..., Awaitable[Any]]:
    """Staff login: failed attempts count per username and per client address."""
    return _guarded(endpoint, _check_login)
