"""The Open311 services: the appeal categories, each under a stable ASCII service code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zhengshu.appeals.vocabulary import CATEGORIES


@dataclass(frozen=True)
class Service:
    """One Open311 service: an appeal category under a stable ASCII code."""

    code: str
    category: str
    description: str
    keywords: tuple[str, ...]
    group: str

    @property
    def name(self) -> str:
        return self.category


DEPARTMENT_GROUP = "职能部门"
STREET_GROUP = "街道办事处"
GENERAL_GROUP = "综合受理"

# Codes are part of the public interface: never rename one, only add.
SERVICES: tuple[Service, ...] = (
    Service(
        "urban-construction",
        "城乡建设",
        "房屋建筑、工地施工、物业管理、住房保障等问题",
        ("施工", "噪音", "物业", "住房"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "city-appearance",
        "市容环卫",
        "垃圾清运、占道经营、违章搭建、户外广告、绿化等城市管理问题",
        ("垃圾", "占道", "违建", "绿化"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "environment",
        "环境保护",
        "大气、水体、噪声、油烟、异味等生态环境问题",
        ("污染", "油烟", "异味", "排污"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "transport",
        "交通运输",
        "公交线路、出租车、网约车、道路运输和交通设施问题",
        ("公交", "出租车", "道路"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "labour-social-security",
        "劳动和社会保障",
        "欠薪、劳动合同、社保缴纳、就业创业等问题",
        ("欠薪", "社保", "劳动合同", "就业"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "education-culture-sports",
        "教育文体",
        "入学学位、学校管理、校外培训、文化体育设施等问题",
        ("学位", "学校", "培训", "体育"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "health",
        "卫生健康",
        "医疗服务、医院管理、公共卫生、计划生育等问题",
        ("医院", "医疗", "公共卫生"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "market-regulation",
        "市场监管",
        "食品安全、消费维权、价格、计量、特种设备、商事登记等问题",
        ("食品安全", "消费", "价格", "商事登记"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "public-safety",
        "公共安全",
        "治安、消防、交通秩序等公共安全问题",
        ("治安", "消防", "交通秩序"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "civil-affairs",
        "民政",
        "社会救助、养老服务、婚姻登记、殡葬、社会组织等问题",
        ("救助", "养老", "婚姻登记"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "water",
        "水务",
        "供水、排水、内涝、河道、水土保持等问题",
        ("停水", "排水", "内涝", "河道"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "planning-land",
        "规划国土",
        "城市规划、土地利用、不动产登记、查违等问题",
        ("规划", "土地", "不动产登记"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "government-services",
        "政务服务",
        "办事指南、办事效率、政务服务大厅和网上办事等问题",
        ("办事", "政务服务", "网上办事"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "street-affairs",
        "街道事务",
        "由所在街道办事处、社区处理的基层事务",
        ("街道", "社区", "基层"),
        STREET_GROUP,
    ),
    Service("other", "其他", "不属于以上分类的其他诉求，由 12345 民生诉求中心分拨", ("其他",), GENERAL_GROUP),
)
_BY_CODE = {service.code: service for service in SERVICES}
_BY_CATEGORY = {service.category: service for service in SERVICES}


def services() -> list[Service]:
    """The services in the vocabulary's order; a category without a code is not offered."""
    return [_BY_CATEGORY[category] for category in CATEGORIES if category in _BY_CATEGORY]


def service_for_code(code: str) -> Service | None:
    service = _BY_CODE.get(code.strip())
    return service if service is not None and service.category in CATEGORIES else None


def service_for_category(category: str | None) -> Service | None:
    return _BY_CATEGORY.get(category) if category else None


def service_view(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(service.keywords),
        "group": service.group,
    }


def service_definition(service: Service) -> dict[str, Any]:
    # metadata is false for every service: the street and community extension attributes are
    # documented in the API description instead of as required service attributes.
    return {"service_code": service.code, "attributes": []}
