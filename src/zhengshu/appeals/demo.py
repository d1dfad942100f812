"""Demo content: a login per role and a few hundred Longgang appeals walked through the real workflow.

Historical times. The workflow services stamp `now()` on every step, but demo appeals must look
as if they had been filed and handled over the last weeks. Rather than adding a clock parameter
to every service or patching the clock process-wide (which a web process serving requests at the
same time would see), the loader runs each step through the real service, so permissions,
transitions, co-handlers, extensions and audit events are exactly those of production, and then
moves what that service stamped to the simulated moment: the appeal's times, its extension
requests, co-handler opinions and supervision notices, the audit events, and the deadlines,
recomputed with `rules.deadlines` from the simulated dispatch (or reopen) moment; an approved
extension is counted by the service itself from the deadline already moved. The appeal number is
moved too, since its date prefix is the day of intake (see `_renumber`). Nothing outside this
module changes for the demo.

Handlers of the departments without a demo login act through `staff_<code>` accounts, so that a
timeline names the department that really handled an appeal.

Everything is derived from the seed and `today`, and appeals carry external ids DEMO-0001, …, so
loading twice creates nothing new.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from zhengshu import audit
from zhengshu.appeals import handling
from zhengshu.appeals.drafts import AppealDraft
from zhengshu.appeals.intake import submit_appeal
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.numbers import next_number
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.supervision import issue_overdue_notices
from zhengshu.appeals.vocabulary import CATEGORY_DEPARTMENTS, AppealType, Channel, Satisfaction, Urgency
from zhengshu.appeals.workflow import Action, Status
from zhengshu.audit import AuditEvent
from zhengshu.clock import TZ, local, now
from zhengshu.db import transaction
from zhengshu.errors import InvalidInput
from zhengshu.org.models import Department, Street, User
from zhengshu.org.passwords import hash_password, verify_password
from zhengshu.org.roles import Role
from zhengshu.org.services import create_user
from zhengshu.text.identifiers import CREDIT_CODE_CHARSET, check_char_credit_code, check_digit_resident_id
from zhengshu.workdays import WorkCalendar

DEMO_PASSWORD = "zhengshu-demo"
EXTERNAL_ID_PREFIX = "DEMO-"
# Departments without a demo login act through these accounts (same password), so a timeline
# names the department that really handled the appeal instead of the administrator.
STAFF_USERNAME = "staff_{code}"
BATCH_SIZE = 100
T = TypeVar("T")

# ---------------------------------------------------------------------------------------------
# Accounts


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    display_name: str
    department_code: str | None = None


DEMO_ACCOUNTS = (
    DemoAccount("operator", Role.HOTLINE_OPERATOR, "陈晓雯"),
    DemoAccount("dispatcher", Role.DISPATCHER, "林志强"),
    DemoAccount("handler", Role.HANDLER, "黄建国", "zjj"),
    DemoAccount("handler_cgj", Role.HANDLER, "刘海燕", "cgj"),
    DemoAccount("handler_pinghu", Role.HANDLER, "钟伟明", "jd003"),
    DemoAccount("reviewer", Role.REVIEWER, "何丽娟"),
    DemoAccount("supervisor", Role.SUPERVISOR, "郑国华"),
    DemoAccount("leader", Role.LEADER, "王振东"),
    DemoAccount("admin", Role.ADMIN, "邓凯"),
)
KEPT_PASSWORD = "（账号已存在，沿用原密码）"


class DemoLogin(NamedTuple):
    """A row of the login table: username, role label, department name, password."""

    username: str
    role: str
    department: str
    password: str


@dataclass(frozen=True)
class DemoSummary:
    logins: list[DemoLogin]
    users_created: int
    appeals_created: int
    appeals_existing: int
    # Every demo appeal in the database by status value, in workflow order.
    status_counts: dict[str, int]
    overdue_notices: int

    @property
    def appeals_total(self) -> int:
        return sum(self.status_counts.values())

    def describe(self) -> str:
        statuses = "，".join(f"{Status(s).label} {n}" for s, n in self.status_counts.items() if n)
        return (
            f"共 {self.appeals_total} 条（本次新建 {self.appeals_created} 条）：{statuses}；"
            f"新建账号 {self.users_created} 个，超期督办单 {self.overdue_notices} 张。"
            f"其他部门的承办人账号为 {STAFF_USERNAME.format(code='部门代码')}（如 staff_jyj），密码同上"
        )


def _ensure_logins(session: Session) -> tuple[list[DemoLogin], int]:
    logins: list[DemoLogin] = []
    created = 0
    for account in DEMO_ACCOUNTS:
        user = session.scalar(select(User).where(User.username == account.username))
        if user is None:
            user = create_user(
                session,
                username=account.username,
                password=DEMO_PASSWORD,
                role=account.role,
                display_name=account.display_name,
                department_code=account.department_code,
            )
            created += 1
            password = DEMO_PASSWORD
        else:
            password = _login_password(user, account)
        department = user.department.name if user.department else ""
        logins.append(DemoLogin(user.username, Role(user.role).label, department, password))
    return logins, created


def _login_password(user: User, account: DemoAccount) -> str:
    """The demo password if an existing account still has it. Only accounts that look made by an
    earlier load are checked: a check costs as much as hashing, and other accounts never have it."""
    if user.display_name == account.display_name and verify_password(user.password_hash, DEMO_PASSWORD):
        return DEMO_PASSWORD
    return KEPT_PASSWORD


def _staff_name(code: str) -> str:
    rng = random.Random(f"staff-{code}")
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


class StaffPassword:
    """The demo password hashed once per load, for all the staff accounts it creates."""

    @cached_property
    def hash(self) -> str:
        return hash_password(DEMO_PASSWORD)


class Cast:
    """The staff who act in the demo: one user per centre role, one handler per department."""

    def __init__(self, session: Session, staff_password: StaffPassword) -> None:
        self.session = session
        self.staff_password = staff_password
        self.operator = self._by_role(Role.HOTLINE_OPERATOR, "operator")
        self.dispatcher = self._by_role(Role.DISPATCHER, "dispatcher")
        self.reviewer = self._by_role(Role.REVIEWER, "reviewer")
        self.supervisor = self._by_role(Role.SUPERVISOR, "supervisor")
        self._handlers: dict[str, User] = {}
        self.created = 0

    def _by_role(self, role: Role, username: str) -> User:
        query = (
            select(User)
            .where(User.role == role.value, User.is_active.is_(True))
            .order_by((User.username == username).desc(), User.id)
        )
        user = self.session.scalars(query.limit(1)).first()
        if user is None:
            raise InvalidInput(f"没有可用的{role.label}账号，无法载入演示数据")
        return user

    def handler(self, code: str) -> User:
        user = self._handlers.get(code)
        if user is None:
            user = self._existing_handler(code) or self._new_staff(code)
            self._handlers[code] = user
        return user

    def _existing_handler(self, code: str) -> User | None:
        demo = [a.username for a in DEMO_ACCOUNTS if a.department_code == code]
        query = (
            select(User)
            .join(Department, User.department_id == Department.id)
            .where(Department.code == code, User.role == Role.HANDLER.value, User.is_active.is_(True))
            .order_by(User.username.in_(demo).desc(), User.id)
        )
        return self.session.scalars(query.limit(1)).first()

    def _new_staff(self, code: str) -> User:
        """A handler account for the department, with the demo password.

        Not made with create_user: it would hash the password once per department, which with
        twenty-odd departments costs more than loading all the appeals. The accounts share one
        hash instead, and get the same audit event."""
        department = self.session.scalar(select(Department).where(Department.code == code))
        if department is None:
            raise InvalidInput(f"未知部门代码 {code}")
        user = User(
            username=STAFF_USERNAME.format(code=code),
            display_name=_staff_name(code),
            password_hash=self.staff_password.hash,
            role=Role.HANDLER.value,
            department=department,
            is_active=True,
            created_at=now(),
        )
        self.session.add(user)
        self.session.flush()
        audit.record(
            self.session,
            "user.created",
            "user",
            user.id,
            actor_id=None,
            actor_label="演示数据",
            data={"username": user.username, "role": user.role},
        )
        self.created += 1
        return user


# ---------------------------------------------------------------------------------------------
# Content: people, places, topics

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
WHEN = ("昨天晚上", "前天", "上周末", "本周一", "这几天", "最近一周", "今天上午", "近半个月来")
SUBSIDIES = ("稳岗补贴", "高新技术企业认定奖励", "技术改造补贴", "租金补贴", "一次性吸纳就业补贴")
ITEMS = ("居住证签注", "不动产登记", "营业执照变更", "社保卡补办", "港澳通行证续签")
PROVINCES = ("湖南", "江西", "广西", "湖北", "四川", "河南", "梅州", "揭阳")


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
# Rough share of appeals per street, after population.
STREET_WEIGHTS = {
    "布吉街道": 14,
    "坂田街道": 13,
    "龙城街道": 12,
    "横岗街道": 10,
    "平湖街道": 10,
    "南湾街道": 9,
    "龙岗街道": 9,
    "吉华街道": 7,
    "宝龙街道": 6,
    "园山街道": 5,
    "坪地街道": 5,
}
LATITUDES, LONGITUDES = (22.55, 22.80), (114.05, 114.40)
COORDINATE_SHARE = 0.3

C, H, Q, S, R, P = (
    AppealType.COMPLAINT,
    AppealType.HELP,
    AppealType.CONSULTATION,
    AppealType.SUGGESTION,
    AppealType.REPORT,
    AppealType.PRAISE,
)


@dataclass(frozen=True)
class Topic:
    """An appeal template. Placeholders: street community estate building road landmark address
    n amount bus when months subsidy item province company dept."""

    category: str
    title: str
    content: str
    reply: str
    types: tuple[AppealType, ...] = (C,)
    place: str = "estate"  # estate, road, village, or none: what the address names
    urgent: float = 0.05
    enterprise: bool = False


TOPICS = (
    Topic(
        "城乡建设",
        "{estate}{building}栋电梯频繁故障",
        "{address}的电梯近一个月多次故障停运，{when}还发生了困人，楼里老人小孩多，上下楼很不方便。"
        "多次向物业反映只是临时修一下，请督促物业和维保单位彻底检修。",
        "经核查，该栋电梯因制动器磨损导致频繁停梯。{dept}已约谈物业服务企业及维保单位，责令更换相关部件，"
        "电梯已完成维修并经检测合格恢复运行，同时要求物业加强日常巡查。",
        (C, H),
        urgent=0.15,
    ),
    Topic(
        "城乡建设",
        "{estate}楼顶违规搭建铁皮房",
        "{address}顶楼住户在天台私自搭建铁皮房，占用公共区域，导致楼下渗水，还存在消防隐患，请依法查处。",
        "经现场核查，反映的楼顶搭建物属实。{dept}已会同街道执法队下达限期拆除通知书，"
        "当事人已于近日自行拆除，并由物业恢复天台防水层。",
        (R, C),
    ),
    Topic(
        "城乡建设",
        "{estate}物业收费不透明、服务差",
        "{address}物业费连年上涨，但小区卫生、安保越来越差，公共收益和维修资金使用情况从不公示，"
        "希望督促物业公开收支。",
        "{dept}已约谈该小区物业服务企业，责令其在小区公告栏和业主群公示近两年公共收益及维修资金使用明细，"
        "并指导业主委员会依法开展监督。",
        (C, S),
    ),
    Topic(
        "城乡建设",
        "{estate}外墙瓷砖脱落",
        "{address}外墙瓷砖{when}成片脱落，砸坏了楼下停放的车辆，楼下是小孩上学必经之路，非常危险，"
        "请尽快处理。",
        "接报后{dept}当天督促物业设置安全警示围挡，并委托专业单位对外墙进行全面排查，松动瓷砖已全部清除，"
        "外墙维修方案已报业主大会表决。",
        (H, C),
        urgent=0.3,
    ),
    Topic(
        "城乡建设",
        "公租房申请进度咨询",
        "本人{months}个月前在网上提交了公共租赁住房申请，户籍在{street}，至今没有收到审核结果，"
        "想了解目前进度。",
        "经查询，您的公租房申请已通过资格审核，目前处于轮候阶段，配租结果将通过短信通知，请保持电话畅通。",
        (Q,),
        place="none",
    ),
    Topic(
        "市容环卫",
        "{community}垃圾收集点清运不及时",
        "{address}附近的垃圾收集点连续{n}天没有清运，垃圾堆满溢出，天热臭味很大，蚊蝇滋生，"
        "影响周边居民生活。",
        "经核查，该收集点因清运车辆调度问题漏收。{dept}已督促环卫作业单位当日完成清运和消杀，"
        "并将该点清运频次调整为每日两次。",
        (C,),
        place="village",
    ),
    Topic(
        "市容环卫",
        "{road}人行道流动摊贩占道经营",
        "每天傍晚{road}{landmark}附近有大量流动摊贩占用人行道摆卖，行人只能走机动车道，收摊后满地垃圾，"
        "请加强管理。",
        "{dept}已在该路段加派执法力量，每日傍晚定点巡查，对占道摊贩劝离并引导至附近便民疏导点经营，"
        "目前秩序明显好转。",
        (C, R),
        place="road",
    ),
    Topic(
        "市容环卫",
        "{road}路灯损坏不亮",
        "{road}{landmark}附近约{n}盏路灯已经连续一周不亮，晚上路段漆黑，行人和电动车经过很危险。",
        "经排查，该路段路灯因电缆老化断路。{dept}已安排维护单位更换电缆，路灯已全部恢复照明。",
        (H, C),
        place="road",
    ),
    Topic(
        "市容环卫",
        "{landmark}附近共享单车乱堆放",
        "{landmark}附近的地铁口和公交站共享单车堆放杂乱，占满盲道和通道，早晚高峰出行很不方便。",
        "{dept}已约谈相关共享单车企业，要求增加该站点的调度运维人员，并在出口划设停放区，目前已完成清理。",
        (C, S),
        place="road",
    ),
    Topic(
        "环境保护",
        "{estate}楼下餐饮店油烟扰民",
        "{address}一楼新开的几家餐饮店没有安装油烟净化设备，排烟口正对住宅窗户，"
        "每天中午和晚上油烟直冲楼上，家里不敢开窗。",
        "经现场检查，涉事餐饮店油烟净化设施未正常使用。{dept}已责令其限期整改，"
        "目前已加装油烟净化器并将排烟口改至楼顶高空排放。",
        (C,),
    ),
    Topic(
        "环境保护",
        "{road}工地夜间施工噪音扰民",
        "{road}旁的工地{when}晚上十一点以后还在施工，打桩机和泥头车声音很大，严重影响休息，"
        "请查一下是否办理了夜间施工许可。",
        "经核查，该工地未取得夜间施工许可。{dept}已依法立案查处，责令其停止夜间违规施工，"
        "并将该工地纳入夜间重点巡查名单。",
        (C, R),
        place="road",
        urgent=0.1,
    ),
    Topic(
        "环境保护",
        "{community}工业区工厂排放刺鼻气味",
        "{address}附近的一家工厂经常在夜间排放刺鼻废气，周边居民闻到后头晕、咳嗽，怀疑偷排。",
        "{dept}执法人员夜间突击检查，发现该厂废气处理设施未正常运行，已依法责令改正并立案处罚，"
        "后续将开展跟踪监测。",
        (R, C),
        place="village",
    ),
    Topic(
        "交通运输",
        "建议加密{bus}路公交班次",
        "早高峰{landmark}附近的公交站候车人很多，{bus}路车次间隔二十多分钟，经常挤不上车，"
        "建议增加班次或开通到地铁站的接驳线路。",
        "您的建议已转公交运营企业研究。经客流调查，{bus}路早高峰将增加两台配车，发车间隔缩短至约十分钟。",
        (S, C),
        place="road",
    ),
    Topic(
        "交通运输",
        "{road}路边车辆乱停放",
        "{road}{landmark}附近路段两侧长期有车辆违停，双向车道只剩一条能走，上下班时间经常堵死。",
        "{dept}已联合交警部门在该路段加强巡查和违停抄牌，并在路口增设禁停标志，"
        "后续将结合周边停车资源研究增设临时停车位。",
        (C, R),
        place="road",
    ),
    Topic(
        "交通运输",
        "{road}路面坑洼不平",
        "{road}靠近{landmark}的路面出现多个大坑，下雨后积水看不见，已经有电动车摔倒，请尽快修补。",
        "经核查，该路段因雨季路基沉降出现坑槽。{dept}已安排养护单位完成修补，"
        "并将该路段纳入下一批大中修计划。",
        (H, C),
        place="road",
        urgent=0.15,
    ),
    Topic(
        "交通运输",
        "{landmark}网约车绕路多收费",
        "{when}从{landmark}打网约车回家，司机故意绕路，平时三十元左右的路程收了九十多元，平台客服一直推诿。",
        "{dept}已约谈相关网约车平台，平台已核实绕路情况并退还多收费用，对涉事驾驶员作出处理。",
        (C,),
        place="none",
    ),
    Topic(
        "劳动和社会保障",
        "工厂拖欠{n}个月工资",
        "本人在{community}工业区一家电子厂上班，公司已拖欠{n}个月工资，我本人就被拖欠约{amount}元，涉及工友几十人，"
        "老板一直说再等等，请帮忙追讨。",
        "{dept}劳动监察人员已约谈企业负责人，责令其限期支付拖欠工资。企业已于近日分批足额支付，"
        "涉及工人已全部领到工资。",
        (H, C),
        place="village",
        urgent=0.2,
    ),
    Topic(
        "劳动和社会保障",
        "社保关系转移接续咨询",
        "本人从{province}来深工作多年，想把老家缴纳的养老保险转移到深圳合并计算，需要准备哪些材料、"
        "在哪里办理？",
        "养老保险关系转移可通过国家社会保险公共服务平台或“粤省事”在线申请，无需回原参保地，"
        "一般在四十五个工作日内办结。",
        (Q,),
        place="none",
    ),
    Topic(
        "劳动和社会保障",
        "工伤认定办理进度",
        "我{months}个月前在工地受伤，已提交工伤认定申请，到现在还没有结果，医药费都是自己垫付的，想问进度。",
        "经查询，您的工伤认定申请已受理，因需补充事故调查材料进度有所延后，目前已作出认定结论，"
        "文书将于近日送达。",
        (H, Q),
        place="none",
    ),
    Topic(
        "教育文体",
        "孩子学位申请咨询",
        "孩子今年满六周岁，我们在{street}{estate}租房居住，已办居住证和租赁备案，"
        "想咨询积分入学需要哪些材料、什么时候申请。",
        "我区义务教育阶段学位申请一般于每年四月至五月开放，租房家庭需提供居住证、租赁备案等材料，"
        "具体以当年招生通告为准，可在区教育局网站查询。",
        (Q,),
    ),
    Topic(
        "教育文体",
        "校外培训机构违规补课",
        "{address}附近有一家培训机构周末给中小学生上学科类课程，一次收费上千元，请核查是否有办学许可。",
        "{dept}已会同街道开展现场检查，该机构未取得办学许可，已责令其停止违规培训并依法处理，"
        "预收费用正督促退还。",
        (R,),
        place="road",
    ),
    Topic(
        "教育文体",
        "区属体育场馆开放时间咨询",
        "想咨询大运中心等区属体育场馆对市民开放的时间和预约方式，住在{street}，周末能否免费使用。",
        "相关场馆每周二至周日对市民开放，可通过“i深圳”预约，部分时段免费，节假日开放安排以场馆公告为准。",
        (Q, S),
        place="none",
    ),
    Topic(
        "卫生健康",
        "社康中心就诊排队时间长",
        "{street}{community}社康中心只有两个医生坐诊，{when}带孩子去看病排队两个多小时，"
        "建议增加医生或开通线上预约。",
        "{dept}已协调社康中心增派一名全科医生，并开通线上分时段预约，高峰时段候诊时间已明显缩短。",
        (C, S),
        place="none",
    ),
    Topic(
        "卫生健康",
        "{road}一诊所疑似无证行医",
        "{road}有一家小诊所没有挂牌，却在给人打针输液，怀疑无证行医，存在安全隐患。",
        "{dept}卫生监督人员已现场检查，该场所未取得医疗机构执业许可，已依法取缔并没收相关药品器械。",
        (R,),
        place="road",
    ),
    Topic(
        "卫生健康",
        "预防接种预约困难",
        "想给孩子预约疫苗，附近社康的号一直约满，{when}打电话也打不通，请问还有什么渠道预约。",
        "{dept}已督促接种门诊增加接种时段和放号量，并在周六增设接种门诊，预约渠道详见“深圳疫苗接种”公众号。",
        (H, Q),
        place="none",
    ),
    Topic(
        "市场监管",
        "{landmark}附近健身房闭店预付卡无法退费",
        "{when}在{landmark}附近一家健身房办了{amount}元的年卡，上周突然关门，工作人员都联系不上，"
        "请帮忙追回预付费用。",
        "{dept}已立案调查，并联系到该健身房经营者，经调解，经营者承诺分期退还会员剩余费用，首批退款已到账。",
        (C, H),
        place="road",
    ),
    Topic(
        "市场监管",
        "{road}快餐店食品卫生问题",
        "{when}在{road}一家快餐店吃饭后出现腹泻，后厨看上去很脏乱，怀疑食材不新鲜，请检查。",
        "{dept}执法人员已对该店进行检查，发现后厨卫生不达标、部分食材未按要求储存，已责令整改并立案处理。",
        (R, C),
        place="road",
    ),
    Topic(
        "市场监管",
        "{community}农贸市场缺斤短两",
        "在{community}农贸市场买菜，回家复称少了一两多，多个摊位都有这种情况，希望加强检查。",
        "{dept}已对该市场电子秤开展专项检定，查处作弊秤具三台，并在市场设置公平秤供群众复称。",
        (C, R),
        place="village",
    ),
    Topic(
        "公共安全",
        "{estate}楼道电动车充电隐患",
        "{address}很多住户把电动车推进楼道和电梯，私拉电线充电，存在很大火灾隐患，请管一管。",
        "{dept}已会同社区和物业开展专项整治，清理楼道电动车并在小区内增设集中充电桩，将持续开展巡查。",
        (R, C),
        urgent=0.1,
    ),
    Topic(
        "公共安全",
        "{road}夜间飙车炸街",
        "{when}深夜总有改装摩托车在{road}飙车炸街，轰鸣声很大，附近居民无法休息。",
        "{dept}已在该路段开展夜间专项整治，查处改装摩托车多辆，并将持续加强巡逻管控。",
        (C, R),
        place="road",
    ),
    Topic(
        "公共安全",
        "{estate}附近电动车频繁被盗",
        "{address}附近最近一个月有好几辆电动车被盗，已报警但没有下文，希望加强巡逻、增加监控。",
        "辖区派出所已加强该区域夜间巡逻，并协调物业在车棚增设监控，目前已抓获一名嫌疑人，部分车辆已追回。",
        (H, C),
    ),
    Topic(
        "民政",
        "高龄老人津贴申领咨询",
        "家中老人今年满八十周岁，户籍在{street}，想咨询高龄津贴怎么申请、每月能领多少。",
        "年满八十周岁的深圳户籍老人可申领高龄津贴，可由本人或家属携带身份证、"
        "户口簿到社区党群服务中心申请，也可通过“i深圳”线上申请。",
        (Q,),
        place="none",
    ),
    Topic(
        "民政",
        "独居老人居家养老服务",
        "我母亲一人住在{address}，行动不便，想了解社区有没有上门助餐、助浴的居家养老服务。",
        "{dept}已联系社区居家养老服务站上门评估，符合条件的可享受助餐、助洁等服务，社工已与您家属对接。",
        (H, Q),
    ),
    Topic(
        "水务",
        "{estate}突然停水没有通知",
        "{address}从{when}开始停水，物业和水务公司都没有提前通知，家里有老人孩子，生活很不方便，"
        "请尽快恢复供水。",
        "经核查，停水系小区二次供水设施水泵故障所致。{dept}已督促供水企业抢修，供水已恢复，"
        "并要求今后计划停水须提前公告。",
        (C, H),
        urgent=0.3,
    ),
    Topic(
        "水务",
        "{road}下穿通道暴雨后积水严重",
        "{when}暴雨后{road}下穿通道积水深度约{n}十厘米，有车辆熄火被困，每逢下雨都这样，请彻底整治排水。",
        "{dept}已对该通道排水管网进行清疏，并将加装强排泵站列入防洪排涝工程，汛期安排专人值守。",
        (H, C),
        place="road",
        urgent=0.4,
    ),
    Topic(
        "水务",
        "{community}河道发黑发臭",
        "{community}附近的河道最近又发黑发臭，有排污口在往河里排污水，夏天味道很大。",
        "{dept}已排查上游排污口，发现一处雨污混接点，已完成封堵和管网改造，河道水质正持续监测。",
        (C, R),
        place="village",
    ),
    Topic(
        "规划国土",
        "{community}旧改项目进展咨询",
        "{community}城市更新项目前几年就说要拆迁改造，一直没有动静，想了解项目现在到了哪一步。",
        "经查询，该城市更新单元计划已获批准，目前处于专项规划编制阶段，后续进展将在区城市更新部门网站公示。",
        (Q,),
        place="village",
    ),
    Topic(
        "规划国土",
        "{community}空地违规填土",
        "{community}靠近山边的一块空地最近有泥头车连夜倾倒渣土，怀疑违法用地，还可能引发滑坡。",
        "{dept}已会同街道开展联合执法，责令停止倾倒并清运违规渣土，相关责任人已依法立案查处。",
        (R,),
        place="village",
        urgent=0.15,
    ),
    Topic(
        "政务服务",
        "行政服务大厅办事排队时间长",
        "{when}到区行政服务大厅办理{item}，取号后等了两个多小时，窗口只开了一半，建议高峰时段增开窗口。",
        "{dept}已优化窗口设置，高峰时段增开综合窗口并推行预约办理，同时引导群众通过“i深圳”线上办理{item}。",
        (C, S),
        place="none",
    ),
    Topic(
        "政务服务",
        "网上办事系统提交不了材料",
        "在广东政务服务网办理{item}，上传材料时一直提示失败，换了几台电脑都不行，请帮忙解决。",
        "经技术排查，系统附件上传接口曾短时异常，现已修复。工作人员已电话指导您完成提交。",
        (H,),
        place="none",
    ),
    Topic(
        "政务服务",
        "表扬行政服务大厅工作人员",
        "{when}到区行政服务大厅办理{item}，材料不全，窗口工作人员耐心指导还帮忙联系补办，特此表扬。",
        "感谢您的肯定，{dept}已将表扬转达相关窗口工作人员，我们将继续提升服务质量。",
        (P,),
        place="none",
    ),
    Topic(
        "街道事务",
        "{community}城中村巷道杂物堵塞消防通道",
        "{address}一带巷道堆满杂物和废旧家具，消防车根本进不去，万一起火后果不堪设想。",
        "{dept}已组织社区网格员和物业对该巷道进行清理，清运杂物十余车，并建立每周巡查机制。",
        (R, C),
        place="village",
    ),
    Topic(
        "街道事务",
        "{community}社区公园健身器材损坏",
        "{community}社区公园的健身器材有好几件断裂，露出锋利的铁片，小孩在那里玩很危险。",
        "{dept}已安排对损坏器材设置警示并拆除，新器材已完成采购安装。",
        (H, S),
        place="village",
    ),
    Topic(
        "街道事务",
        "{community}广场舞音响扰民",
        "{community}小广场每天晚上跳广场舞，音响开得很大，一直到十点多，附近居民无法休息。",
        "{dept}已联合社区与广场舞队负责人协商，约定音量限值和活动结束时间为晚上九点，"
        "并安排网格员不定期巡查。",
        (C,),
        place="village",
    ),
    Topic(
        "街道事务",
        "表扬{community}社区网格员",
        "{community}社区网格员经常上门看望我家独居的老父亲，还帮忙办好了各种手续，非常感谢。",
        "感谢您的肯定，{dept}已将表扬转达该网格员所在社区，我们将继续做好辖区独居老人关爱工作。",
        (P,),
        place="village",
    ),
    Topic(
        "其他",
        "{road}附近流浪狗伤人隐患",
        "{road}附近有一群流浪狗，{when}还追咬路过的小孩，请相关部门尽快处理。",
        "{dept}已联系动物收容机构对该区域流浪犬进行收容，并提醒周边居民注意安全、文明养犬。",
        (H, C),
        place="road",
    ),
    Topic(
        "其他",
        "{estate}一带手机信号差",
        "{address}室内手机信号很差，经常打不通电话，希望协调运营商增设基站。",
        "{dept}已将诉求转交通信运营企业，运营商已完成现场测试，计划在小区附近增设基站。",
        (S, C),
    ),
    # Enterprise appeals
    Topic(
        "政务服务",
        "企业{subsidy}申报进度咨询",
        "我司{company}{months}个月前已在线申报{subsidy}，至今没有收到审核结果，也查不到进度，"
        "想了解具体办理情况。",
        "经查询，贵司{subsidy}申报材料已通过初审，目前处于专家评审阶段，结果将于评审结束后公示并短信通知。",
        (Q, H),
        place="none",
        enterprise=True,
    ),
    Topic(
        "水务",
        "工业园区计划停水影响生产",
        "我司{company}位于{address}，{when}接到通知园区将停水两天，生产线无法停工，"
        "请协调缩短停水时间或提供临时供水。",
        "{dept}已协调供水企业调整施工方案，停水时间缩短至夜间八小时，并为贵司安排消防车临时供水。",
        (H,),
        place="village",
        enterprise=True,
    ),
    Topic(
        "劳动和社会保障",
        "企业招工难咨询用工政策",
        "我司{company}近期订单增加，招工困难，想咨询区里有没有招聘对接活动和稳岗扩岗补贴政策。",
        "{dept}已将贵司纳入重点用工企业服务名单，近期将邀请参加区专场招聘会，"
        "稳岗扩岗补贴申领指引已发送至贵司联系人。",
        (Q, H),
        place="none",
        enterprise=True,
    ),
    Topic(
        "市场监管",
        "企业名称被冒用",
        "我司{company}发现有人冒用公司名称在网上销售假冒产品，严重损害企业声誉，请依法查处。",
        "{dept}已对相关网店立案调查，并协调电商平台下架侵权商品，后续将依法处理。",
        (R, H),
        place="none",
        enterprise=True,
    ),
    Topic(
        "交通运输",
        "园区周边道路限行影响货车进出",
        "我司{company}在{address}，周边道路新设货车限行，原材料和成品运输受到很大影响，建议优化限行时段。",
        "{dept}已会同交警部门现场调研，对该路段限行时段进行优化，并为园区企业办理货车通行证提供便利。",
        (S, H),
        place="village",
        enterprise=True,
    ),
    Topic(
        "城乡建设",
        "市政道路施工长期围挡影响经营",
        "我司{company}门前道路施工围挡已经半年，顾客和货车都进不来，经营受到严重影响，想了解何时完工。",
        "{dept}已督促施工单位优化围挡方案，预留临时通道，工程计划于下月底完工，施工期间将保障沿线企业通行。",
        (C, H),
        place="road",
        enterprise=True,
    ),
)
ENTERPRISE_CATEGORIES = frozenset(t.category for t in TOPICS if t.enterprise)
# Share of appeals in an enterprise-topic category that come from an enterprise: ~10% overall.
ENTERPRISE_SHARE = 0.22
CATEGORY_WEIGHTS = {
    "城乡建设": 14,
    "市容环卫": 12,
    "环境保护": 10,
    "交通运输": 9,
    "劳动和社会保障": 9,
    "教育文体": 6,
    "卫生健康": 5,
    "市场监管": 9,
    "公共安全": 5,
    "民政": 3,
    "水务": 5,
    "规划国土": 3,
    "政务服务": 4,
    "街道事务": 6,
    "其他": 2,
}
CHANNEL_WEIGHTS = {
    Channel.HOTLINE: 50,
    Channel.WECHAT: 15,
    Channel.APP: 12,
    Channel.WEBSITE: 10,
    Channel.VISIT: 4,
    Channel.EMAIL: 3,
    Channel.LETTER: 2,
    Channel.OPEN311: 4,
}
# The channels where staff type the appeal in; the others are filed by the citizen.
STAFF_CHANNELS = frozenset({Channel.HOTLINE, Channel.VISIT, Channel.LETTER})
# Departments that plausibly help the lead one; "street" is the office of the appeal's street.
CO_HANDLERS = {
    "城乡建设": ("street", "cgj"),
    "市容环卫": ("street",),
    "环境保护": ("cgj", "street"),
    "交通运输": ("gaj",),
    "劳动和社会保障": ("street", "sfj"),
    "市场监管": ("street",),
    "公共安全": ("yjj", "street"),
    "水务": ("zjj", "street"),
    "规划国土": ("cgj", "street"),
    "街道事务": ("cgj",),
    "其他": ("cgj",),
}

RETURN_REASONS = (
    "经核实，该诉求事项不属于我单位职责范围，建议转{right}办理。",
    "诉求反映的事项涉及{right}的法定职责，我单位无执法权限，申请退回重新分拨。",
)
EXTENSION_REASONS = (
    "需协调产权单位和物业共同现场核查，涉及多方利益，申请延期办理。",
    "整改需委托第三方检测，检测周期较长，申请延期办理。",
    "需待施工单位完成整改后复核，申请延期办理。",
)
SUPERVISE_MESSAGES = (
    "诉求人多次来电催办，请加快办理进度并及时联系诉求人。",
    "请主办单位于两个工作日内反馈办理进展。",
)
SEND_BACK_REASONS = (
    "答复未说明具体处理结果和整改时限，请补充后重新提交。",
    "未与诉求人取得联系，请先联系诉求人核实情况后再答复。",
)
REOPEN_REASONS = (
    "回访诉求人不满意，经核实问题仍未解决，重新交办。",
    "诉求人反映整改后问题反复出现，重新办理。",
)
CO_OPINIONS = (
    "{co}已配合主办单位开展现场联合检查，相关情况已同步反馈。",
    "{co}已安排网格员跟进，将配合主办单位做好后续处置。",
)
SATISFACTION_WEIGHTS = {
    Satisfaction.SATISFIED: 66,
    Satisfaction.BASICALLY_SATISFIED: 18,
    Satisfaction.DISSATISFIED: 10,
    Satisfaction.UNREACHABLE: 6,
}
FOLLOW_UP_NOTES = {
    Satisfaction.DISSATISFIED: "诉求人表示问题仍未彻底解决，对处理结果不满意。",
    Satisfaction.UNREACHABLE: "三次致电均无人接听。",
}
APPROVE_NOTES = (None, "答复内容完整，同意办结。")
REPLY_OPENINGS = {C: "您好！关于您反映的问题，", Q: "您好！关于您咨询的问题，", P: "您好！"}
REPLY_AGAIN = "您好！针对您再次反映的问题，我单位重新组织了现场核查。"
REPLY_CLOSING = "感谢您对我区工作的关心和支持！"
APPEAL_CLOSINGS = ("请相关部门尽快处理。", "希望尽快派人到现场核实。", "已多次反映无果，特此求助。")
FOLLOW_UP_REPLY = "补充说明：已电话联系诉求人，告知处理结果及后续安排，诉求人表示知悉。"


def _weighted(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _spread(rng: random.Random, weights: dict[T, int], count: int) -> list[T]:
    """`count` weighted choices in which every key appears at least once when count allows."""
    keys, shares = list(weights), list(weights.values())
    picks = keys[:count] + rng.choices(keys, weights=shares, k=max(0, count - len(keys)))
    rng.shuffle(picks)
    return picks


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


# ---------------------------------------------------------------------------------------------
# Planning: what happens to each appeal, and when


@dataclass(frozen=True)
class Reference:
    """The organisation data plans are made from, read from the database."""

    communities: dict[str, tuple[str, ...]]  # street name → community names
    street_offices: dict[str, str]  # street name → department code of its office
    department_names: dict[str, str]  # code → name

    @classmethod
    def load(cls, session: Session) -> Reference:
        communities: dict[str, list[str]] = defaultdict(list)
        for street in session.scalars(select(Street).order_by(Street.code)):
            communities[street.name].extend(c.name for c in street.communities)
        offices = {d.street.name: d.code for d in session.scalars(select(Department)) if d.street is not None}
        names = dict(session.execute(select(Department.code, Department.name)).tuples().all())
        return cls({k: tuple(v) for k, v in communities.items()}, offices, names)


@dataclass(frozen=True)
class Move:
    """One workflow step of a planned appeal; `department` is the lead (dispatch) or the
    co-handler (opinion)."""

    action: Action
    at: datetime
    department: str | None = None
    co_departments: tuple[str, ...] = ()
    category: str | None = None
    text: str | None = None
    days: int = 0
    approve: bool = True
    satisfaction: Satisfaction | None = None


@dataclass(frozen=True)
class PlannedAppeal:
    draft: AppealDraft
    created_at: datetime
    moves: tuple[Move, ...]


@dataclass(frozen=True)
class Hours:
    start: time
    end: time
    workdays_only: bool


# Handlers and reviewers act in office hours on working days; the centre works every day.
OFFICE = Hours(time(8, 30), time(18, 0), True)
CENTRE = Hours(time(8, 0), time(22, 0), False)
# Intake by hour of day (hotline and online), 0-23.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 4, 7, 10, 10, 9, 7, 7, 9, 9, 8, 7, 6, 6, 6, 5, 3, 2)
# (age below, in days) → the status an appeal of that age has reached, weighted.
FATES: tuple[tuple[float, dict[Status, int]], ...] = (
    (0.5, {Status.SUBMITTED: 40, Status.DISPATCHED: 30, Status.RETURNED: 5, Status.HANDLING: 25}),
    (
        3,
        {
            Status.SUBMITTED: 4,
            Status.DISPATCHED: 14,
            Status.RETURNED: 5,
            Status.HANDLING: 52,
            Status.REPLIED: 15,
            Status.CLOSED: 10,
        },
    ),
    (
        10,
        {
            Status.DISPATCHED: 3,
            Status.RETURNED: 2,
            Status.HANDLING: 33,
            Status.REPLIED: 12,
            Status.CLOSED: 50,
        },
    ),
    (20, {Status.DISPATCHED: 1, Status.HANDLING: 10, Status.REPLIED: 5, Status.CLOSED: 84}),
    (float("inf"), {Status.HANDLING: 3, Status.REPLIED: 1, Status.CLOSED: 96}),
)
# Older than this, a handling appeal has missed any deadline (15 working days at most).
STALE_DAYS = 25
MISROUTE_SHARE = 0.05


class Story:
    """The moves of one appeal, each some hours after the previous one, within working hours."""

    def __init__(self, rng: random.Random, calendar: WorkCalendar, start: datetime) -> None:
        self.rng = rng
        self.calendar = calendar
        self.at = start
        self.moves: list[Move] = []
        # The handling deadline as the story stands, which decides when the reply comes.
        self.due = start

    def add(self, action: Action, hours: tuple[float, float], within: Hours, **fields: Any) -> Move:
        return self.add_at(action, self.at + timedelta(hours=self.rng.uniform(*hours)), within, **fields)

    def add_at(self, action: Action, moment: datetime, within: Hours, **fields: Any) -> Move:
        moment = self._within(max(moment, self.at + timedelta(minutes=10)), within)
        move = Move(action, moment.replace(microsecond=0), **fields)
        self.at = move.at
        self.moves.append(move)
        return move

    def _within(self, moment: datetime, hours: Hours) -> datetime:
        if self._open(moment.date(), hours) and hours.start <= moment.time() < hours.end:
            return moment
        day = moment.date() if moment.time() < hours.start else moment.date() + timedelta(days=1)
        while not self._open(day, hours):
            day += timedelta(days=1)
        return datetime.combine(day, hours.start, TZ) + timedelta(minutes=self.rng.uniform(5, 150))

    def _open(self, day: date, hours: Hours) -> bool:
        return not hours.workdays_only or self.calendar.is_workday_or_estimate(day)[0]


def fit(moves: Sequence[Move], start: datetime, limit: datetime) -> list[Move]:
    """Squeeze the moves between start and limit, keeping their order and proportions."""
    if not moves or moves[-1].at <= limit:
        return list(moves)
    scale = (limit - start) / (moves[-1].at - start)
    return [replace(m, at=(start + (m.at - start) * scale).replace(microsecond=0)) for m in moves]


@dataclass(frozen=True)
class Case:
    """What the plan of one appeal starts from."""

    created: datetime
    fate: Status
    street: str
    community: str
    category: str
    topic: Topic
    appeal_type: AppealType
    urgency: Urgency
    department: str  # the right lead department
    company: tuple[str, str] | None  # name and credit code of an enterprise appellant
    words: dict[str, str] = field(default_factory=dict)


class Planner:
    def __init__(self, reference: Reference, rules: AppealRules, seed: int, today: datetime) -> None:
        self.reference = reference
        self.rules = rules
        self.rng = random.Random(seed)
        self.people = People(self.rng)
        self.today = today
        self.limit = today - timedelta(minutes=2)

    def plan(self, appeals: int, days: int) -> list[PlannedAppeal]:
        created = sorted(self._creation_time(days) for _ in range(appeals))
        fates = self._fates(created)
        streets = _spread(self.rng, STREET_WEIGHTS, appeals)
        categories = _spread(self.rng, CATEGORY_WEIGHTS, appeals)
        rows = zip(created, fates, streets, categories, strict=True)
        return [self._appeal(index, self._case(*row)) for index, row in enumerate(rows)]

    # -- when and how far

    def _creation_time(self, days: int) -> datetime:
        day = self.today.date() - timedelta(days=self.rng.randrange(days))
        hour = self.rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        moment = datetime.combine(day, time(hour), TZ) + timedelta(seconds=self.rng.randrange(3600))
        if moment > self.today - timedelta(minutes=15):
            moment = self.today - timedelta(minutes=self.rng.uniform(15, 240))
        return max(moment, self.today - timedelta(days=days) + timedelta(minutes=1)).replace(microsecond=0)

    def _age(self, moment: datetime) -> float:
        return (self.today - moment) / timedelta(days=1)

    def _fates(self, created: list[datetime]) -> list[Status]:
        fates = [_weighted(self.rng, next(w for below, w in FATES if self._age(t) < below)) for t in created]
        self._ensure_every_status(fates)
        self._ensure_overdue(fates, created)
        return fates

    @staticmethod
    def _ensure_every_status(fates: list[Status]) -> None:
        """Small loads still show every status: the youngest appeals take the missing open ones."""
        if len(fates) < 2 * len(Status):
            return
        for status in Status:
            counts = Counter(fates)
            if counts[status]:
                continue
            order = range(len(fates)) if status is Status.CLOSED else range(len(fates) - 1, -1, -1)
            index = next(i for i in order if counts[fates[i]] > 1)
            fates[index] = status

    def _ensure_overdue(self, fates: list[Status], created: list[datetime]) -> None:
        """Some old appeals are stuck: handling (or not even accepted) long after their deadline."""
        stale = [i for i, t in enumerate(created) if self._age(t) > STALE_DAYS]
        wanted = max(2, len(fates) // 40) - sum(fates[i] is Status.HANDLING for i in stale)
        closed = [i for i in stale if fates[i] is Status.CLOSED]
        for index in self.rng.sample(closed, min(max(wanted, 0), len(closed))):
            fates[index] = Status.HANDLING if self.rng.random() < 0.8 else Status.DISPATCHED

    # -- the appeal itself

    def _case(self, created: datetime, fate: Status, street: str, category: str) -> Case:
        rng = self.rng
        enterprise = category in ENTERPRISE_CATEGORIES and rng.random() < ENTERPRISE_SHARE
        topic = rng.choice([t for t in TOPICS if t.category == category and t.enterprise == enterprise])
        appeal_type = rng.choices(topic.types, weights=[3] + [1] * (len(topic.types) - 1))[0]
        urgency = Urgency.NORMAL
        if rng.random() < topic.urgent:
            urgency = Urgency.CRITICAL if rng.random() < 0.2 else Urgency.URGENT
        department = CATEGORY_DEPARTMENTS[category] or self.reference.street_offices[street]
        company = self.people.enterprise() if enterprise else None
        community = rng.choice(self.reference.communities[street])
        case = Case(
            created, fate, street, community, category, topic, appeal_type, urgency, department, company
        )
        return replace(case, words=self._words(case))

    def _appeal(self, index: int, case: Case) -> PlannedAppeal:
        draft = self._draft(index, case)
        moves = self._moves(case)
        return PlannedAppeal(draft, case.created, tuple(moves))

    def _draft(self, index: int, case: Case) -> AppealDraft:
        rng, topic, words = self.rng, case.topic, case.words
        person = self.people.pick()
        channel = _weighted(rng, CHANNEL_WEIGHTS)
        phone = self.people.landline() if case.company and rng.random() < 0.4 else person.phone
        placed = rng.random() < COORDINATE_SHARE
        latitude, longitude = self._coordinates(case.street) if placed else (None, None)
        content = topic.content.format_map(words)
        asks = "请" in content.rstrip("。").rsplit("。", 1)[-1]
        if case.appeal_type in (C, H, R) and not asks and rng.random() < 0.6:
            content += rng.choice(APPEAL_CLOSINGS)
        return AppealDraft(
            channel=channel,
            type=case.appeal_type,
            urgency=case.urgency,
            # Citizens filing online seldom pick a category; the dispatcher sets it.
            category=case.category if channel in STAFF_CHANNELS or rng.random() < 0.3 else None,
            title=topic.title.format_map(words),
            content=content,
            appellant_name=person.name,
            appellant_phone=phone,
            appellant_id_number=person.id_number,
            is_enterprise=case.company is not None,
            enterprise_name=case.company[0] if case.company else None,
            enterprise_credit_code=case.company[1] if case.company else None,
            address=words["address"] or None,
            street=case.street,
            community=case.community,
            latitude=latitude,
            longitude=longitude,
            external_id=f"{EXTERNAL_ID_PREFIX}{index + 1:04d}",
        )

    def _words(self, case: Case) -> dict[str, str]:
        """The values of the topic's placeholders, shared by title, content and reply."""
        rng = self.rng
        places = STREETS[case.street]
        estate = rng.choice(ESTATE_HEADS) + rng.choice(ESTATE_TAILS)
        building, road, number = str(rng.randint(1, 12)), rng.choice(places.roads), rng.randint(1, 288)
        lane = f"{rng.choice('一二三四五六七八')}巷{number % 40 + 1}号"
        return {
            "street": case.street,
            "community": case.community,
            "estate": estate,
            "building": building,
            "road": road,
            "landmark": rng.choice(places.landmarks),
            "n": str(rng.randint(2, 6)),
            "amount": str(rng.randrange(20, 200) * 100),
            "when": rng.choice(WHEN),
            "bus": rng.choice(("M", "")) + str(rng.randint(200, 599)),
            "months": str(rng.randint(2, 8)),
            "subsidy": rng.choice(SUBSIDIES),
            "item": rng.choice(ITEMS),
            "province": rng.choice(PROVINCES),
            "company": case.company[0] if case.company else "",
            "dept": self.reference.department_names[case.department],
            "address": {
                "estate": f"{case.street}{case.community}{estate}{building}栋",
                "road": f"{case.street}{road}{number}号",
                "village": f"{case.street}{case.community}{lane}",
                "none": "",
            }[case.topic.place],
        }

    def _coordinates(self, street: str) -> tuple[float, float]:
        centre = STREETS[street]
        lat = min(max(self.rng.gauss(centre.latitude, 0.008), LATITUDES[0]), LATITUDES[1])
        lng = min(max(self.rng.gauss(centre.longitude, 0.008), LONGITUDES[0]), LONGITUDES[1])
        return round(lat, 6), round(lng, 6)

    # -- the workflow

    def _moves(self, case: Case) -> list[Move]:
        story = Story(self.rng, self.rules.deadlines.calendar, case.created)
        if case.fate is Status.SUBMITTED:
            return []
        reopened = case.fate is Status.HANDLING and self._age(case.created) > 6 and self.rng.random() < 0.2
        self._dispatch_phase(story, case)
        if case.fate not in (Status.RETURNED, Status.DISPATCHED):
            story.add(Action.ACCEPT, (0.1, 3) if case.urgency is not Urgency.NORMAL else (0.5, 20), OFFICE)
            self._handling_phase(story, case, stop=case.fate is Status.HANDLING and not reopened)
        if case.fate in (Status.REPLIED, Status.CLOSED) or reopened:
            self._reply_phase(story, case)
        if case.fate is Status.CLOSED or reopened:
            story.add(Action.APPROVE, (2, 36), OFFICE, text=self.rng.choice(APPROVE_NOTES))
        if reopened:
            story.add(
                Action.FOLLOW_UP,
                (20, 80),
                CENTRE,
                satisfaction=Satisfaction.DISSATISFIED,
                text=FOLLOW_UP_NOTES[Satisfaction.DISSATISFIED],
            )
            story.add(Action.REOPEN, (2, 24), OFFICE, text=self.rng.choice(REOPEN_REASONS))
        moves = fit(story.moves, case.created, self.limit)
        if case.fate is Status.CLOSED and moves:
            moves += self._after_closing(case, moves[-1].at)
        return moves

    def _dispatch_phase(self, story: Story, case: Case) -> None:
        hours = (0.1, 1) if case.urgency is not Urgency.NORMAL else (0.2, 5)
        if case.fate is Status.RETURNED or self.rng.random() < MISROUTE_SHARE:
            wrong = self._wrong_department(case)
            story.add(Action.DISPATCH, hours, CENTRE, department=wrong)
            right = self.reference.department_names[case.department]
            reason = self.rng.choice(RETURN_REASONS).format(right=right)
            story.add(Action.RETURN, (1, 20), OFFICE, text=reason)
            if case.fate is Status.RETURNED:
                return
            hours = (0.5, 6)
        story.add(
            Action.DISPATCH,
            hours,
            CENTRE,
            department=case.department,
            co_departments=self._co(case),
            category=case.category,
        )

    def _wrong_department(self, case: Case) -> str:
        choices = sorted({code for code in CATEGORY_DEPARTMENTS.values() if code} - {case.department})
        return self.rng.choice(choices)

    def _co(self, case: Case) -> tuple[str, ...]:
        if self.rng.random() > 0.15 or case.category not in CO_HANDLERS:
            return ()
        code = self.rng.choice(CO_HANDLERS[case.category])
        code = self.reference.street_offices[case.street] if code == "street" else code
        return () if code == case.department else (code,)

    def _handling_phase(self, story: Story, case: Case, *, stop: bool) -> None:
        dispatch = next(m for m in reversed(story.moves) if m.action is Action.DISPATCH)
        for co in dispatch.co_departments:
            if self.rng.random() < 0.75:
                text = self.rng.choice(CO_OPINIONS).format(co=self.reference.department_names[co])
                story.add(Action.CO_HANDLER_OPINION, (4, 40), OFFICE, department=co, text=text)
        if self.rng.random() < 0.04:
            story.add(Action.SUPERVISE, (2, 48), CENTRE, text=self.rng.choice(SUPERVISE_MESSAGES))
        story.due = self.rules.deadlines.handle_deadline(dispatch.at, case.appeal_type, case.urgency).at
        if self.rng.random() < 0.1:
            self._extension(story, pending_allowed=stop)

    def _extension(self, story: Story, *, pending_allowed: bool) -> None:
        share = self.rng.uniform(0.3, 0.7)
        days = self.rng.randint(3, 10)
        story.add_at(
            Action.REQUEST_EXTENSION,
            story.at + (story.due - story.at) * share,
            OFFICE,
            days=days,
            text=self.rng.choice(EXTENSION_REASONS),
        )
        if pending_allowed and self.rng.random() < 0.35:
            return
        approve = self.rng.random() < 0.85
        note = "同意延期，请在延期时限内办结。" if approve else "延期理由不充分，请按原时限办结。"
        story.add(Action.DECIDE_EXTENSION, (2, 20), OFFICE, approve=approve, text=note)
        if approve:
            story.due = self.rules.deadlines.extend(story.due, days).at

    def _reply_phase(self, story: Story, case: Case, *, again: bool = False) -> None:
        opening = REPLY_AGAIN if again else REPLY_OPENINGS.get(case.appeal_type, REPLY_OPENINGS[C])
        answer = opening + case.topic.reply.format_map(case.words) + REPLY_CLOSING
        if self.rng.random() < 0.1:  # late
            target = story.due + timedelta(hours=self.rng.uniform(4, 96))
        else:
            target = story.at + (story.due - story.at) * self.rng.uniform(0.15, 0.9)
        story.add_at(Action.REPLY, target, OFFICE, text=answer)
        if self.rng.random() < 0.05:
            story.add(Action.SEND_BACK, (3, 30), OFFICE, text=self.rng.choice(SEND_BACK_REASONS))
            story.add(Action.REPLY, (4, 60), OFFICE, text=f"{answer}{FOLLOW_UP_REPLY}")

    def _after_closing(self, case: Case, closed: datetime) -> list[Move]:
        """Follow-up, and for some dissatisfied appellants a second round; dropped if not yet due."""
        if self.rng.random() > 0.8:
            return []
        story = Story(self.rng, self.rules.deadlines.calendar, closed)
        satisfaction = _weighted(self.rng, SATISFACTION_WEIGHTS)
        note = FOLLOW_UP_NOTES.get(satisfaction)
        story.add(Action.FOLLOW_UP, (20, 80), CENTRE, satisfaction=satisfaction, text=note)
        first = list(story.moves)
        if satisfaction is Satisfaction.DISSATISFIED and self.rng.random() < 0.4:
            story.add(Action.REOPEN, (2, 24), OFFICE, text=self.rng.choice(REOPEN_REASONS))
            story.due = self.rules.deadlines.handle_deadline(story.at, case.appeal_type, case.urgency).at
            self._reply_phase(story, case, again=True)
            story.add(Action.APPROVE, (2, 36), OFFICE)
            story.add(Action.FOLLOW_UP, (20, 80), CENTRE, satisfaction=Satisfaction.BASICALLY_SATISFIED)
        for moves in (story.moves, first):
            if moves[-1].at <= self.limit:
                return moves
        return []


