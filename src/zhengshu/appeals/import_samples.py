"""Sample spreadsheets of appeals: writers for .xlsx and .csv, and generated rows that import cleanly.

For tests, templates and the import benchmark (`zhengshu bench import`); the import itself is in
importing.py.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources

import openpyxl

from zhengshu.appeals.importing import CHOICE_LABELS, COLUMNS, ROW_KEY
from zhengshu.text.identifiers import CREDIT_CODE_CHARSET, check_char_credit_code, check_digit_resident_id

# --- Writing rows ----------------------------------------------------------------------------------


def _headers(rows: Iterable[Mapping[str, str]]) -> list[str]:
    return [header for header in dict.fromkeys(h for row in rows for h in row) if header != ROW_KEY]


def rows_to_xlsx(rows: Sequence[Mapping[str, str]]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("诉求")
    headers = _headers(rows)
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header, "") for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rows_to_csv(rows: Sequence[Mapping[str, str]], encoding: str = "utf-8-sig") -> bytes:
    """CSV bytes; utf-8-sig by default (Excel needs the BOM), "gbk" as Chinese Excel saves it."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    headers = _headers(rows)
    writer.writerow(headers)
    writer.writerows([row.get(header, "") for header in headers] for row in rows)
    return buffer.getvalue().encode(encoding)


# --- Generating rows -------------------------------------------------------------------------------

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余叶程魏苏吕钟卢"
_GIVEN = "伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力永健志海山波宁福龙国胜学祥"
_MOBILE_PREFIXES = ("135", "136", "137", "138", "139", "150", "152", "158", "159", "186", "188", "199")
_ROADS = ("龙岗大道", "深惠路", "布龙路", "平湖大街", "坂雪岗大道", "五和大道", "吉华路", "宝荷路")
_FIRMS = ("华信", "鹏达", "龙腾", "宏图", "创维", "恒通", "金桥", "瑞丰", "新景")
_TRADES = ("电子科技", "五金制品", "物流", "建材", "餐饮管理", "精密模具")
# (category, title, content); {place} is the community, {address} the full address.
_TOPICS = (
    (
        "市容环卫",
        "{place}垃圾清运不及时",
        "{address}附近的垃圾桶已经满溢多日，气味很大，蚊蝇滋生，希望尽快安排清运。",
    ),
    (
        "城乡建设",
        "{place}工地夜间施工噪音扰民",
        "{address}旁的工地每晚十一点后仍在施工，噪音很大，影响居民休息，请核查处理。",
    ),
    (
        "环境保护",
        "{place}餐饮店油烟扰民",
        "{address}楼下几家餐饮店油烟直排，住户不敢开窗，请环保部门检查油烟净化设施。",
    ),
    (
        "交通运输",
        "{place}公交站缺少遮阳棚",
        "{address}公交站没有遮阳棚，夏天候车的老人和小孩被暴晒，建议加装。",
    ),
    ("水务", "{place}路面积水严重", "每次下雨{address}路段积水没过脚踝，排水口被堵，行人和车辆通行困难。"),
    (
        "市场监管",
        "{place}商铺销售过期食品",
        "在{address}一家便利店买到过期面包，与店家协商未果，请市场监管部门处理。",
    ),
    (
        "劳动和社会保障",
        "公司拖欠工资",
        "本人在{address}一家工厂上班，公司已拖欠两个月工资，多次沟通无果，请求帮助。",
    ),
    (
        "公共安全",
        "{place}路口车辆乱停放",
        "{address}路口长期有车辆乱停，占用人行道和消防通道，存在安全隐患。",
    ),
    ("民政", "高龄津贴办理咨询", "家中老人住在{address}，今年满八十岁，想咨询高龄津贴需要准备哪些材料。"),
    (
        "街道事务",
        "{place}小区物业管理不到位",
        "{address}小区电梯经常故障，物业维修拖延，业主多次反映没有结果。",
    ),
    ("政务服务", "企业开办手续咨询", "我司准备在{address}开设分公司，想咨询办理营业执照和税务登记的流程。"),
)


@cache
def _reference_places() -> tuple[tuple[str, str], ...]:
    """(street, community) pairs from the package's division data, no database needed."""
    data = resources.files("zhengshu.org").joinpath("data")
    streets = {
        row["code"]: row["name"] for row in _package_csv(data.joinpath("streets.csv").read_text("utf-8"))
    }
    communities = _package_csv(data.joinpath("communities.csv").read_text("utf-8"))
    return tuple((streets[row["street_code"]], row["name"]) for row in communities)


def _package_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(text.splitlines()))


def _mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _resident_id(rng: random.Random) -> str:
    born = f"{rng.randint(1950, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"440307{born}{rng.randrange(1000):03d}"
    return first17 + check_digit_resident_id(first17)


def _credit_code(rng: random.Random) -> str:
    first17 = "91440300" + "".join(rng.choice(CREDIT_CODE_CHARSET) for _ in range(9))
    return first17 + check_char_credit_code(first17)


def _weighted(rng: random.Random, labels: Mapping[str, str], weights: Sequence[int]) -> str:
    return rng.choices(list(labels.values()), weights=weights)[0]


def _generated_row(rng: random.Random, seed: int, index: int) -> dict[str, str]:
    street, community = rng.choice(_reference_places())
    address = f"{street}{community}{rng.choice(_ROADS)}{rng.randint(1, 300)}号"
    category, title, content = rng.choice(_TOPICS)
    place = community.removesuffix("社区")
    enterprise = category == "政务服务" or rng.random() < 0.05
    coordinates = rng.random() < 0.3
    values = {
        "external_id": f"GEN{seed:04d}-{index:07d}",
        "channel": _weighted(rng, CHOICE_LABELS["channel"], (60, 10, 15, 2, 3, 2, 8, 0)),
        "type": _weighted(rng, CHOICE_LABELS["type"], (45, 20, 20, 8, 5, 2)),
        "urgency": _weighted(rng, CHOICE_LABELS["urgency"], (85, 12, 3)),
        "category": category,
        "title": title.format(place=place),
        "content": content.format(place=place, address=address),
        "appellant_name": rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.randint(1, 2))),
        "appellant_phone": _mobile(rng),
        "appellant_id_number": _resident_id(rng) if rng.random() < 0.2 else "",
        "enterprise_name": f"深圳市{rng.choice(_FIRMS)}{rng.choice(_TRADES)}有限公司" if enterprise else "",
        "enterprise_credit_code": _credit_code(rng) if enterprise else "",
        "address": address,
        # Some systems write the short street name: 平湖 for 平湖街道.
        "street": street.removesuffix("街道") if rng.random() < 0.1 else street,
        "community": community,
        "latitude": f"{rng.uniform(22.60, 22.80):.6f}" if coordinates else "",
        "longitude": f"{rng.uniform(114.05, 114.35):.6f}" if coordinates else "",
    }
    return {COLUMNS[name][0]: value for name, value in values.items()}


def generate_rows(count: int, seed: int = 0) -> list[dict[str, str]]:
    """Valid, realistic rows under Chinese headers with Chinese labels, for tests and benchmarks.
    The same seed gives the same rows; another seed gives other external ids."""
    rng = random.Random(seed)
    return [_generated_row(rng, seed, index) for index in range(1, count + 1)]
