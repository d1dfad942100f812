"""A server killed with SIGKILL mid-load loses no acknowledged appeal; logs carry no phone numbers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import select

from zhengshu.appeals.models import Appeal
from zhengshu.db import transaction


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ZHENGSHU_DATABASE_URL": url, "ZHENGSHU_DEV": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "zhengshu.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/org/departments", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("server did not start: " + log.read_text(errors="replace")[-2000:])


def _submit(port: int, index: int) -> str | None:
    payload = {
        "title": f"路灯不亮第{index}号",
        "content": f"小区门口路灯不亮，联系电话13700001{index:03d}，请尽快维修。",
        "appellant_name": "王五",
        "appellant_phone": f"13700001{index:03d}",
        "street": "龙城街道",
    }
    try:
        response = httpx.post(f"http://127.0.0.1:{port}/api/v1/public/appeals", json=payload, timeout=10)
    except httpx.HTTPError:
        return None
    return response.json()["number"] if response.status_code == 201 else None


def test_sigkill_loses_no_acknowledged_appeal(db, tmp_path):
    port = _free_port()
    log = tmp_path / "server.log"
    server = _start(db.url, port, log)
    acknowledged: list[str] = []
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(_submit, port, i) for i in range(300)]
        time.sleep(1.0)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        acknowledged = [n for f in futures if (n := f.result()) is not None]
    assert acknowledged, "no appeal was acknowledged before the kill"
    server = _start(db.url, port, log)
    try:
        with transaction(db.factory) as session:
            stored = set(session.scalars(select(Appeal.number).where(Appeal.number.in_(acknowledged))))
        assert stored == set(acknowledged)
        after = _submit(port, 999)
        assert after is not None and after not in acknowledged
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert "13700001" not in log.read_text(errors="replace")
