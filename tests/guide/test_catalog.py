"""Browsing the items: filters with facet counts, paging, a search's codes restricting and ordering
the list, one item with its variants and other bodies' same item; the records others read."""

from __future__ import annotations

import pytest
from tests.guide.guide_files import emptied, jsonl, native

from zhengshu.db import reading, transaction
from zhengshu.errors import InvalidInput, NotFound
from zhengshu.guide import catalog_listing
from zhengshu.guide.catalog import all_records, item_record, item_view
from zhengshu.guide.catalog_listing import listing, parse_filters
from zhengshu.guide.demo import load_demo
from zhengshu.guide.importing import edit_item, import_items
from zhengshu.guide.item_files import read_item_file
from zhengshu.guide.life_events import ENTERPRISE, PERSON


@pytest.fixture
def demo(db):
    with emptied(db):
        assert load_demo(db.factory).created == 20
        yield db


def listed(db, page: int = 1, size: int = catalog_listing.PAGE_SIZE, **filters) -> catalog_listing.Listing:
    with reading(db.factory) as session:
        return listing(session, parse_filters(**filters), page, size)


def test_the_whole_list_is_paged_by_name(demo):
    first = listed(demo, size=8)
    assert first.total == 20 and first.pages == 3 and len(first.items) == 8
    last = listed(demo, page=3, size=8)
    assert len(last.items) == 4
    names = [i.name for i in listed(demo, size=100).items]
    assert names == sorted(names) and all(i.sample for i in first.items)
    assert listed(demo, page=9).items == []


def test_filters_narrow_the_list_and_each_facet_counts_over_the_other_filters(demo):
    found = listed(demo, life_event="出生")
    assert {i.name for i in found.items} == {
        "出生医学证明补发（示例）",
        "新生儿入户（出生登记）（示例）",
        "生育登记（示例）",
    }
    # Every life event is still counted as if chosen instead, over all 20 items.
    life_events = dict(found.facets["life_event"])
    assert life_events["出生"] == 3 and life_events["出入境"] == 2
    assert [value for value, _count in found.facets["life_event"]][:2] == ["出生", "就业"]  # table order
    # The other facets count over the three items left.
    assert dict(found.facets["department"]) == {"区卫生健康局": 2, "市公安局龙岗分局": 1}
    both = listed(demo, life_event="出生", department="市公安局龙岗分局")
    assert [i.code for i in both.items] == ["SAMPLE-LG-0015"]
    assert dict(both.facets["department"])["区卫生健康局"] == 2


def test_audience_theme_and_item_type(demo):
    enterprise = listed(demo, audience=ENTERPRISE, size=100)
    assert {i.code for i in enterprise.items} == {"SAMPLE-LG-0001", "SAMPLE-LG-0002", "SAMPLE-LG-0003",
                                                  "SAMPLE-LG-0018", "SAMPLE-LG-0019"}  # fmt: skip
    assert all(ENTERPRISE in i.audiences for i in enterprise.items)
    assert listed(demo, audience="个人办事").total == listed(demo, audience=PERSON).total == 17
    assert listed(demo, theme="准营准办").total == 2
    assert listed(demo, item_type="行政给付").total == 4
    assert listed(demo, department="没有这个部门").total == 0


def test_a_search_s_codes_restrict_and_order_the_list(demo):
    codes = ["SAMPLE-LG-0016", "NOT-THERE", "SAMPLE-LG-0003", "SAMPLE-LG-0001", "SAMPLE-LG-0003"]
    found = listed(demo, codes=codes)
    assert [i.code for i in found.items] == ["SAMPLE-LG-0016", "SAMPLE-LG-0003", "SAMPLE-LG-0001"]
    assert sum(count for _v, count in found.facets["department"]) == 3
    narrowed = listed(demo, codes=codes, audience=ENTERPRISE)
    assert [i.code for i in narrowed.items] == ["SAMPLE-LG-0003", "SAMPLE-LG-0001"]
    assert listed(demo, codes=[]).total == 0


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"audience": "老人"}, "服务对象应为：个人办事、法人办事"),
        ({"department": "部" * 101}, "实施主体过长"),
        ({"theme": "就业\x00"}, "控制字符"),
        ({"codes": ["X"] * (catalog_listing.MAX_CODES + 1)}, "最多按"),
    ],
)
def test_bad_filters_are_refused_in_chinese(filters, message):
    with pytest.raises(InvalidInput, match=message):
        parse_filters(**filters)


def test_an_item_with_its_variants_and_other_bodies_same_item(guide_items):
    with reading(guide_items.factory) as session:
        view = item_view(session, "P-1")
        assert [v.code for v in view.variants] == ["P-2"]  # same catalogue item, same body
        assert [s.department for s in view.same_name] == ["广州市工业和信息化局"]
        assert view.source == "items.jsonl"
        city = item_view(session, "C-1")
        assert [v.code for v in city.variants] == [] and [s.code for s in city.same_name] == ["P-1"]
        with pytest.raises(NotFound, match="未找到编码为“P-9”的服务事项"):
            item_view(session, "P-9")


@pytest.fixture
def guide_items(db):
    catalog_name = "无线电频率使用许可"
    data = jsonl(
        native("P-1", "无线电频率使用许可（新申请）", "广东省工业和信息化厅", catalog_name=catalog_name,
               materials=["申请表 原件 1份", "技术资料 复印件 2份 可选"],
               faqs=[{"question": "多久？", "answer": "20个工作日。"}]),
        native("P-2", "无线电频率使用许可（续期）", "广东省工业和信息化厅", catalog_name=catalog_name),
        native("C-1", "无线电频率使用许可（新申请）", "广州市工业和信息化局", catalog_name=catalog_name),
    )  # fmt: skip
    with emptied(db):
        with transaction(db.factory) as session:
            assert import_items(session, read_item_file("items.jsonl", data), None).created == 3
        yield db


def test_records_for_the_assistant_and_pre_review(guide_items):
    with reading(guide_items.factory) as session:
        records = all_records(session)
        one = item_record(session, "P-1")
    assert [r.code for r in records] == ["C-1", "P-1", "P-2"]  # by name, then code
    by_code = {r.code: r for r in records}
    assert by_code["P-1"] == one and isinstance(one.extra["id"], int)
    assert [m.name for m in one.materials] == ["申请表", "技术资料"] and one.materials[1].optional
    assert one.faqs[0].answer == "20个工作日。"


def test_the_listing_sees_an_edit_at_once(guide_items):
    assert listed(guide_items, theme="无线电").total == 0
    with transaction(guide_items.factory) as session:
        edit_item(session, "P-2", {"themes": ["无线电"]}, None)
    assert [i.code for i in listed(guide_items, theme="无线电").items] == ["P-2"]
