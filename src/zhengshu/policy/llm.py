"""An answer written by a language model, when the operator configures an OpenAI-compatible endpoint
(`ZHENGSHU_LLM_BASE_URL`, `ZHENGSHU_LLM_MODEL`, `ZHENGSHU_LLM_API_KEY`).

The model sees only the cited passages, numbered, and must cite [n] after every sentence. Its text is
kept only when every sentence cites passages that exist and support it: most of the sentence's
character pairs, and every number in it, are found in the passages it cites. Otherwise, or when the
endpoint fails or is slow, the extractive answer stands. The product is complete without a model."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

import httpx

from zhengshu.policy.answers import Answer, Citation, Statement
from zhengshu.settings import Settings
from zhengshu.text.shingles import char_bigrams, overlap

log = logging.getLogger("zhengshu.policy.llm")

# A sentence must share at least this share of its character pairs with the passages it cites.
SUPPORT = 0.6
_CITE = re.compile(r"\[(\d{1,2})\]")
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?(?:\s*\[\d{1,2}\])*")
# A number with its unit: "50%" is not supported by "50万元".
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:%|％|万元|亿元|元|万|个工作日|工作日|个月|年|月|日|天|小时|人|家|倍)?")
SYSTEM = (
    "你是区政务服务和数据管理局的政策问答助手。只根据用户给出的编号条文回答，不要使用条文以外的知识。"
    "每一句话后面必须用 [编号] 标出依据的条文。条文不足以回答时，只回答：未找到相关依据。"
)


@dataclass(frozen=True)
class LlmEndpoint:
    base_url: str
    model: str
    api_key: str | None = None
    timeout_seconds: float = 20.0


def configured_endpoint(settings: Settings) -> LlmEndpoint | None:
    """The endpoint the operator configured (ZHENGSHU_LLM_BASE_URL and ZHENGSHU_LLM_MODEL), if any."""
    if not (settings.llm_base_url and settings.llm_model):
        return None
    return LlmEndpoint(
        settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout_seconds
    )


def _prompt(question: str, citations: list[Citation]) -> str:
    passages = "\n\n".join(f"[{c.number}] {c.label}\n{c.passage.text}" for c in citations)
    return f"条文：\n{passages}\n\n问题：{question}"


def _ask(endpoint: LlmEndpoint, question: str, citations: list[Citation]) -> str | None:
    headers = {"Authorization": f"Bearer {endpoint.api_key}"} if endpoint.api_key else {}
    body = {
        "model": endpoint.model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": _prompt(question, citations)},
        ],
    }
    try:
        response = httpx.post(
            f"{endpoint.base_url.rstrip('/')}/chat/completions",
            json=body,
            headers=headers,
            timeout=endpoint.timeout_seconds,
        )
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as error:
        # The question may carry personal information: only the kind of failure is logged.
        log.warning("LLM endpoint failed (%s); the extractive answer stands", type(error).__name__)
        return None
    return content if isinstance(content, str) else None


def _supported(sentence: str, cited: list[Citation]) -> bool:
    claim = _CITE.sub("", sentence).strip()
    evidence = "".join(c.passage.text for c in cited)
    pairs = char_bigrams(claim)
    if not pairs:
        return False
    shared = overlap(pairs, char_bigrams(evidence))
    numbers_found = all(number in evidence for number in _NUMBER.findall(claim))
    return shared >= SUPPORT and numbers_found


def verified(text: str, citations: list[Citation]) -> list[Statement] | None:
    """The model's sentences as statements, or None when any sentence is unsupported."""
    by_number = {c.number: c for c in citations}
    statements = []
    for match in _SENTENCE.finditer(text.strip()):
        sentence = match.group(0).strip()
        if not _CITE.sub("", sentence).strip():
            continue
        numbers = tuple(dict.fromkeys(int(n) for n in _CITE.findall(sentence)))
        if not numbers or any(n not in by_number for n in numbers):
            return None
        if not _supported(sentence, [by_number[n] for n in numbers]):
            return None
        statements.append(Statement(_CITE.sub("", sentence).strip(), numbers))
    return statements or None


def written(answer: Answer, endpoint: LlmEndpoint, asked: str | None = None) -> Answer:
    """``answer`` with its statements written by the model when they pass the check. ``asked`` is the
    question as searched, with the context of a follow-up, which the model needs too."""
    if answer.refused or not answer.citations:
        return answer
    text = _ask(endpoint, asked or answer.question, answer.citations)
    statements = verified(text, answer.citations) if text else None
    if statements is None:
        return answer
    return replace(answer, statements=statements)
