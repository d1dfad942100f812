"""Sample documents for the demo library, written for this project and marked 示例文件 in their
titles. Loading twice changes nothing (each is reported unchanged)."""

from __future__ import annotations

from importlib import resources

from sqlalchemy.orm import Session, sessionmaker

from zhengshu.org.models import User
from zhengshu.policy.ingest import BulkReport, ItemOutcome, ingest_file

__all__ = ["demo_documents", "load_demo"]


def demo_documents() -> list[tuple[str, bytes]]:
    """(file name, content) of the samples, in the order they were issued: the amendment and the
    repealing decision come after what they replace."""
    folder = resources.files("zhengshu.policy") / "demo_documents"
    files = sorted(
        (item for item in folder.iterdir() if item.name.endswith(".txt")), key=lambda item: item.name
    )
    return [(item.name, item.read_bytes()) for item in files]


def load_demo(factory: sessionmaker[Session], actor: User | None = None) -> BulkReport:
    from zhengshu.db import transaction

    report = BulkReport()
    for name, data in demo_documents():
        with transaction(factory) as session:
            result = ingest_file(session, name, data, actor=actor)
        report.items.append(ItemOutcome(name, result.outcome, "", result))
    return report
