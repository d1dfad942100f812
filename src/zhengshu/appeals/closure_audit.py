"""The closed-on-paper audit (形式办结): does a reply substantively address its appeal?

Pure scoring, no database. A reply is cut into formulas (greetings, 已收悉, thanks, 已转…办理, dates)
and clauses of content; the content clauses are sorted into vague promises (将认真研究, 进一步加强)
and substantive ones (a finding, an action taken, a rule, a figure, a place, a date). Then:

- substance: how much substantive text is left once formulas and promises are taken out;
- boilerplate: the share of the reply that is formula;
- specificity: how many concrete markers the substantive text carries;
- relevance: the share of the appeal's key terms (its title first) that the reply's content uses;
- coverage: of the appeal's requests and questions, how many the reply speaks to;
- outside signals: a dissatisfied follow-up, a repeat appeal after closure, the reply time.

Each component adds points with a reason in Chinese; the score is their sum capped at 1, and a reply
is flagged at FLAG_THRESHOLD. A substantive reply earns points back, so a short reply that answers
concretely is not flagged for being short.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from zhengshu.appeals.closure_lexicon import (
    ANSWER,
    ASKS_WHERE,
    CONCRETE,
    DEFLECT,
    FIRM,
    FORMULAS,
    GENERIC_TERMS,
    REFER,
    REQUEST,
    RESULT,
    RULE,
    TRAILING_DATE,
    VAGUE,
)
from zhengshu.text.normalize import normalize_text
from zhengshu.text.segment import terms
from zhengshu.text.shingles import char_bigrams, overlap

__all__ = [
    "FLAG_THRESHOLD",
    "AppealReply",
    "ClosureAudit",
    "OutsideSignals",
    "Reason",
    "audit_reply",
]

FLAG_THRESHOLD = 0.5
_CJK = re.compile(r"[\u3400-\u9fff]")
_CLAUSE_SPLIT = re.compile(r"[。！!？?；;，,：:\n]+")
_SENTENCE_SPLIT = re.compile(r"[。！!？?；;\n]+")
_ARTIFACTS = re.compile(r"_x000D_|\\r|&nbsp;?")
# Below this many Chinese characters of substance a reply has said nothing of its own.
_NOTHING = 8
_LITTLE = 40
_MIN_CLAUSE_CHARS = 3
# Long letters are cut for the word comparisons: their requests come early, and segmenting is the cost.
_APPEAL_CHARS = 2000


@dataclass(frozen=True)
class OutsideSignals:
    """What is known about the appeal after the reply: none of it is in the reply's text."""

    dissatisfied: bool = False  # the follow-up (回访) recorded 不满意
    repeat_appeals: int = 0  # appeals about the same matter filed after this one was closed
    reply_days: float | None = None  # calendar days from filing to reply


@dataclass(frozen=True)
class AppealReply:
    title: str
    content: str
    reply: str
    signals: OutsideSignals = field(default_factory=OutsideSignals)


@dataclass(frozen=True)
class Reason:
    code: str
    message: str  # Chinese, shown to the reviewer
    points: float  # positive: towards 形式办结; negative: evidence of substance


@dataclass(frozen=True)
class ClosureAudit:
    score: float
    flagged: bool
    reasons: tuple[Reason, ...]
    boilerplate_share: float
    substantive_chars: int
    concrete_markers: int
    relevance: float | None
    coverage: float | None
    # (start, end) character spans of the normalised reply that are formula, for highlighting.
    formula_spans: tuple[tuple[int, int], ...]
    reply_text: str

    @property
    def messages(self) -> list[str]:
        return [reason.message for reason in self.reasons if reason.points > 0]


@dataclass(frozen=True)
class _Parts:
    text: str
    formula_spans: tuple[tuple[int, int], ...]
    substantive: tuple[str, ...]
    vague: tuple[str, ...]
    deflecting: tuple[str, ...]


def clean(text: str) -> str:
    return normalize_text(_ARTIFACTS.sub("\n", text or ""))


def _cjk_count(text: str) -> int:
    return len(_CJK.findall(text))


def _formula_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for _name, pattern in FORMULAS:
        spans.extend(match.span() for match in pattern.finditer(text) if match.end() > match.start())
    date = TRAILING_DATE.search(text)
    if date:
        spans.append(date.span())
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _echoes(clause: str, appeal_bigrams: frozenset[str]) -> bool:
    """A clause that only repeats the appeal's own words (its title quoted back) answers nothing."""
    grams = char_bigrams(clause)
    return len(grams) >= 5 and overlap(grams, appeal_bigrams) >= 0.9


