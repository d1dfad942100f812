"""Where the shared real data lies: ZHENGSHU_SHARED_DATA, else ../shared/data beside the repository.
Tests that need it skip when it is absent; it is never copied into the repository."""

from __future__ import annotations

import os
from pathlib import Path

SHARED_DATA = Path(
    os.environ.get("ZHENGSHU_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
)
APPEALS_DATA = SHARED_DATA / "appeals"
