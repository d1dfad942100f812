"""Metadata read from the text, each value with how it was found."""

from __future__ import annotations

from datetime import date

import pytest

from zhengshu.policy.metadata import (
    extract_metadata,
    filing_year,
    normalise_document_number,
    parse_chinese_day,
)
from zhengshu.policy.models import PolicyStatus

TODAY = date(2026, 11, 27)

FORMAL = """深圳市龙岗区人民政府办公室文件
深龙府办规〔2024〕3号
深圳市龙岗区人民政府办公室关于印发《龙岗区人才住房配租
管理办法》的通知
各街道办事处，区直各单位：
现将《龙岗区人才住房配租管理办法》印发给你们，请认真贯彻执行。
第一条 为规范人才住房配租工作，制定本办法。
第二条 本办法自2024年5月1日起施行，有效期5年。
原《龙岗区人才住房配租暂行办法》（深龙府办规〔2019〕7号）同时废止。
深圳市龙岗区人民政府办公室
2024年4月8日
（此件公开发布）"""


def test_formal_document_with_masthead_wrapped_title_signature_and_repeal() -> None:
    meta = extract_metadata(FORMAL, today=TODAY)
    assert meta.title == "深圳市龙岗区人民政府办公室关于印发《龙岗区人才住房配租管理办法》的通知"
    assert meta.document_number == "深龙府办规〔2024〕3号"
    assert meta.issuing_body == "深圳市龙岗区人民政府办公室"
    assert meta.written_on == date(2024, 4, 8)
    assert meta.effective_on == date(2024, 5, 1)
    assert meta.valid_until == date(2029, 4, 30)
    assert meta.status == PolicyStatus.IN_FORCE
    assert meta.year == 2024
    assert meta.repeals == ["深龙府办规〔2019〕7号"]
    assert "住房" in meta.topics and "人才" in meta.topics
    assert meta.sources["written_on"] == "落款日期"
    assert meta.sources["issuing_body"] == "落款"
    assert meta.sources["document_number"] == "文头文号行"
    assert "有效期5年" in meta.sources["valid_until"]


@pytest.mark.parametrize(
    ("typed", "standard"),
    [
        ("深龙府办规〔2024〕3号", "深龙府办规〔2024〕3号"),
        ("龙府[2023]12号", "龙府〔2023〕12号"),
        ("国办发（2020）6号", "国办发〔2020〕6号"),
        ("国办发(2020)006号", "国办发〔2020〕6号"),
        ("粤府【2021】第 15 号", "粤府〔2021〕15号"),
        ("深府办规［2022］ 4号", "深府办规〔2022〕4号"),
        ("根据国办发〔2020〕6号", "国办发〔2020〕6号"),
        ("印发深龙府〔2025〕8号", "深龙府〔2025〕8号"),
        ("没有文号的句子", None),
        ("〔2024〕3号", None),
    ],
)
def test_document_numbers_are_normalised(typed: str, standard: str | None) -> None:
    assert normalise_document_number(typed) == standard


def test_issuing_body_from_the_number_prefix_when_nothing_else_says() -> None:
    text = "深龙教〔2025〕15号\n学位申请指引\n一、申请对象\n适龄儿童。\n二、申请时间\n五月。"
    meta = extract_metadata(text, today=TODAY)
    assert meta.issuing_body == "深圳市龙岗区教育局"
    assert meta.sources["issuing_body"] == "文号前缀“深龙教”"
    assert meta.title == "学位申请指引"


def test_issuing_body_from_the_title_before_guanyu() -> None:
    text = "深圳市商务局关于稳定商务发展有关措施的通知\n各有关单位：\n特此通知。"
    meta = extract_metadata(text, today=TODAY)
    assert meta.issuing_body == "深圳市商务局"
    assert meta.sources["issuing_body"] == "标题“……关于”前的机关"
    assert meta.written_on is None


def test_one_line_web_text_with_joint_issuers_and_inline_signature() -> None:
    text = (
        "北京市财政局 北京市审计局关于强化疫情防控重点保障企业资金支持的紧急通知 京财金融〔2020〕251号 "
        "各区财政局： 为贯彻落实决策部署，现通知如下。 特此通知。 北京市财政局 北京市审计局 2020年2月14日"
    )
    meta = extract_metadata(text, today=TODAY)
    assert meta.title == "北京市财政局 北京市审计局关于强化疫情防控重点保障企业资金支持的紧急通知"
    assert meta.document_number == "京财金融〔2020〕251号"
    assert meta.issuing_body == "北京市财政局、北京市审计局"
    assert meta.written_on == date(2020, 2, 14)
    assert meta.topics[0] == "疫情防控"