def plan_demo(
    reference: Reference, rules: AppealRules, *, appeals: int, days: int, seed: int, today: datetime
) -> list[PlannedAppeal]:
    """The demo appeals and their histories; the same arguments always give the same plan."""
    return Planner(reference, rules, seed, today).plan(appeals, days)


# ---------------------------------------------------------------------------------------------
# Loading: every move through the real service, then back to its simulated moment


@dataclass
class Walk:
    session: Session
    cast: Cast
    rules: AppealRules

    def lead_handler(self, appeal: Appeal) -> User:
        assert appeal.lead_department is not None
        return self.cast.handler(appeal.lead_department.code)


def _dispatch(w: Walk, appeal: Appeal, move: Move) -> None:
    assert move.department is not None
    handling.dispatch(
        w.session,
        appeal.id,
        w.cast.dispatcher,
        w.rules,
        department_code=move.department,
        co_department_codes=move.co_departments,
        category=move.category,
    )
    accept_due = w.rules.deadlines.accept_deadline(move.at, appeal.urgency)
    due = w.rules.deadlines.handle_deadline(move.at, appeal.type, appeal.urgency)
    appeal.dispatched_at = move.at
    appeal.accept_due_at, appeal.due_at = accept_due.at, due.at
    appeal.due_estimated = accept_due.estimated or due.estimated


