"""`zhengshu bench dashboards` on a small SQLite store: every board endpoint accepts the parameters the
benchmark sends, a second run reuses the data, and a missing endpoint is reported, not a crash.
Figures are not asserted (no timed assertions in tests): only that they are there and agree."""

from __future__ import annotations

from pathlib import Path

from zhengshu.bench.dashboards import ENDPOINTS, Endpoint, run


def test_every_endpoint_answers_and_data_is_reused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'boards.db'}"
    first = run(url, 300, 2, days=30, pages=False)
    assert first["appeals"] == 300 and first["generate_seconds"] > 0
    assert "errors" not in first, first.get("errors")
    assert set(first["endpoints"]) == {e.name for e in ENDPOINTS}
    for figures in first["endpoints"].values():
        assert figures["n"] == 2 and figures["p50_ms"] <= figures["p95_ms"]
    assert first["p95_ms_max"] == first["endpoints"][first["slowest"]]["p95_ms"]
    assert first["p95_ms_max"] == max(f["p95_ms"] for f in first["endpoints"].values())
    assert set(first["warmup_ms_by_endpoint"]) == {e.name for e in ENDPOINTS}

    again = run(url, 300, 1, days=30, pages=False, endpoints=ENDPOINTS[:1])
    assert again["appeals"] == 300 and again["generate_seconds"] == 0


def test_a_missing_endpoint_is_reported(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'boards.db'}"
    endpoints = (ENDPOINTS[0], Endpoint("missing", "/api/v1/boards/nowhere"))
    result = run(url, 50, 2, days=7, pages=False, endpoints=endpoints)
    assert result["errors"] == {"missing": {"404": 3}}  # the warm-up and two timed calls
    assert set(result["endpoints"]) == {ENDPOINTS[0].name}
    assert result["slowest"] == ENDPOINTS[0].name
