"""The assistant's index of a database's service items. Built once per process (in the background at
start), then kept current: before each question a cheap signature of the items (count, newest id,
newest change) is compared, and only items added or changed since are indexed again."""

from __future__ import annotations

import threading
from datetime import datetime
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from zhengshu.db import reading
from zhengshu.guide.catalog import Signature, all_records, item_record, items_signature
from zhengshu.guide.models import ServiceItem
from zhengshu.guide.retrieval import ItemIndex


class AssistantIndex:
    def __init__(self) -> None:
        self.items = ItemIndex(())
        self.signature: Signature | None = None
        self._changed: dict[str, datetime] = {}  # indexed code → the change time it was indexed at
        self._lock = threading.Lock()

    def refresh(self, session: Session) -> None:
        """Bring the index up to date. While one thread refreshes, the others search the index as
        it stands, except before the first build, which every question waits for."""
        if not self._lock.acquire(blocking=self.signature is None):
            return
        try:
            signature = items_signature(session)
            if signature != self.signature:
                self._refresh(session)
                self.signature = signature
        finally:
            self._lock.release()

    def _refresh(self, session: Session) -> None:
        present: dict[str, datetime] = {
            code: at for code, at in session.execute(select(ServiceItem.code, ServiceItem.updated_at))
        }
        gone = [code for code in self._changed if code not in present]
        if gone:
            self.items.remove(gone)
        changed = [code for code, at in present.items() if self._changed.get(code) != at]
        if len(changed) > len(present) // 4:
            fresh = ItemIndex(all_records(session), self.items.weights)
            self.items = fresh
        else:
            for code in changed:
                self.items.add(item_record(session, code))
        self._changed = present


_indexes: WeakKeyDictionary[Engine, AssistantIndex] = WeakKeyDictionary()
_registry_lock = threading.Lock()


def assistant_index(factory: sessionmaker[Session]) -> ItemIndex:
    """The engine's item index, brought up to date with the database."""
    engine = factory.kw["bind"]
    with _registry_lock:
        index = _indexes.get(engine)
        if index is None:
            index = _indexes[engine] = AssistantIndex()
    with reading(factory) as session:
        index.refresh(session)
    return index.items


def warm_up(factory: sessionmaker[Session]) -> threading.Thread:
    """Build the item index in the background (app start), so no question pays for it."""
    thread = threading.Thread(
        target=assistant_index, args=(factory,), name="zhengshu-guide-index", daemon=True
    )
    thread.start()
    return thread


# Items a text search of the browse pages lists at most, best first.
SEARCHED = 200


def searched_codes(factory: sessionmaker[Session], q: str | None) -> list[str] | None:
    """The codes of the items a typed search finds, best first (the assistant's own retrieval), or
    None when nothing was typed."""
    text = (q or "").strip()
    if not text:
        return None
    return [hit.code for hit in assistant_index(factory).search(text, SEARCHED)]
