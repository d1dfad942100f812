"""The people and places of the demo: invented appellants and enterprises, staff names, and the
roads and landmarks of each street.

People are drawn from the random generator they are given, so a seed gives the same people again;
a staff name depends on its department alone.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import NamedTuple

from zhengshu.text.identifiers import CREDIT_CODE_CHARSET, check_char_credit_code, check_digit_resident_id

SURNAMES = "陈林黄张李王刘吴杨周徐朱何郭罗郑梁谢钟曾叶邓彭温邱赖廖冯蔡"
GIVEN_NAMES = (
    "建华",
    "丽娟",
    "志强",
    "海燕",
    "伟明",
    "秀英",
    "晓东",
    "婷婷",
    "俊杰",
    "美玲",
    "国强",
    "少芬",
    "文辉",
    "雪梅",
    "家豪",
    "嘉欣",
    "振宇",
    "慧敏",
    "子涵",
    "浩然",
    "丽华",
    "永红",
    "金凤",
    "小燕",
    "志明",
    "淑芬",
    "春兰",
    "宏伟",
    "思琪",
    "静怡",
    "晓明",
    "立新",
    "玉珍",
    "建军",
    "翠玲",
    "梓轩",
    "雨桐",
    "桂英",
    "国平",
    "秋菊",
    "冬梅",
    "锦荣",
    "惠玲",
    "明辉",
    "燕萍",
    "伟",
    "芳",
    "敏",
    "静",
    "强",
    "磊",
    "军",
    "勇",
    "艳",
    "涛",
    "霞",
    "平",
    "刚",
    "辉",
    "鹏",
    "斌",
    "婷",
    "琳",
    "峰",
)
PHONE_PREFIXES = ("139", "138", "137", "136", "135", "188", "186", "159", "158", "177", "189", "150", "133")
# Birthplace prefixes of resident ID numbers: Shenzhen districts and the provinces people come from.
ID_REGIONS = (
    "440307",
    "440306",
    "440304",
    "441402",
    "445202",
    "441581",
    "430124",
    "431021",
    "360721",
    "450881",
    "420982",
    "510322",
    "350583",
)
ESTATE_HEADS = (
    "锦绣",
    "翠湖",
    "金域",
    "碧水",
    "御景",
    "阳光",
    "丽景",
    "怡景",
    "嘉华",
    "世纪",
    "龙园",
    "春华",
    "桃源",
    "水榭",
    "君悦",
    "康桥",
    "泰和",
    "榕湖",
    "雅居",
    "悦澜",
)
ESTATE_TAILS = ("花园", "雅苑", "新村", "家园", "公馆", "华庭", "名苑", "豪庭", "山庄", "小区")
BRANDS = (
    "龙腾",
    "鼎盛",
    "恒达",
    "新锐",
    "远航",
    "联创",
    "鹏程",
    "宏图",
    "佳和",
    "博瑞",
    "金泰",
    "康泽",
    "瑞丰",
    "天成",
    "星辰",
    "智远",
    "海纳",
    "合力",
    "源兴",
    "利通",
)
TRADES = (
    "电子科技",
    "精密制造",
    "智能装备",
    "供应链管理",
    "新材料",
    "物流",
    "餐饮管理",
    "五金制品",
    "光电科技",
    "塑胶制品",
    "医疗器械",
    "印刷包装",
)


class StreetPlaces(NamedTuple):
    roads: tuple[str, ...]
    landmarks: tuple[str, ...]
    # The street's approximate centre, around which appeals with coordinates are scattered.
    latitude: float
    longitude: float


STREETS = {
    "平湖街道": StreetPlaces(
        ("平湖大街", "凤凰大道", "富民路"), ("华南城", "平湖地铁站", "平湖广场"), 22.686, 114.128
    ),
    "坂田街道": StreetPlaces(
        ("坂雪岗大道", "五和大道", "布龙路"), ("华为基地", "坂田地铁站", "万科城"), 22.638, 114.068
    ),
    "布吉街道": StreetPlaces(
        ("布吉路", "布龙路", "龙岗大道布吉段"), ("布吉地铁站", "大芬油画村", "布吉农批市场"), 22.604, 114.118
    ),
    "吉华街道": StreetPlaces(("吉华路", "甘李路"), ("甘坑客家小镇", "水径地铁站"), 22.642, 114.100),
    "南湾街道": StreetPlaces(("沙湾路", "李朗大道"), ("丹竹头地铁站", "南湾人民公园"), 22.612, 114.160),
    "园山街道": StreetPlaces(("大康路", "西坑路"), ("园山风景区", "荷坳地铁站"), 22.652, 114.232),
    "横岗街道": StreetPlaces(("深惠路", "松柏路"), ("横岗地铁站", "横岗眼镜城"), 22.645, 114.205),
    "龙城街道": StreetPlaces(
        ("龙翔大道", "黄阁路", "清林路"), ("大运中心", "龙城广场", "龙岗中心城"), 22.722, 114.247
    ),
    "龙岗街道": StreetPlaces(("龙岗大道", "龙河路"), ("龙岗墟", "南联地铁站", "双龙地铁站"), 22.736, 114.276),
    "宝龙街道": StreetPlaces(("宝龙大道", "宝荷路"), ("宝龙工业区", "宝龙体育中心"), 22.703, 114.300),
    "坪地街道": StreetPlaces(("龙岗大道坪地段", "教育路"), ("坪地国际低碳城", "坪地老街"), 22.772, 114.316),
}
LATITUDES, LONGITUDES = (22.55, 22.80), (114.05, 114.40)


def coordinates(rng: random.Random, street: str) -> tuple[float, float]:
    """A point scattered around the street's centre, within the district."""
    centre = STREETS[street]
    lat = min(max(rng.gauss(centre.latitude, 0.008), LATITUDES[0]), LATITUDES[1])
    lng = min(max(rng.gauss(centre.longitude, 0.008), LONGITUDES[0]), LONGITUDES[1])
    return round(lat, 6), round(lng, 6)


