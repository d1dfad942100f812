from __future__ import annotations

import io
import re

import openpyxl
from sqlalchemy import func, select
from tests.pages.helpers import csrf_token, login

from zhengshu.appeals.import_samples import generate_rows, rows_to_csv, rows_to_xlsx
from zhengshu.appeals.importing import COLUMNS, read_rows
from zhengshu.appeals.models import Appeal
from zhengshu.db import transaction

PAGE = "/appeals/import"
TEMPLATE = "/appeals/import/template.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def appeal_count(db) -> int:
    with transaction(db.factory) as session:
        return session.scalar(select(func.count()).select_from(Appeal)) or 0


def post_file(client, filename: str, data: bytes, token: str | None = None):
    token = token if token is not None else csrf_token(client.get(PAGE).text)
    return client.post(
        PAGE, data={"csrf_token": token}, files={"file": (filename, data, "application/octet-stream")}
    )


def count_in(html: str, name: str) -> int:
    match = re.search(rf'id="import-{name}">(\d+)<', html)
    assert match, f"no {name} count on the page"
    return int(match.group(1))


def test_dispatcher_finds_the_page_with_its_form_and_column_guide(client):
    login(client, "dispatcher")
    home = client.get("/").text
    assert f'href="{PAGE}"' in home and "批量导入" in home
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.text
    assert re.search(rf'<a href="{PAGE}" aria-current="page">批量导入</a>', html)
    assert 'aria-current="page">诉求查询' not in html
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html and 'accept=".xlsx,.csv' in html
    assert csrf_token(html)
    assert f'href="{TEMPLATE}"' in html
    for header in ("外部编号", "标题", "诉求内容", "诉求人", "联系电话", "街道", "社区"):
        assert f'<td class="nowrap">{header}' in html
    assert "热线、网站" in html  # the channel labels a cell may hold


def test_dispatcher_uploads_a_good_file_and_sees_the_counts(client, db):
    login(client, "dispatcher")
    rows = generate_rows(3, seed=11)
    response = post_file(client, "工单.xlsx", rows_to_xlsx(rows))
    assert response.status_code == 200, response.text
    assert "导入完成：工单.xlsx" in response.text
    assert (count_in(response.text, "total"), count_in(response.text, "created")) == (3, 3)
    assert count_in(response.text, "unchanged") == 0
    assert 'href="/queues/dispatch"' in response.text
    assert appeal_count(db) == 3

    again = post_file(client, "工单.csv", rows_to_csv(rows, encoding="gbk"))
    assert again.status_code == 200, again.text
    assert (count_in(again.text, "created"), count_in(again.text, "unchanged")) == (0, 3)
    assert appeal_count(db) == 3


def test_a_file_with_bad_rows_shows_every_error_and_files_nothing(client, db):
    login(client, "dispatcher")
    rows = generate_rows(3, seed=12)
    rows[0]["联系电话"] = "12345"
    rows[2]["标题"] = ""
    response = post_file(client, "工单.csv", rows_to_csv(rows))
    assert response.status_code == 422
    html = response.text
    assert "导入失败：共 2 处错误，本批未导入任何诉求" in html and "本批未导入任何诉求。" in html
    assert re.search(r"<th[^>]*>行</th><th[^>]*>字段</th><th[^>]*>问题</th>", html)
    cells = re.findall(
        r'<tr><td class="nowrap">(\d+)</td><td class="nowrap">([^<]+)</td><td>([^<]+)</td></tr>', html
    )
    assert [(row, field) for row, field, _ in cells] == [("2", "联系电话"), ("4", "标题")]
    assert "电话号码无效" in cells[0][2] and "必填" in cells[1][2]
    assert 'id="import-result"' not in html
    assert appeal_count(db) == 0


def test_unreadable_or_missing_files_are_explained_on_the_page(client, db):
    login(client, "dispatcher")
    corrupt = post_file(client, "工单.xlsx", b"PK\x03\x04 broken")
    assert corrupt.status_code == 422 and "无法读取该 Excel 文件" in corrupt.text
    assert 'type="file"' in corrupt.text  # the form is there to try again
    # A browser sends an empty part without a file name when no file was chosen.
    nothing = post_file(client, "", b"")
    assert nothing.status_code == 422 and "请选择要导入的文件" in nothing.text
    assert appeal_count(db) == 0


def test_an_upload_without_the_csrf_token_is_refused(client, db):
    login(client, "dispatcher")
    response = post_file(client, "工单.xlsx", rows_to_xlsx(generate_rows(1)), token="forged")
    assert response.status_code == 403 and "刷新页面" in response.text
    assert appeal_count(db) == 0


def test_handler_gets_a_403_page_and_no_link(client, db):
    login(client, "handler_zjj")
    assert f'href="{PAGE}"' not in client.get("/").text
    for response in (
        client.get(PAGE),
        client.get(TEMPLATE),
        client.post(PAGE, files={"file": ("工单.xlsx", rows_to_xlsx(generate_rows(1)), XLSX)}),
    ):
        assert response.status_code == 403
        assert (
            response.headers["content-type"].startswith("text/html") and "无权使用“批量导入”" in response.text
        )
    assert appeal_count(db) == 0


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(PAGE, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2Fappeals%2Fimport"


def test_template_is_a_workbook_that_imports_as_it_is(client, db):
    login(client, "dispatcher")
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert "attachment" in response.headers["content-disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    headers, example = ([cell.value for cell in row] for row in sheet.iter_rows(max_row=2))
    assert headers == [names[0] for names in COLUMNS.values()]
    assert sheet.max_row == 2 and example[0] and example[headers.index("联系电话")] == "13812345678"
    assert workbook.sheetnames[1] == "填写说明"
    [row] = read_rows(response.content, "模板.xlsx")
    assert row["外部编号"] == example[0]
    # The example row is valid as it stands.
    imported = post_file(client, "模板.xlsx", response.content)
    assert imported.status_code == 200, imported.text
    assert count_in(imported.text, "created") == 1 and appeal_count(db) == 1