def _accept(w: Walk, appeal: Appeal, move: Move) -> None:
    handling.accept(w.session, appeal.id, w.lead_handler(appeal))
    appeal.accepted_at = move.at


def _return(w: Walk, appeal: Appeal, move: Move) -> None:
    handling.return_appeal(w.session, appeal.id, w.lead_handler(appeal), reason=move.text or "")


def _co_opinion(w: Walk, appeal: Appeal, move: Move) -> None:
    assert move.department is not None
    handler = w.cast.handler(move.department)
    handling.co_handler_opinion(w.session, appeal.id, handler, opinion=move.text or "")
    for co in appeal.co_handlers:
        if co.department.code == move.department:
            co.replied_at = move.at


def _request_extension(w: Walk, appeal: Appeal, move: Move) -> None:
    handler = w.lead_handler(appeal)
    request = handling.request_extension(
        w.session, appeal.id, handler, days=move.days, reason=move.text or ""
    )
    request.requested_at = move.at


def _decide_extension(w: Walk, appeal: Appeal, move: Move) -> None:
    request = handling.decide_extension(
        w.session, appeal.id, w.cast.supervisor, w.rules, approve=move.approve, note=move.text
    )
    request.decided_at = move.at


def _supervise(w: Walk, appeal: Appeal, move: Move) -> None:
    notice = handling.supervise(w.session, appeal.id, w.cast.supervisor, message=move.text or "")
    notice.issued_at = move.at


