"""章, 节, 条, 款, 项 and attachments as units with anchors and offsets into the text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from zhengshu.policy.passages import passages_of
from zhengshu.policy.structure import cn_number, parse_structure, units_for_passages
from zhengshu.text.numerals import chinese_to_int

RULES = """示例管理办法
第一章 总则
第一条 为了规范管理，制定本办法。
第二条 本办法适用于全区。
第二章 申请
第一节 条件
第三条 申请人应当符合下列条件：
（一）在本区工作；
（二）无自有住房。
依照第二条规定不符合条件的，不予受理。
第四条 按照本办法 第十二条办理的，另行通知。
第二节 程序
第五条 申请、审核、公示。
第三章 附则
第六条 本办法自2024年5月1日起施行。
深圳市龙岗区人民政府
2024年4月8日

附件1
申请表
第一条 申请表由申请人填写。
附件2
材料清单"""


def test_articles_with_chapters_sections_and_attachments() -> None:
    parsed = parse_structure(RULES)
    assert parsed.structured
    anchors = [unit.anchor for unit in parsed.units]
    # "第十二条" cited inside 第四条, even after a space, is out of sequence: no heading.
    assert anchors == ["序言", "第一条", "第二条", "第三条", "第四条", "第五条", "第六条", "附件1",
                       "附件1第一条", "附件2"]  # fmt: skip
    by_anchor = {unit.anchor: unit for unit in parsed.units}
    assert by_anchor["第三条"].path == "第二章 申请 第一节 条件 第三条"
    assert by_anchor["第五条"].path == "第二章 申请 第二节 程序 第五条"
    assert by_anchor["第六条"].path == "第三章 附则 第六条"
    assert by_anchor["附件1第一条"].path == "附件1 第一条"
    assert parsed.unit_text(by_anchor["第二条"]) == "第二条 本办法适用于全区。"
    assert by_anchor["第一条"].heading == "为了规范管理"
    # The signature belongs to no article.
    assert parsed.unit_text(by_anchor["第六条"]) == "第六条 本办法自2024年5月1日起施行。"
    assert parsed.unit_text(by_anchor["附件2"]) == "附件2\n材料清单"


def test_clauses_and_items_inside_an_article() -> None:
    parsed = parse_structure(RULES)
    article = next(unit for unit in parsed.units if unit.anchor == "第三条")
    parts = {part.anchor: RULES[part.start : part.end] for part in article.parts}
    assert parts == {
        "第一款": "第三条 申请人应当符合下列条件：",
        "第（一）项": "（一）在本区工作；",
        "第（二）项": "（二）无自有住房。",
        "第二款": "依照第二条规定不符合条件的，不予受理。",
    }


def test_notice_without_articles_falls_back_to_numbered_sections() -> None:
    text = (
        "关于做好学位申请的通知\n各单位：\n一、申请对象\n适龄儿童。\n"
        "二、申请时间\n（一）网上申请。\n（二）审核。\n三、咨询\n拨打热线。"
    )
    parsed = parse_structure(text)
    assert parsed.structured
    assert [unit.anchor for unit in parsed.units] == ["序言", "一、", "二、", "三、"]
    second = parsed.units[2]
    assert second.kind == "section" and second.heading == "申请时间"
    assert [part.anchor for part in second.parts if "项" in part.anchor] == ["第（一）项", "第（二）项"]


def test_one_line_web_text_sections_after_spaces() -> None:
    text = "关于稳定商务发展有关措施的通知 各有关单位： 一、保障供应 1.监测补货。 二、支持企业 减免租金。"
    parsed = parse_structure(text)
    assert [unit.anchor for unit in parsed.units] == ["序言", "一、", "二、"]
    assert parsed.unit_text(parsed.units[2]) == "二、支持企业 减免租金。"


def test_plain_text_falls_back_to_paragraphs_and_passages_use_windows() -> None:
    text = "第一段没有结构。\n\n第二段也没有。"
    parsed = parse_structure(text)
    assert not parsed.structured
    assert [unit.anchor for unit in parsed.units] == ["第1段", "第2段"]
    assert units_for_passages(parsed) == []


def test_a_lone_article_reference_is_not_a_structure() -> None:
    parsed = parse_structure("新闻稿 记者从会上获悉 第五条措施明确了补贴。")
    assert not parsed.structured


def test_units_for_passages_point_into_the_text() -> None:
    parsed = parse_structure(RULES)
    units = units_for_passages(parsed)
    assert units[0][0] is None  # the preamble has no anchor
    for _anchor, text, start in units:
        assert RULES[start : start + len(text)] == text
    passages = passages_of("doc", "示例管理办法", RULES, units)
    assert {passage.anchor for passage in passages} >= {"第三条", "附件1第一条"}


def test_chinese_numbers_round_trip() -> None:
    assert [chinese_to_int(cn_number(n)) for n in range(1, 1000)] == list(range(1, 1000))
    assert cn_number(12) == "十二" and cn_number(105) == "一百零五" and cn_number(110) == "一百一十"


_PIECES = st.sampled_from(
    ["第一条", "第二条", "第十二条", "第一章", "附件1", "一、", "（一）", "\n", " ", "内容。"]
    + ["深圳市龙岗区人民政府", "2024年4月8日"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=30))
def test_units_never_overlap_and_always_match_the_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    parsed = parse_structure(text)
    previous_end = 0
    for unit in parsed.units:
        assert previous_end <= unit.start < unit.end <= len(text)
        assert parsed.unit_text(unit) == parsed.unit_text(unit).strip()
        for part in unit.parts:
            assert unit.start <= part.start < part.end <= unit.end
        previous_end = unit.end
    assert len({unit.anchor for unit in parsed.units}) == len(parsed.units)