def split_reply(reply: str, appeal: str = "") -> _Parts:
    text = clean(reply)
    appeal_bigrams = char_bigrams(clean(appeal))
    referral_answers = bool(ASKS_WHERE.search(appeal))
    spans = _formula_spans(text)
    kept = list(text)
    for start, end in spans:
        kept[start:end] = [" "] * (end - start)
    remainder = "".join(kept)
    substantive: list[str] = []
    vague: list[str] = []
    deflecting: list[str] = []
    for clause in _CLAUSE_SPLIT.split(remainder):
        clause = clause.strip()
        if _cjk_count(clause) < _MIN_CLAUSE_CHARS:
            continue
        firm = FIRM.search(clause)
        answers = firm or ANSWER.search(clause)
        refers = REFER.search(clause) and not referral_answers and not ANSWER.search(REFER.sub("", clause))
        if (
            (DEFLECT.search(clause) and not firm)
            or refers
            or appeal_bigrams
            and not answers
            and _echoes(clause, appeal_bigrams)
        ):
            deflecting.append(clause)
        elif VAGUE.search(clause) and not FIRM.search(clause):
            vague.append(clause)
        else:
            substantive.append(clause)
    return _Parts(text, tuple(spans), tuple(substantive), tuple(vague), tuple(deflecting))


def _key_terms(text: str) -> set[str]:
    return {term for term in terms(text) if len(term) >= 2 and term not in GENERIC_TERMS}


def _requests(content: str) -> list[set[str]]:
    found = []
    for sentence in _SENTENCE_SPLIT.split(clean(content)):
        if REQUEST.search(sentence):
            words = _key_terms(sentence)
            if len(words) >= 2:
                found.append(words)
    return found


def _mentioned(term: str, text: str) -> bool:
    # Segmentation differs between texts (婚假期 / 婚假): a shared two-character piece counts.
    if term in text:
        return True
    return len(term) >= 3 and any(term[i : i + 2] in text for i in range(len(term) - 1))


def _shared(words: set[str], text: str) -> set[str]:
    return {word for word in words if _mentioned(word, text)}


def _answered(request: set[str], substance: str) -> bool:
    shared = _shared(request, substance)
    return len(shared) >= 2 or len(shared) / len(request) >= 0.3


def _short_list(words: Sequence[str], limit: int = 5) -> str:
    return "、".join(sorted(words)[:limit])


def _substance_reasons(parts: _Parts, substance: str, boilerplate: float) -> list[Reason]:
    total_chars = _cjk_count(parts.text)
    substantive_chars = _cjk_count(substance)
    vague_chars = sum(_cjk_count(clause) for clause in parts.vague)
    concrete = len(CONCRETE.findall(substance))
    reasons: list[Reason] = []
    answered_briefly = False
    if total_chars == 0:
        reasons.append(Reason("empty", "答复为空", 1.0))
    elif substantive_chars < _NOTHING:
        reasons.append(Reason("no-substance", "去掉套话后，答复没有实质内容（仅收悉、转办、致谢等）", 0.8))
    elif substantive_chars < _LITTLE:
        answered_briefly = bool(ANSWER.search(substance) or FIRM.search(substance))
        if answered_briefly:
            reasons.append(Reason("brief", f"去掉套话后，实质内容仅 {substantive_chars} 字", 0.3))
        else:
            reasons.append(
                Reason(
                    "little-substance",
                    f"去掉套话后，实质内容仅 {substantive_chars} 字，且没有明确的答复或结果",
                    0.55,
                )
            )
    if total_chars and boilerplate >= 0.6:
        reasons.append(
            Reason("boilerplate", f"套话占答复的 {boilerplate:.0%}", 0.15 * (boilerplate - 0.5) / 0.5)
        )
    if parts.deflecting and substantive_chars < _LITTLE and concrete < 2 and not answered_briefly:
        reasons.append(
            Reason(
                "deflect", "答复以不属管辖、请另行咨询、无法调查、请补充材料等理由推出诉求，未作实质处理", 0.3
            )
        )
    promises_only = not RESULT.search(substance) and not RULE.search(substance) and substantive_chars < 150
    if vague_chars and ((vague_chars >= substantive_chars and concrete < 4) or promises_only):
        reasons.append(Reason("vague", "答复以“认真研究”“加强管理”等表态为主，没有具体措施或结果", 0.4))
    if substantive_chars >= _LITTLE and concrete >= 4:
        reasons.append(
            Reason("specific", f"答复含 {concrete} 处具体信息（数字、依据、措施、地点、时间等）", -0.3)
        )
    elif substantive_chars >= _NOTHING and concrete >= 2:
        reasons.append(Reason("some-specific", f"答复含 {concrete} 处具体信息", -0.1))
    return reasons