def _reply(w: Walk, appeal: Appeal, move: Move) -> None:
    handling.reply(w.session, appeal.id, w.lead_handler(appeal), text=move.text or "")
    appeal.replied_at = move.at


def _send_back(w: Walk, appeal: Appeal, move: Move) -> None:
    handling.send_back(w.session, appeal.id, w.cast.reviewer, reason=move.text or "")


def _approve(w: Walk, appeal: Appeal, move: Move) -> None:
    handling.approve(w.session, appeal.id, w.cast.reviewer, note=move.text)
    appeal.closed_at = move.at


def _follow_up(w: Walk, appeal: Appeal, move: Move) -> None:
    assert move.satisfaction is not None
    handling.follow_up(w.session, appeal.id, w.cast.operator, satisfaction=move.satisfaction, note=move.text)


def _reopen(w: Walk, appeal: Appeal, move: Move) -> None:
    handling.reopen(w.session, appeal.id, w.cast.reviewer, w.rules, reason=move.text or "")
    due = w.rules.deadlines.handle_deadline(move.at, appeal.type, appeal.urgency)
    appeal.due_at, appeal.due_estimated = due.at, due.estimated


# Each runs the service for its action, then moves what the service stamped to the move's moment.
PERFORMERS: dict[Action, Callable[[Walk, Appeal, Move], None]] = {
    Action.DISPATCH: _dispatch,
    Action.ACCEPT: _accept,
    Action.RETURN: _return,
    Action.CO_HANDLER_OPINION: _co_opinion,
    Action.REQUEST_EXTENSION: _request_extension,
    Action.DECIDE_EXTENSION: _decide_extension,
    Action.SUPERVISE: _supervise,
    Action.REPLY: _reply,
    Action.SEND_BACK: _send_back,
    Action.APPROVE: _approve,
    Action.FOLLOW_UP: _follow_up,
    Action.REOPEN: _reopen,
}


