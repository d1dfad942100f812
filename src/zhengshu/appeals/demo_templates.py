"""Demo reply templates, written for the demo categories; loading them again changes nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengshu.appeals.library_models import ReplyTemplate
from zhengshu.appeals.templates import TemplateInput, create_template

_OPENING = "{诉求人称呼}！您于{受理日期}反映的“{诉求标题}”（编号{诉求编号}）已收悉，"
_CLOSING = "如仍有疑问，可拨打12345热线或在平台补充反映。感谢您对我区工作的关心和支持！"

DEMO_TEMPLATES = (
    TemplateInput(
        title="通用·已办结答复",
        keywords="处理 核实 办结",
        body=_OPENING + "{承办单位}已于办理时限内组织核实处理，具体情况如下："
        "（请写明核查情况、采取的措施和结果）。" + _CLOSING,
        use_surname=True,
    ),
    TemplateInput(
        title="通用·阶段性答复（需较长时间解决）",
        keywords="协调 推进 计划",
        body=_OPENING + "经{承办单位}核实，该问题涉及多个单位，需协调后解决。目前已完成：（请写明已做工作）；"
        "下一步计划：（请写明措施及完成时间）。我们将持续跟进并及时向您反馈。" + _CLOSING,
    ),
    TemplateInput(
        title="市容环卫·垃圾清运",
        category="市容环卫",
        keywords="垃圾 清运 收集点 臭味 消杀",
        body=_OPENING + "{承办单位}已督促环卫作业单位对{地点}的垃圾收集点完成清运和消杀，"
        "并调整清运频次为（请填写），将加强日常巡查。" + _CLOSING,
        use_surname=True,
    ),
    TemplateInput(
        title="市容环卫·占道经营",
        category="市容环卫",
        keywords="摊贩 占道 经营 人行道",
        body=_OPENING + "{承办单位}已在{地点}加派执法力量，对占道经营行为进行劝导和整治，"
        "并引导摊贩到规范经营点经营，后续将定时巡查防止反弹。" + _CLOSING,
    ),
    TemplateInput(
        title="环境保护·噪音扰民",
        category="环境保护",
        keywords="噪音 施工 夜间 扰民",
        body=_OPENING + "{承办单位}已到{地点}现场检查，核实施工单位（是/否）取得夜间施工许可，"
        "对违规施工行为依法处理（请写明处理措施），并将该处纳入夜间重点巡查。" + _CLOSING,
        use_surname=True,
    ),
    TemplateInput(
        title="环境保护·餐饮油烟",
        category="环境保护",
        keywords="油烟 餐饮 排烟 净化",
        body=_OPENING + "{承办单位}已对{地点}涉事餐饮店开展检查，责令其限期安装并正常使用油烟净化设施，"
        "整改情况将于（请填写日期）前复查。" + _CLOSING,
    ),
    TemplateInput(
        title="城乡建设·电梯故障",
        category="城乡建设",
        keywords="电梯 故障 困人 维保 物业",
        body=_OPENING + "{承办单位}已约谈物业服务企业及电梯维保单位，督促对{地点}的电梯进行全面检修，"
        "检修结果：（请写明）。如再发生故障，请及时拨打电梯内的应急电话。" + _CLOSING,
    ),
    TemplateInput(
        title="劳动和社会保障·欠薪",
        category="劳动和社会保障",
        keywords="工资 拖欠 欠薪 农民工 劳动",
        body=_OPENING + "{承办单位}已立案调查，约谈用人单位负责人，责令其于（请填写日期）前足额支付工资；"
        "如逾期未支付，将依法处理。您也可以携带相关材料到劳动监察窗口当面反映。" + _CLOSING,
    ),
    TemplateInput(
        title="交通运输·道路与公交",
        category="交通运输",
        keywords="公交 道路 红绿灯 停车 拥堵",
        body=_OPENING + "{承办单位}已会同相关单位到{地点}现场调研，（请写明调整方案或处理结果），"
        "将持续关注该路段的通行情况。" + _CLOSING,
    ),
    TemplateInput(
        title="政务服务·企业申报进度",
        category="政务服务",
        keywords="申报 进度 补贴 审核 企业",
        body=_OPENING + "经{承办单位}查询，贵单位申报事项目前处于（请填写）阶段，"
        "预计于（请填写）前完成，结果将通过短信告知。" + _CLOSING,
    ),
)


def ensure_demo_templates(session: Session) -> int:
    """Creates the demo templates that do not exist yet; returns how many were created."""
    existing = set(session.scalars(select(ReplyTemplate.title)))
    created = 0
    for template in DEMO_TEMPLATES:
        if template.title not in existing:
            create_template(session, None, template)
            created += 1
    return created
