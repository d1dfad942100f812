"""Sample service items for the demo, written for this project: a Shenzhen district hall's everyday
items with conditions, materials, limits, fees, places, FAQs and variants. Each is marked as a
sample in its name (（示例）), its source and extra["sample"], which the pages show as
示例事项，非真实办事指南. Loading twice changes nothing (every item is reported unchanged)."""

from __future__ import annotations

from importlib import resources

from sqlalchemy.orm import Session, sessionmaker

from zhengshu.db import transaction
from zhengshu.guide.importing import ImportReport, import_items
from zhengshu.guide.item_files import read_item_file
from zhengshu.org.models import User

__all__ = ["DEMO_FILE", "SAMPLE_NOTE", "demo_items", "load_demo"]

DEMO_FILE = "demo_items.jsonl"
SAMPLE_NOTE = "示例事项，非真实办事指南"


def demo_items() -> bytes:
    return (resources.files("zhengshu.guide") / "data" / DEMO_FILE).read_bytes()


def load_demo(factory: sessionmaker[Session], actor: User | None = None) -> ImportReport:
    item_file = read_item_file(DEMO_FILE, demo_items())
    with transaction(factory) as session:
        return import_items(session, item_file, actor, source=SAMPLE_NOTE)