def _file(w: Walk, planned: PlannedAppeal) -> Appeal | None:
    staff = planned.draft.channel in STAFF_CHANNELS
    appeal, created = submit_appeal(w.session, planned.draft, actor=w.cast.operator if staff else None)
    if not created:
        return None
    appeal.created_at = appeal.updated_at = planned.created_at
    for move in planned.moves:
        PERFORMERS[move.action](w, appeal, move)
        appeal.updated_at = move.at
    return appeal


def _renumber(session: Session, filed: list[tuple[Appeal, PlannedAppeal]]) -> None:
    """Give each appeal a number of its simulated day of intake, in order of intake. The numbers
    intake took on the real day stay unused, a gap as a sequence would leave."""
    for appeal, planned in sorted(filed, key=lambda pair: pair[1].created_at):
        appeal.number = next_number(session, planned.created_at.date())
    session.flush()


def _restamp_events(session: Session, filed: list[tuple[Appeal, PlannedAppeal]]) -> None:
    """The audit events of each appeal, one per service call, get the simulated moments."""
    events: dict[int, list[AuditEvent]] = defaultdict(list)
    query = (
        select(AuditEvent)
        .where(AuditEvent.subject_type == "appeal", AuditEvent.subject_id.in_([a.id for a, _ in filed]))
        .order_by(AuditEvent.id)
    )
    for event in session.scalars(query):
        events[event.subject_id].append(event)
    for appeal, planned in filed:
        moments = [planned.created_at, *(move.at for move in planned.moves)]
        recorded = events[appeal.id]
        if len(recorded) != len(moments):
            raise RuntimeError(f"演示诉求 {planned.draft.external_id} 的事件数与计划不符")
        for event, moment in zip(recorded, moments, strict=True):
            event.at = moment
        recorded[0].data = {**recorded[0].data, "number": appeal.number}


