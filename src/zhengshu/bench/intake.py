"""`zhengshu bench intake`: submit appeals over HTTP with concurrent clients, then read them all back."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

STREETS = [
    "平湖街道",
    "布吉街道",
    "坂田街道",
    "南湾街道",
    "横岗街道",
    "龙城街道",
    "龙岗街道",
    "坪地街道",
    "吉华街道",
    "宝龙街道",
    "园山街道",
]


@dataclass
class Tally:
    submitted: int = 0
    acknowledged: dict[str, str] = field(default_factory=dict)  # number → phone last four
    errors: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    duplicates: int = 0


def _payload(index: int, rng: random.Random) -> dict[str, Any]:
    phone = f"139{rng.randrange(10**8):08d}"
    return {
        "type": "complaint",
        "title": f"压测诉求第{index}号：路灯不亮",
        "content": f"压测生成的诉求内容，编号{index}。小区门口路灯连续多日不亮，夜间出行不便，请尽快维修。",
        "appellant_name": "压测用户",
        "appellant_phone": phone,
        "street": rng.choice(STREETS),
    }


async def _submit(
    client: aiohttp.ClientSession, url: str, queue: asyncio.Queue[int], tally: Tally, rng: random.Random
) -> None:
    while True:
        try:
            index = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        payload = _payload(index, rng)
        tally.submitted += 1
        started = time.perf_counter()
        try:
            async with client.post(f"{url}/api/v1/public/appeals", json=payload) as response:
                status = response.status
                body = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            key = type(error).__name__
            tally.errors[key] = tally.errors.get(key, 0) + 1
            continue
        tally.latencies_ms.append((time.perf_counter() - started) * 1000)
        if status != 201:
            key = str(status)
            tally.errors[key] = tally.errors.get(key, 0) + 1
            continue
        number = body["number"]
        if number in tally.acknowledged:
            tally.duplicates += 1
        tally.acknowledged[number] = payload["appellant_phone"][-4:]


async def _found(client: aiohttp.ClientSession, url: str, items: list[tuple[str, str]], clients: int) -> int:
    found = 0
    semaphore = asyncio.Semaphore(clients)

    async def check(number: str, last4: str) -> None:
        nonlocal found
        async with semaphore:
            payload = {"number": number, "phone_last4": last4}
            async with client.post(f"{url}/api/v1/public/track", json=payload) as response:
                if response.status == 200 and (await response.json(content_type=None))["number"] == number:
                    found += 1

    await asyncio.gather(*(check(n, d) for n, d in items))
    return found


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(url: str, clients: int, total: int, seed: int = 1) -> dict[str, Any]:
    rng = random.Random(seed)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(total):
        queue.put_nowait(index)
    tally = Tally()
    url = url.rstrip("/")
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
        started = time.perf_counter()
        await asyncio.gather(*(_submit(client, url, queue, tally, rng) for _ in range(clients)))
        elapsed = time.perf_counter() - started
        found = await _found(client, url, list(tally.acknowledged.items()), clients)
    return {
        "submitted": tally.submitted,
        "acknowledged": len(tally.acknowledged) + tally.duplicates,
        "found": found,
        "duplicates": tally.duplicates,
        "per_second": round(len(tally.acknowledged) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(tally.latencies_ms), 1) if tally.latencies_ms else 0.0,
        "p95_ms": round(_percentile(tally.latencies_ms, 0.95), 1),
        "errors": tally.errors,
        "clients": clients,
    }


def run_sync(url: str, clients: int, total: int) -> dict[str, Any]:
    return asyncio.run(run(url, clients, total))
