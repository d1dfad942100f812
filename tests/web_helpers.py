"""Shared helpers for tests of the web layer."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.conftest import PASSWORD


def token_headers(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