def test_leading_number_in_a_one_line_text_is_not_the_title() -> None:
    text = "成银发〔2020〕15号 关于加强金融服务支持打赢疫情防控阻击战的通知 各银行机构： 为贯彻落实……"
    meta = extract_metadata(text, today=TODAY)
    assert meta.title == "关于加强金融服务支持打赢疫情防控阻击战的通知"
    assert meta.document_number == "成银发〔2020〕15号"


def test_expired_validity_makes_the_status_expired() -> None:
    text = (
        "复工复产措施\n一、减免租金。\n二、稳岗返还。\n"
        "本措施自印发之日起施行，有效期至2020年12月31日。\n某区人民政府\n2020年2月12日"
    )
    meta = extract_metadata(text, today=TODAY)
    assert meta.effective_on == date(2020, 2, 12)
    assert meta.sources["effective_on"] == "“自印发之日起施行”"
    assert meta.valid_until == date(2020, 12, 31)
    assert meta.status == PolicyStatus.EXPIRED
    assert "已届满" in meta.sources["status"]
    assert extract_metadata(text, today=date(2020, 6, 1)).status == PolicyStatus.IN_FORCE


def test_signature_date_in_chinese_numerals() -> None:
    text = "某某管理办法\n第一条 内容。\n深圳市龙岗区人民政府\n二〇二三年十二月三十一日"
    meta = extract_metadata(text, today=TODAY)
    assert meta.written_on == date(2023, 12, 31)
    assert meta.issuing_body == "深圳市龙岗区人民政府"


def test_a_date_closing_a_sentence_is_not_a_signature() -> None:
    text = "某某通知\n活动截止时间为2024年3月1日"
    assert extract_metadata(text, today=TODAY).written_on is None


def test_repealing_decision_lists_every_document_but_not_its_legal_basis() -> None:
    text = """关于废止部分规范性文件的决定
根据《中华人民共和国立法法》和《规范性文件管理规定》，决定废止下列文件：
1.《龙岗区创业补贴实施办法》（深龙人社规〔2019〕4号）
2.《龙岗区老旧小区改造办法》（深龙建规〔2018〕2号）
3.《龙岗区旧办法》
深圳市龙岗区人民政府
2025年6月30日"""
    meta = extract_metadata(text, today=TODAY)
    # A title followed by its 文号 is named by the 文号 alone; a title without one by the title.
    assert meta.repeals == ["深龙人社规〔2019〕4号", "深龙建规〔2018〕2号", "龙岗区旧办法"]


def test_ordinary_citations_are_not_repeals() -> None:
    text = "某某办法\n第一条 根据《某某条例》（国发〔2020〕1号），制定本办法。\n第二条 有效期届满后自动废止。"
    assert extract_metadata(text, today=TODAY).repeals == []


def test_untitled_text_falls_back_to_the_file_name() -> None:
    meta = extract_metadata("深龙府〔2024〕1号\n2024年1月1日", today=TODAY, fallback_title="文件名")
    assert meta.title == "文件名"
    assert meta.sources["title"] == "文件名"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-15", date(2024, 3, 15)),
        ("2024/3/5", date(2024, 3, 5)),
        ("2024年3月15日", date(2024, 3, 15)),
        ("二〇二四年三月十五日", date(2024, 3, 15)),
        ("2024年2月30日", None),
        ("三月", None),
    ],
)
def test_parse_chinese_day(value: str, expected: date | None) -> None:
    assert parse_chinese_day(value) == expected


@pytest.mark.parametrize(
    ("days", "number", "expected"),
    [
        ((date(2024, 4, 8), date(2025, 1, 2), date(2026, 1, 1)), "深龙府〔2023〕1号", 2024),
        ((None, date(2025, 1, 2), date(2026, 1, 1)), None, 2025),
        ((None, None, date(2026, 1, 1)), "深龙府〔2023〕1号", 2026),
        ((None, None, None), "深龙府〔2023〕1号", 2023),
        ((None, None, None), None, None),
    ],
)
def test_filing_year_is_of_the_first_known_date_else_of_the_document_number(
    days: tuple[date | None, date | None, date | None], number: str | None, expected: int | None
) -> None:
    assert filing_year(*days, number) == expected


def test_number_after_the_title_belongs_to_the_document_but_a_cited_one_does_not() -> None:
    own = extract_metadata("关于印发《示例办法》的通知（深龙府办规〔2024〕3号）\n各单位：", today=TODAY)
    assert own.document_number == "深龙府办规〔2024〕3号"
    assert own.title == "关于印发《示例办法》的通知"
    cited = extract_metadata("示例决定\n《示例办法》（深龙府办规〔2019〕3号）废止。", today=TODAY)
    assert cited.document_number is None