def _relevance(case: AppealReply, substance: str) -> tuple[float | None, Reason | None]:
    """The share of the appeal's key terms (its title's first) that the reply's substance uses."""
    title_terms = _key_terms(case.title)
    appeal_terms = _key_terms(f"{case.title} {case.content[:_APPEAL_CHARS]}")
    if len(title_terms | appeal_terms) < 3:
        return None, None
    base = title_terms if len(title_terms) >= 2 else appeal_terms
    shared = _shared(base, substance)
    if not shared and len(_shared(appeal_terms, substance)) <= 1:
        missing = _short_list(list(base))
        return 0.0, Reason("off-topic", f"答复未涉及诉求的关键内容（{missing}），可能答非所问", 0.4)
    return len(shared) / len(base), None


def _coverage(case: AppealReply, substance: str) -> tuple[float | None, Reason | None]:
    requests = _requests(case.content[:_APPEAL_CHARS])
    if len(requests) < 2:
        return None, None
    answered = sum(_answered(request, substance) for request in requests)
    coverage = answered / len(requests)
    if coverage < 0.5:
        message = f"诉求提出 {len(requests)} 项请求或疑问，答复只回应了 {answered} 项"
        return coverage, Reason("unanswered", message, 0.2)
    return coverage, None


def _signal_reasons(signals: OutsideSignals, substantive_chars: int) -> list[Reason]:
    reasons = []
    if signals.dissatisfied:
        reasons.append(Reason("dissatisfied", "回访时诉求人表示不满意", 0.3))
    if signals.repeat_appeals:
        reasons.append(Reason("repeat", f"办结后同一事项又有 {signals.repeat_appeals} 次诉求", 0.25))
    if signals.reply_days is not None and signals.reply_days < 1 and substantive_chars < _LITTLE:
        reasons.append(Reason("hasty", "受理当天即答复且无实质内容，未见调查核实", 0.05))
    return reasons


def audit_reply(case: AppealReply) -> ClosureAudit:
    """Score one reply against its appeal; never raises on empty or odd text."""
    parts = split_reply(case.reply, f"{case.title}\n{case.content[:_APPEAL_CHARS]}")
    total_chars = _cjk_count(parts.text)
    substance = " ".join(parts.substantive)
    substantive_chars = _cjk_count(substance)
    content_chars = sum(_cjk_count(clause) for clause in parts.substantive + parts.vague + parts.deflecting)
    boilerplate = 1.0 - content_chars / total_chars if total_chars else 1.0
    reasons = _substance_reasons(parts, substance, boilerplate)
    relevance = coverage = None
    # Short replies are judged on substance alone: word overlap says little about a one-line answer.
    if substantive_chars >= _LITTLE:
        relevance, off_topic = _relevance(case, substance)
        coverage, unanswered = _coverage(case, substance)
        reasons.extend(reason for reason in (off_topic, unanswered) if reason)
    reasons.extend(_signal_reasons(case.signals, substantive_chars))
    score = max(0.0, min(1.0, sum(reason.points for reason in reasons)))
    return ClosureAudit(
        score=round(score, 3),
        flagged=score >= FLAG_THRESHOLD,
        reasons=tuple(sorted(reasons, key=lambda reason: -reason.points)),
        boilerplate_share=round(max(0.0, boilerplate), 3),
        substantive_chars=substantive_chars,
        concrete_markers=len(CONCRETE.findall(substance)),
        relevance=None if relevance is None else round(relevance, 3),
        coverage=None if coverage is None else round(coverage, 3),
        formula_spans=parts.formula_spans,
        reply_text=parts.text,
    )


def reply_days(filed: datetime | None, replied: datetime | None) -> float | None:
    if filed is None or replied is None:
        return None
    return max(0.0, (replied - filed).total_seconds() / 86400)
