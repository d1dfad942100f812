"""Answers from the evidence: citations that exist, refusals, repealed documents never presented as
current, follow-up questions, and a model's answer kept only when every sentence is supported."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from zhengshu.errors import InvalidInput
from zhengshu.policy.answers import REFUSAL, Source
from zhengshu.policy.llm import LlmEndpoint, verified
from zhengshu.policy.models import PolicyStatus
from zhengshu.policy.passages import passages_of
from zhengshu.policy.qa import PolicyQa, QaFilters, SourceFacts
from zhengshu.policy.retrieval import PolicyIndex
from zhengshu.search.questions import in_context

TODAY = date(2026, 11, 26)
SUBSIDY = (
    "第一条 为支持中小企业发展，制定本措施。\n"
    "第二条 对新认定的国家高新技术企业，给予一次性奖励20万元。\n"
    "第三条 对租用区内产业用房的中小企业，按实际租金的30%给予租金补贴，每家企业每年最高50万元，最长3年。\n"
    "第四条 本措施自2024年3月1日起施行，有效期3年。"
)
OLD_SUBSIDY = "第一条 对租用区内产业用房的中小企业，按实际租金的20%给予租金补贴，每家企业每年最高30万元。"
TALENT = (
    "第一条 为吸引人才，制定本办法。\n"
    "第二条 全日制博士研究生来龙岗工作的，给予一次性生活补贴10万元。\n"
    "第三条 人才住房按市场租金的60%配租。"
)
DOCUMENTS = {
    "subsidy": (
        Source("subsidy", "龙岗区促进中小企业发展若干措施（示例）", "深龙府规〔2024〕3号"),
        "区政府",
        2024,
        SUBSIDY,
    ),
    "old": (
        Source("old", "龙岗区中小企业租金补贴办法（示例）", "深龙府规〔2019〕8号", PolicyStatus.REPEALED),
        "区政府",
        2019,
        OLD_SUBSIDY,
    ),
    "talent": (
        Source("talent", "龙岗区人才引进办法（示例）", "深龙人才〔2023〕1号", valid_until=date(2025, 12, 31)),
        "区人才工作局",
        2023,
        TALENT,
    ),
}


@pytest.fixture(scope="module")
def qa() -> PolicyQa:
    index = PolicyIndex()
    facts = {}
    for doc_id, (source, body, year, text) in DOCUMENTS.items():
        index.add_document(doc_id, source.title, passages_of(doc_id, source.title, text))
        facts[doc_id] = SourceFacts(source, body, year)
    return PolicyQa(index, facts)


def test_an_answer_quotes_and_cites_the_current_document(qa: PolicyQa) -> None:
    answer = qa.ask("租用产业用房的中小企业有什么租金补贴？", today=TODAY)
    assert not answer.refused
    first = answer.citations[0]
    assert first.source.doc_id == "subsidy" and first.standing == "现行有效"
    assert "30%" in first.quote and first.quote in first.passage.text
    assert "深龙府规〔2024〕3号" in first.label and "[1]" in answer.text
    # Every cited number refers to a citation of the answer.
    numbers = {c.number for c in answer.citations}
    assert all(set(s.citations) <= numbers for s in answer.statements)
    # The repealed rule matched too, and is shown apart, never cited as the answer.
    assert all(c.source.doc_id != "old" for c in answer.citations)


def test_evidence_only_from_documents_no_longer_in_force_is_a_refusal(qa: PolicyQa) -> None:
    answer = qa.ask("博士研究生来龙岗工作有多少生活补贴？", today=TODAY)
    assert answer.refused
    assert "已失效" in answer.reason and "有效期至 2025-12-31" in answer.reason
    assert answer.withheld and answer.withheld[0].source.doc_id == "talent"
    assert answer.text.startswith(REFUSAL)
    # Before the end of its validity the same question is answered.
    earlier = qa.ask("博士研究生来龙岗工作有多少生活补贴？", today=date(2025, 6, 1))
    assert not earlier.refused and "10万元" in earlier.citations[0].quote


def test_a_question_the_library_cannot_answer_is_refused(qa: PolicyQa) -> None:
    answer = qa.ask("办理护照需要带哪些材料？", today=TODAY)
    assert answer.refused and not answer.citations
    assert answer.text.startswith(REFUSAL)


def test_filters_narrow_the_documents(qa: PolicyQa) -> None:
    assert qa.allowed(QaFilters(), TODAY) is None
    assert qa.allowed(QaFilters(issuing_body="人才"), TODAY) == {"talent"}
    assert qa.allowed(QaFilters(first_year=2020), TODAY) == {"subsidy", "talent"}
    assert qa.allowed(QaFilters(in_force_only=True), TODAY) == {"subsidy"}
    answer = qa.ask("租金补贴", filters=QaFilters(issuing_body="人才"), today=TODAY)
    assert all(c.source.doc_id == "talent" for c in [*answer.citations, *answer.withheld])


def test_follow_up_questions_keep_their_context(qa: PolicyQa) -> None:
    assert (
        in_context("那最长几年？", ["产业用房租金补贴标准是多少"])
        == "产业用房租金补贴标准是多少 那最长几年？"
    )
    assert (
        in_context("全日制博士研究生有什么生活补贴政策", ["租金补贴"]) == "全日制博士研究生有什么生活补贴政策"
    )
    answer = qa.ask("最长几年呢？", earlier=["租用产业用房的租金补贴"], today=TODAY)
    assert not answer.refused and answer.citations[0].source.doc_id == "subsidy"


@pytest.mark.parametrize(
    ("question", "message"), [("", "请输入问题"), ("   ", "请输入问题"), ("问" * 20_000, "问题过长")]
)
def test_bad_questions_get_a_clear_message(qa: PolicyQa, question: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        qa.ask(question, today=TODAY)


def test_a_model_sentence_must_cite_a_passage_that_supports_it(qa: PolicyQa) -> None:
    citations = qa.ask("租用产业用房的中小企业有什么租金补贴？", today=TODAY).citations
    good = "租用区内产业用房的中小企业，按实际租金的30%给予租金补贴[1]。每家企业每年最高50万元[1]。"
    statements = verified(good, citations)
    assert statements is not None and [s.citations for s in statements] == [(1,), (1,)]
    assert verified("租用产业用房的企业可获得实际租金的50%补贴[1]。", citations) is None  # a number not in it
    assert verified("企业可以申请贷款贴息[1]。", citations) is None  # not what the passage says
    assert verified("按实际租金的30%给予租金补贴。", citations) is None  # no citation
    assert verified("按实际租金的30%给予租金补贴[9]。", citations) is None  # no such passage


class _Completions(BaseHTTPRequestHandler):
    reply = ""

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        length = int(self.headers["Content-Length"])
        request = json.loads(self.rfile.read(length))
        assert request["messages"][0]["role"] == "system"
        body = json.dumps({"choices": [{"message": {"role": "assistant", "content": self.reply}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def endpoint() -> Iterator[tuple[LlmEndpoint, type[_Completions]]]:
    """An OpenAI-compatible chat-completions server on localhost, answering what the test sets."""
    handler = type("Handler", (_Completions,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield (
            LlmEndpoint(f"http://127.0.0.1:{server.server_port}/v1", "test-model", timeout_seconds=5),
            handler,
        )
    finally:
        server.shutdown()


def test_a_model_answer_is_kept_only_when_it_passes_the_check(qa: PolicyQa, endpoint) -> None:
    llm, handler = endpoint
    with_model = PolicyQa(qa.index, qa.facts, llm)
    question = "租用产业用房的中小企业有什么租金补贴？"
    handler.reply = "中小企业租用区内产业用房的，按实际租金的30%给予租金补贴，每家企业每年最高50万元[1]。"
    kept = with_model.ask(question, today=TODAY)
    assert kept.statements[0].text.startswith("中小企业租用区内产业用房的") and kept.statements[
        0
    ].citations == (1,)
    handler.reply = "中小企业可获得全额租金补贴，没有上限[1]。"
    fallback = with_model.ask(question, today=TODAY)
    assert fallback.statements == qa.ask(question, today=TODAY).statements


def test_an_unreachable_model_leaves_the_extractive_answer(qa: PolicyQa) -> None:
    unreachable = PolicyQa(
        qa.index, qa.facts, LlmEndpoint("http://127.0.0.1:9/v1", "none", timeout_seconds=1)
    )
    question = "租用产业用房的中小企业有什么租金补贴？"
    assert unreachable.ask(question, today=TODAY).statements == qa.ask(question, today=TODAY).statements


def test_a_superseded_or_lapsed_version_is_never_in_force() -> None:
    superseded = Source("old", "旧版（示例）", is_current=False)
    assert not superseded.in_force(TODAY) and superseded.standing(TODAY) == "已修改"
    lapsed = Source("t", "办法（示例）", valid_until=date(2026, 1, 31))
    assert not lapsed.in_force(TODAY) and lapsed.standing(TODAY).startswith("已失效")
    assert lapsed.in_force(date(2026, 1, 31))


def test_the_topic_carries_over_several_follow_ups() -> None:
    first = "租用区属产业用房的中小企业租金怎么优惠？"
    assert in_context("要交什么材料？", [first, "那个体工商户呢？"]).startswith(first)
    # 其他 is no reference to the question before; a question that stands alone starts afresh.
    assert in_context("办理人才认定需要提交其他什么材料", [first]) == "办理人才认定需要提交其他什么材料"