def staff_name(code: str) -> str:
    """The name of the staff handler of a department, the same on every load."""
    rng = random.Random(f"staff-{code}")
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


class Appellant(NamedTuple):
    name: str
    phone: str
    id_number: str | None


class People:
    """Invented appellants: most call once, a few call again and again."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.phones: set[str] = set()
        self.regulars = [self.new() for _ in range(8)]

    def pick(self) -> Appellant:
        if self.rng.random() < 0.12:
            return self.rng.choices(self.regulars, weights=[8, 6, 5, 4, 3, 2, 2, 1])[0]
        return self.new()

    def new(self) -> Appellant:
        name = self.rng.choice(SURNAMES)
        if self.rng.random() < 0.15:
            return Appellant(name + self.rng.choice(("先生", "女士")), self.phone(), None)
        name += self.rng.choice(GIVEN_NAMES)
        return Appellant(name, self.phone(), self.id_number() if self.rng.random() < 0.2 else None)

    def phone(self) -> str:
        while True:
            phone = self.rng.choice(PHONE_PREFIXES) + "".join(self.rng.choices("0123456789", k=8))
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def landline(self) -> str:
        return "0755-" + self.rng.choice("2389") + "".join(self.rng.choices("0123456789", k=7))

    def id_number(self) -> str:
        born = date(1950, 1, 1) + timedelta(days=self.rng.randrange(365 * 54))
        first17 = f"{self.rng.choice(ID_REGIONS)}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
        return first17 + check_digit_resident_id(first17)

    def enterprise(self) -> tuple[str, str]:
        name = f"深圳市{self.rng.choice(BRANDS)}{self.rng.choice(TRADES)}有限公司"
        body = "MA5" + "".join(self.rng.choices(CREDIT_CODE_CHARSET, k=5))
        first17 = "91440300" + body + _organization_check(body)
        return name, first17 + check_char_credit_code(first17)


def _organization_check(first8: str) -> str:
    """The GB 11714 check character of an organization code, the 9th-17th part of a credit code."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(first8, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))
