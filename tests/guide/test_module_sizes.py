"""The house rule that each module can be read at once (DESIGN.md: a few hundred lines), held for the
service guide, where five modules had grown past it."""

from __future__ import annotations

from pathlib import Path

import zhengshu.guide

MAX_LINES = 300


def test_every_guide_module_is_small_enough_to_read_at_once():
    package = Path(zhengshu.guide.__file__).parent
    sizes = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in package.glob("*.py")}
    assert len(sizes) > 40
    assert {name: lines for name, lines in sizes.items() if lines > MAX_LINES} == {}
