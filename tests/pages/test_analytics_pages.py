"""类案热点 pages: class cases with the heat index explained, a class case's appeals (masked), rankings."""

from __future__ import annotations

import re

from tests.appeals.helpers import submit
from tests.appeals.test_hotspots import GARBAGE, NOISE, STRAYS
from tests.pages.helpers import login

from zhengshu.db import transaction

PAGE = "/analytics/hotspots"


def _seed(db, name="王小明"):
    with transaction(db.factory) as session:
        for title, body in GARBAGE + NOISE + STRAYS:
            # The appellant of the garbage appeals names himself in the text: masked on the pages.
            content = f"{body}我是{name}，电话13912345678。" if (title, body) in GARBAGE else body
            appeal = submit(session, title=title, content=content, appellant_name=name)
            appeal.category = "市容环卫" if "垃圾" in title else "城乡建设"


def test_the_hotspots_page_lists_class_cases_with_the_heat_explained(db, client):
    _seed(db)
    login(client, "leader")
    home = client.get("/")
    assert f'href="{PAGE}"' in home.text and "类案热点" in home.text
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "热度 = 10·ln(1+诉求数)" in page.text  # the formula is shown
    assert "翠湖花园小区" in page.text and "五和大道" in page.text
    assert "聚成类案 2 个" in page.text
    links = re.findall(r'href="(/analytics/hotspots/case\?[^"]+)"', page.text)
    assert len(links) == 2


def test_a_class_case_lists_its_appeals_with_personal_data_masked(db, client):
    _seed(db)
    login(client, "leader")
    page = client.get(PAGE)
    link = re.findall(r'href="(/analytics/hotspots/case\?[^"]+)"', page.text)[0].replace("&amp;", "&")
    case = client.get(link)
    assert case.status_code == 200
    assert len(re.findall(r'<a href="/appeals/\d+">\d+</a>', case.text)) in (3, 4)
    assert "13912345678" not in case.text and "王小明" not in case.text


def test_rankings_drill_down_to_the_appeals(db, client):
    _seed(db)
    login(client, "supervisor")
    page = client.get("/analytics/rankings")
    assert page.status_code == 200
    assert "十大诉求领域" in page.text and "市容环卫" in page.text and "翠湖花园" in page.text
    link = re.search(r'href="(/analytics/rankings/appeals\?[^"]*kind=estate[^"]*)"', page.text)
    assert link
    appeals = client.get(link.group(1).replace("&amp;", "&"))
    assert appeals.status_code == 200
    assert "共 4 件" in appeals.text


def test_a_bad_date_or_range_gives_a_chinese_message(db, client):
    login(client, "leader")
    bad = client.get(f"{PAGE}?first=2026-13-01")
    assert bad.status_code == 422 and "格式应为 YYYY-MM-DD" in bad.text
    reversed_range = client.get(f"{PAGE}?first=2026-03-10&last=2026-03-01")
    assert reversed_range.status_code == 422 and "开始日期不能晚于结束日期" in reversed_range.text
    empty = client.get(f"{PAGE}?first=2020-01-01&last=2020-01-31")
    assert empty.status_code == 200 and "没有形成类案" in empty.text
    unknown = client.get("/analytics/rankings/appeals?kind=x&key=y")
    assert unknown.status_code == 422


def test_a_handler_without_analytics_may_not_open_the_pages(db, client):
    login(client, "handler_zjj")
    assert "类案热点" not in client.get("/").text
    assert client.get(PAGE).status_code == 403
    assert client.get("/analytics/rankings").status_code == 403


def test_names_and_phones_in_titles_never_reach_the_hotspot_list(db, client):
    with transaction(db.factory) as session:
        for title, body in GARBAGE:
            appeal = submit(
                session, title=f"王小明13912345678反映{title}", content=body, appellant_name="王小明"
            )
            appeal.category = "市容环卫"
    login(client, "leader")
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "聚成类案 1 个" in page.text  # the appeals did cluster, so their titles were used
    assert "王小明" not in page.text
    assert "13912345678" not in page.text


def test_days_near_year_1_or_9999_and_long_periods_are_refused_in_chinese(db, client):
    login(client, "leader")
    for path in (PAGE, "/analytics/rankings", "/analytics/hotspots/case?number=x&"):
        query = "?" if "?" not in path else ""
        far = client.get(f"{path}{query}last=9999-12-31")
        assert far.status_code == 422 and "结束日期须在 2000-01-01 至今天" in far.text, path
    drill = client.get("/analytics/rankings/appeals?kind=domain&key=x&last=9999-12-31")
    assert drill.status_code == 422 and "结束日期须在" in drill.text
    early = client.get("/analytics/rankings?first=0001-01-01&last=0001-01-01")
    assert early.status_code == 422 and "开始日期须在 2000-01-01" in early.text
    long = client.get(f"{PAGE}?first=2020-01-01&last=2022-01-01")
    assert long.status_code == 422 and "统计区间最长 366 天" in long.text
    assert client.get(f"{PAGE}?first=2000-01-01&last=2000-01-01").status_code == 200
