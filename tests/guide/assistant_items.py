"""A dozen service items written for the assistant's tests, shaped like real 办事指南."""

from __future__ import annotations

from zhengshu.guide.records import Faq, ItemRecord, Material


def item(code: str, name: str, department: str = "龙岗区市场监督管理局", **fields: object) -> ItemRecord:
    return ItemRecord(code=code, name=name, department=department, **fields)  # type: ignore[arg-type]


ITEMS = [
    item(
        "S01",
        "营业执照遗失补领",
        conditions="营业执照遗失的企业或个体工商户。",
        materials=(
            Material("补领营业执照申请书", form="原件", copies=1),
            Material("法定代表人身份证", form="复印件"),
        ),
        place="龙岗区政务服务中心一楼市场监管窗口",
        hours="周一至周五 9:00-12:00，14:00-18:00",
        promised_limit_days=1,
        legal_limit_days=5,
        fee="不收费",
        online_platform="广东政务服务网",
        themes=("设立变更",),
        faqs=(Faq("营业执照丢了需要登报吗", "无需登报，可在国家企业信用信息公示系统免费发布遗失公告。"),),
    ),
    item(
        "S02", "个体工商户设立登记", conditions="有经营能力的公民。", materials=(Material("经营者身份证明"),)
    ),
    item(
        "S03",
        "机动车驾驶证遗失补证",
        department="深圳市公安局交通警察局",
        conditions="机动车驾驶证遗失的驾驶人。",
        materials=(Material("居民身份证", form="原件"),),
        consult_phone="0755-12345678",
    ),
    item(
        "S04",
        "机动车驾驶证期满换证",
        department="深圳市公安局交通警察局",
        materials=(Material("居民身份证"),),
    ),
    item(
        "S05",
        "失业保险金申领",
        department="龙岗区人力资源局",
        conditions="非因本人意愿中断就业，已办理失业登记，并有求职要求。",
        materials=(Material("居民身份证"), Material("解除劳动合同证明")),
    ),
    item(
        "S06",
        "专职律师执业许可(申请专职执业)",
        department="广东省司法厅",
        catalog_name="专职律师执业许可",
        variant="申请专职执业",
    ),
    item(
        "S07",
        "专职律师执业许可(在外省转入广东省申请执业)",
        department="广东省司法厅",
        catalog_name="专职律师执业许可",
        variant="在外省转入广东省申请执业",
    ),
    item("S08", "兼职律师执业许可", department="广东省司法厅"),
    item(
        "S09", "生育登记", department="龙岗区卫生健康局", conditions="生育第一个、第二个或第三个子女的夫妻。"
    ),
    item(
        "S10",
        "住房公积金提取(租房)",
        department="深圳市住房公积金管理中心",
        catalog_name="住房公积金提取",
        variant="租房",
    ),
    item(
        "S11",
        "住房公积金提取(购房)",
        department="深圳市住房公积金管理中心",
        catalog_name="住房公积金提取",
        variant="购房",
    ),
    item("S12", "图书馆借阅证查询", department="龙岗区图书馆"),
]
