"""The assistant's replies as the JSON API and the pages show them."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from zhengshu.guide.assistant import Citation, Reply


def item_link(code: str, section: str | None = None) -> str:
    """The item's 办事指南 page, opened at the cited section."""
    return f"/guide/items/{quote(code, safe='')}" + (f"#{section}" if section else "")


def citation_json(citation: Citation) -> dict[str, Any]:
    return {
        "number": citation.number,
        "item": citation.code,
        "name": citation.name,
        "department": citation.department,
        "section": citation.section,
        "label": f"《{citation.name}》{citation.label}",
        "link": item_link(citation.code, citation.section),
    }


def reply_json(reply: Reply) -> dict[str, Any]:
    return {
        "kind": reply.kind.value,
        "text": reply.text,
        "asked": reply.asked,
        "statements": [{"text": s.text, "citation": s.citation} for s in reply.statements],
        "citations": [citation_json(c) for c in reply.citations],
        "options": [
            {"item": o.code, "name": o.name, "department": o.department, "link": item_link(o.code)}
            for o in reply.options
        ],
        "item": reply.item_code,
        "offer_handoff": reply.offer_handoff,
    }
