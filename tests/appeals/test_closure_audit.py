"""The closed-on-paper scoring: what it flags, what it lets through, and the reasons it gives."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest
from tests.shared_data import APPEALS_DATA
from typer.testing import CliRunner

from zhengshu.appeals.closure_audit import (
    FLAG_THRESHOLD,
    AppealReply,
    OutsideSignals,
    audit_reply,
    reply_days,
)
from zhengshu.appeals.closure_repeats import repeat_counts, title_similarity
from zhengshu.bench.closure import read_rows, run
from zhengshu.cli import app
from zhengshu.errors import InvalidInput

TITLE = "平湖街道凤凰社区工地夜间施工噪音扰民"
CONTENT = (
    "凤凰大道旁工地每晚十一点后仍在施工，噪音很大，影响休息。希望有关部门尽快处理，能否限制夜间施工时间？"
)
DATA = APPEALS_DATA / "teddycup2020_replies.csv"
LABELS = Path(__file__).resolve().parents[1] / "data" / "closure_dev_labels.csv"


def audit(reply: str, *, title: str = TITLE, content: str = CONTENT, **signals):
    return audit_reply(AppealReply(title, content, reply, OutsideSignals(**signals)))


def codes(result) -> set[str]:
    return {reason.code for reason in result.reasons}


@pytest.mark.parametrize(
    "reply",
    [
        "网友：您好！留言已收悉。",
        "您的留言已收悉，关于您反映的问题，已转市住建局调查处理。感谢您对我们工作的支持！2019年5月6日",
        "网友您好，您反映的问题已转至区城管局，感谢您的问政。",
        "您好！您反映的问题不属于我单位职责范围，建议您向有关部门咨询。感谢您的留言。",
    ],
)
def test_acknowledgement_forwarding_and_deflection_are_flagged(reply):
    result = audit(reply)
    assert result.flagged
    assert result.score >= FLAG_THRESHOLD
    assert result.messages, "a flag always comes with a reason"


def test_a_short_concrete_answer_is_not_flagged_for_being_short():
    result = audit(
        "您好！居住证有效期为一年，可持身份证到户籍所在地派出所办理。",
        title="咨询居住证的有效期",
        content="请问居住证可以办理几年的？",
    )
    assert not result.flagged


def test_long_promise_to_study_without_measures_is_flagged():
    reply = (
        "网友您好！您的留言已收悉。现将有关情况回复如下：我局高度重视您反映的问题，"
        "对于您提出的意见建议，我们将认真研究，予以充分考虑，进一步加强管理，加大监管力度，"
        "切实维护群众的合法权益，努力营造良好的生活环境。感谢您对我们工作的支持、理解与监督！2018年5月3日"
    )
    result = audit(reply)
    assert result.flagged
    assert "vague" in codes(result) or "no-substance" in codes(result)


def test_a_reply_with_findings_and_actions_is_not_flagged():
    reply = (
        "网友您好！您的留言已收悉。经查，凤凰大道旁工地确有夜间施工噪音扰民情况，情况属实。"
        "5月3日晚，区城管执法中队到现场检查，对施工单位下达了《责令整改通知书》，罚款5000元，"
        "并要求其每日22时后停止高噪音作业。5月6日复查，该工地已整改到位。感谢您的监督！"
    )
    result = audit(reply)
    assert not result.flagged
    assert "specific" in codes(result)
    assert result.concrete_markers >= 4


def test_a_reply_about_another_matter_is_flagged_as_off_topic():
    reply = (
        "您好！关于公积金贷款额度问题，根据规定，缴存职工申请贷款的最高额度为个人账户余额的十五倍，"
        "首套住房首付比例不低于百分之二十，贷款期限最长三十年，具体可到公积金中心窗口办理。"
    )
    result = audit(reply)
    assert "off-topic" in codes(result)
    assert result.relevance == 0.0


def test_outside_signals_add_their_own_reasons():
    reply = "经查，工地已于5月3日停止夜间施工，施工单位已整改到位，并承诺22时后不再作业。"
    calm = audit(reply)
    upset = audit(reply, dissatisfied=True, repeat_appeals=2)
    assert upset.score > calm.score
    assert {"dissatisfied", "repeat"} <= codes(upset)
    assert any("不满意" in message for message in upset.messages)


@pytest.mark.parametrize("reply", ["", "   ", "\n\n", "2019年5月6日"])
def test_empty_or_date_only_reply_is_flagged_with_a_reason(reply):
    result = audit(reply)
    assert result.flagged
    assert result.messages


def test_formula_spans_cover_the_boilerplate_only():
    reply = "网友您好！您的留言已收悉。经查，该工地已停工整改。感谢您对我们工作的支持！"
    result = audit(reply)
    marked = "".join(result.reply_text[start:end] for start, end in result.formula_spans)
    assert "收悉" in marked and "感谢" in marked
    assert "停工整改" not in marked


def test_reply_days():
    assert reply_days(datetime(2020, 1, 1, 8), datetime(2020, 1, 3, 8)) == 2
    assert reply_days(None, datetime(2020, 1, 3)) is None


def test_repeat_appeals_are_later_and_about_the_same_matter():
    first = datetime(2020, 1, 1)
    replied = datetime(2020, 1, 10)
    entries = [
        ("1", "请求解决金地花园小区房产证问题", first, replied),
        ("2", "再次请求解决金地花园小区房产证问题", datetime(2020, 2, 1), None),
        ("3", "金地花园小区房产证问题", datetime(2019, 12, 1), None),  # before the reply: not a repeat
        ("4", "投诉学校乱收费", datetime(2020, 2, 2), None),
    ]
    assert repeat_counts(entries)["1"] == 1
    assert title_similarity("请求解决金地花园小区房产证问题", "投诉学校乱收费") < 0.2


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_bench_rejects_wrong_columns_in_chinese(tmp_path):
    path = _write(tmp_path / "bad.csv", ["text", "label"], [["a", "b"]])
    with pytest.raises(InvalidInput, match="缺少必需的列"):
        read_rows(path)


def test_cli_bench_reports_bad_input_without_traceback(tmp_path):
    path = _write(tmp_path / "bad.csv", ["text", "label"], [["a", "b"]])
    result = CliRunner().invoke(
        app, ["bench", "closure", "--input", str(path), "--output", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "缺少必需的列" in result.output
    assert "Traceback" not in result.output


def test_bench_writes_one_line_per_reply_and_scores_labels(tmp_path):
    header = ["留言编号", "留言主题", "留言详情", "答复意见", "留言时间_iso", "答复时间_iso"]
    rows = [
        ["11", TITLE, CONTENT, "网友：您好！留言已收悉", "2020-01-01 08:00:00", "2020-01-02 08:00:00"],
        [
            "12",
            TITLE,
            CONTENT,
            "经查，工地已于5月3日停止夜间施工，并已罚款5000元，整改到位。",
            "2020-01-01 08:00:00",
            "",
        ],
        ["13", TITLE, CONTENT, "", "", ""],
    ]
    data = _write(tmp_path / "replies.csv", header, rows)
    labels = _write(
        tmp_path / "labels.csv", ["id", "closed_on_paper"], [["11", "1"], ["12", "0"], ["13", "1"]]
    )
    out = tmp_path / "flags.jsonl"
    figures = run(data, out, labels)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [11, 12, 13]
    assert [line["flagged"] for line in lines] == [True, False, True]
    assert lines[2]["reasons"] == ["答复为空"]
    assert figures["replies"] == 3 and figures["empty_replies"] == 1
    assert figures["precision"] == 1.0 and figures["recall"] == 1.0


@pytest.mark.skipif(not DATA.exists(), reason="shared data not present")
def test_agrees_with_the_hand_labels_on_a_slice_of_the_real_replies(tmp_path):
    labels: dict[str, int] = {}
    with LABELS.open(encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            labels[record["id"]] = int(record["closed_on_paper"])
    # Every third labelled reply: a fast, fixed slice of short and long ones.
    wanted = set(sorted(labels, key=int)[::3])
    pairs = [
        (audit_reply(AppealReply(row.title, row.content, row.reply)).flagged, labels[row.id] == 1)
        for row in read_rows(DATA)
        if row.id in wanted
    ]
    true_flags = sum(1 for flagged, labelled in pairs if flagged and labelled)
    precision = true_flags / sum(1 for flagged, _ in pairs if flagged)
    recall = true_flags / sum(1 for _, labelled in pairs if labelled)
    assert precision >= 0.9
    assert recall >= 0.85