def _load_batch(
    session: Session, batch: Sequence[PlannedAppeal], rules: AppealRules, staff_password: StaffPassword
) -> tuple[int, int]:
    """Files the batch; returns (appeals filed, staff accounts created)."""
    walk = Walk(session, Cast(session, staff_password), rules)
    filed = [(appeal, planned) for planned in batch if (appeal := _file(walk, planned)) is not None]
    if filed:
        session.flush()
        _renumber(session, filed)
        _restamp_events(session, filed)
    return len(filed), walk.cast.created


def _existing_external_ids(session: Session) -> set[str]:
    query = select(Appeal.external_id).where(Appeal.external_id.like(f"{EXTERNAL_ID_PREFIX}%"))
    return {external_id for external_id in session.scalars(query) if external_id}


def _status_counts(session: Session) -> dict[str, int]:
    query = (
        select(Appeal.status, func.count())
        .where(Appeal.external_id.like(f"{EXTERNAL_ID_PREFIX}%"))
        .group_by(Appeal.status)
    )
    counts = dict(session.execute(query).tuples().all())
    return {status.value: counts.get(status.value, 0) for status in Status}


def load_demo(
    factory: sessionmaker[Session],
    rules: AppealRules,
    *,
    appeals: int = 400,
    days: int = 60,
    seed: int = 7,
    today: datetime | None = None,
) -> DemoSummary:
    """Demo logins and `appeals` appeals spread over the last `days` days, at every stage of the
    workflow. Idempotent: existing accounts and demo appeals are kept as they are."""
    if appeals < 0 or not 1 <= days <= 3650:
        raise InvalidInput("诉求数不能为负，天数须在 1 到 3650 之间")
    moment = local(today).replace(microsecond=0) if today else now().replace(microsecond=0)
    with transaction(factory) as session:
        logins, users_created = _ensure_logins(session)
        reference = Reference.load(session)
        existing = _existing_external_ids(session)
    plan = plan_demo(reference, rules, appeals=appeals, days=days, seed=seed, today=moment)
    missing = [p for p in plan if p.draft.external_id not in existing]
    created = 0
    staff_password = StaffPassword()
    for start in range(0, len(missing), BATCH_SIZE):
        with transaction(factory) as session:
            filed, staff = _load_batch(session, missing[start : start + BATCH_SIZE], rules, staff_password)
        created += filed
        users_created += staff
    with transaction(factory) as session:
        notices = issue_overdue_notices(session, at=moment)
        counts = _status_counts(session)
    return DemoSummary(logins, users_created, created, appeals - len(missing), counts, notices)
