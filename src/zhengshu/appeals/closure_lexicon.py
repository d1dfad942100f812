"""The wording the closed-on-paper audit looks for, kept apart from the scoring so it can be read at once.

Formulas are what every reply says whatever the appeal (greetings, 已收悉, thanks, 已转…办理): they are
cut out before anything else is measured. Vague promises are content-shaped but commit to nothing
(将认真研究, 进一步加强监管). Concrete markers are what a substantive answer carries: a finding, an
action already taken, a rule with its citation, a figure, a place, a date, a contact that answers.
"""

from __future__ import annotations

import re

_CLAUSE_END = r"[^。！!？?；;\n]"
# Formulas that run from the start of a clause are only tried there: trying every position is slow.
_NOT_END = r"[^。！!？?；;，,\n]"
# 转 as in forwarding, not 转学, 转让, 转型 …
_FORWARD = r"转(?![学让型变入出化账正业岗户])"
_CLAUSE_START = r"(?:(?<=[。！!？?；;\n，,：:\s”\"])|^)"

# Each pattern removes one formula. They are applied to the whole reply; what they match is shown
# as boilerplate on the audit page, so they must never swallow a finding or an action.
FORMULAS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("称呼", r"(尊敬的|亲爱的)?(网友|网民|市民|来信人|来信同志|热心的市民|群众)(朋友)?(您好|你好)?"),
        ("称呼", r"[“\"]?(UU|A000)\d+[”\"]?|[“\"][^”\"\n]{0,20}[”\"]网友"),
        ("问候", r"(您|你|你们)好"),
        ("收悉", _CLAUSE_START + _CLAUSE_END + r"{0,40}?(收悉|已收到|已经收到|已阅|获悉|知悉|阅办)"),
        ("回复如下", _CLAUSE_START + r"[^。！!：:，,]{0,30}?(回复|答复|说明|汇报|复函)如下[：:]?"),
        ("回复如下", r"(现)?(回复|答复)如下[：:]?"),
        ("特此回复", r"(特此|此)(回复|答复|复函|函复)|此复"),
        (
            "致谢",
            r"(再次|非常|衷心|首先|最后)?(感谢|谢谢)(您|你|广大网友|网友|各位)?"
            + _CLAUSE_END
            + r"{0,40}?(关心|关注|支持|理解|监督|信任|来信|留言|问政|来帖|建议|意见)"
            + _CLAUSE_END
            + r"{0,24}",
        ),
        ("致谢", r"(谢谢|感谢)(您|你)?(的)?(留言|来信|关注|支持)?[！!。]?"),
        ("祝福", r"祝(您|你)" + _CLAUSE_END + r"{0,20}|很高兴(能)?(帮助|帮|为)(到)?(您|你)\S{0,4}"),
        (
            "指代",
            r"(关于|针对|对于|就)?(您|你|网友|网民)(所|在留言中|来信中)?(反映|提出|提到|咨询|投诉|举报|关注|来信中反映)的"
            r"[^。！!？?；;，,\n]{0,30}?(问题|情况|事项|内容|建议|事宜|一事)",
        ),
        (
            "转办",
            _CLAUSE_START
            + _NOT_END
            + r"{0,30}?("
            + _FORWARD
            + r"|转交|转至|转办|移交|交办|转送|转给|交由|交给|上报给|发函交办给?)"
            + r"[^。！!？?；;，,\n]{0,40}?(调查|核查|核实|核处|处理|办理|办复|处置|答复|回复|研究|关注|反馈)"
            + r"[^。！!？?；;，,\n]{0,16}",
        ),
        (
            "转办",
            _CLAUSE_START
            + _NOT_END
            + r"{0,20}?已经?(转办|转交|转至|转给|"
            + _FORWARD
            + r"|移交|交办|上报)[至给到]?"
            + r"[^。！!？?；;，,\n]{0,30}(?=[。！!？?；;，,\n]|$)",
        ),
        (
            "转办",
            _CLAUSE_START
            + _NOT_END
            + r"{0,40}?(核处|办复|调查处理|核实处理|核查处理|调查核实|核实、办理|核实办理|调查处置)"
            + r"[^。！!？?；;，,\n]{0,6}(?=[。！!？?；;，,\n]|$)",
        ),
        (
            "电话",
            r"((联系|咨询|服务|投诉|举报|监督)?(电话|热线)[：:]?\s*)?[（(]?\d{3,4}[）)]?[-—－]?\d{3,8}([-—－]\d{3,8})*"
            r"|\b(12345|12315|12358|12329|96111)\b",
        ),
        (
            "等待回复",
            _CLAUSE_START
            + _CLAUSE_END
            + r"{0,20}?(将|会)?(及时|第一时间|稍后)"
            + _CLAUSE_END
            + r"{0,12}?(回复|反馈|告知|答复|发布)"
            + _CLAUSE_END
            + r"{0,12}",
        ),
        ("等待回复", r"(敬请|请您?)(关注|留意|耐心等待)" + _CLAUSE_END + r"{0,16}"),
        (
            "已答复",
            _CLAUSE_START
            + _CLAUSE_END
            + r"{0,30}?(已经?|已有相关单位)(作出|进行过?|予以)?(回复|答复)(过)?"
            + _CLAUSE_END
            + r"{0,30}",
        ),
        ("重视", _CLAUSE_START + r"[^。！!，,]{0,16}?(高度|非常|十分|极为)重视"),
        ("不满意可联系", r"如(果)?(您|你)?对(回复|答复|本答复|回复意见|处理结果)" + _CLAUSE_END + r"{0,50}"),
        ("以上回复", r"以上(是|为)" + _CLAUSE_END + r"{0,20}(回复|答复)"),
        (
            "日期",
            r"(\d{4}\s*[年.\-/]\s*\d{1,2}\s*[月.\-/]\s*\d{1,2}\s*日?|二[〇○O零]\S{2,3}年\S{1,3}月\S{1,3}日)"
            r"(?=\s*$|\s*[“\"]|\s*[^\S\n]*(网友|您好|尊敬|亲爱))",
        ),
        ("链接", r"(链接|详见)[：:]?\s*(https?://\S+)?"),
    )
)

# A date stands alone at the end of most replies; a date inside a sentence is an action's date.
TRAILING_DATE = re.compile(
    r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{0,2}\s*日?\s*$|\d{4}[.\-/]\d{1,2}[.\-/]\d{1,2}\s*$"
)

# Promises without a commitment: what a reply says when it does nothing.
VAGUE = re.compile(
    r"认真(研究|考虑|调查研究|对待|听取)|予以(考虑|研究|关注)|统筹考虑|研究(解决|确定|论证)|酌情|"
    r"(将|会|予以)妥善(处理|解决)|依法依规(处理|处置)|加强(监管|管理|巡查|宣传|督查|监督|引导|沟通|协调|对接|力度)|"
    r"加大(\S{0,4})?力度|进一步|持续(关注|跟进)|继续(关注|跟进|做好)|积极(协调|争取|推进|配合|对接)|"
    r"争取(早日|尽快)|尽快(解决|处理|落实)|切实(维护|保障|做好|解决)|高度关注|密切关注|"
    r"会同有关部门|列入(计划|规划)?考虑|逐步(解决|完善)|不断(完善|提升|提高)|努力(做好|解决|改善)|"
    r"进行研究|研究工作|研究后|下一步研究|调研|充分论证|论证研究|研究论证|充分考虑|认真梳理|予以采纳|如实上报|前期(研究|工作)|统筹(安排|规划)|适时|择机|视情|待\S{0,8}(后|时)再"
)

# Deflections: the reply declines the matter instead of answering it.
DEFLECT = re.compile(
    r"不(属于|归|在)\S{0,12}(职权|管理|管辖|职责|受理)(范围)?|视为无效|不再进入(处理)?程序|"
    r"(无法|不能)\S{0,12}(调查|核实|核查|处理|提供|答复|确定|回复)|未提供|未留下|不具体|如属实|"
    r"(请|请您|请你)(进一步)?(提供|完善)|(进行)?协商处理|通过司法途径|向(人民)?法院(提起)?(起诉|诉讼)|已(通过网络|在网络|在网上)?明确答复|不知道|不清楚|过于笼统|信息不详"
)

# A result: a figure, a specific date, a finding, an action completed, a sanction.
_RESULT = (
    r"\d+(\.\d+)?\s*(个|名|户|人|次|米|公里|千米|元|万|亿|天|日|号|栋|条|处|家|辆|台|吨|平方米|㎡|亩|%|％|小时|分钟|时|岁|周岁|套|间|座|所|班|路|期)|"
    r"\d{1,2}\s*月\s*\d{1,2}\s*日|经(查|核实|核查|调查|了解|现场|实地)|据(查|了解|核实)|"
    r"(已|已经|现已|目前已|均已|并已)(经)?(完成|责令|下达|立案|查处|整改|拆除|维修|修复|清理|处罚|约谈|开工|启动|发放|退还|"
    r"恢复|批复|建成|安装|开通|设置|制定|出台|印发|更换|取缔|关停|查封|暂扣|收缴|疏通|硬化)|责令|罚款|立案|属实"
)
RESULT = re.compile(_RESULT)
# Strong evidence: a result, or the rule a reply cites.
FIRM = re.compile(_RESULT + r"|《[^》]{2,60}》|第[一二三四五六七八九十百零\d]+[条款项章]")

# A clause that states a finding, an action taken, a rule or a figure.
CONCRETE = re.compile(
    r"\d|[一二三四五六七八九十百千万两]+(个|名|户|人|次|米|公里|元|天|日|年|栋|条|处|家|辆|台|吨|平方米|亩)|"
    r"《[^》]{2,60}》|第[一二三四五六七八九十百零\d]+[条款项章]|[〔\[【]\d{4}[〕\]】]|"
    r"经(查|核实|核查|调查|了解|现场|实地)|据(查|了解|核实)|现场|实地|"
    r"(已|已经|现已|目前已|均已|并已)(经)?(完成|责令|下达|立案|查处|整改|拆除|维修|修复|清理|处罚|约谈|安排|"
    r"开工|启动|办理|发放|退还|恢复|纳入|批复|建成|安装|开通|设置|制定|出台|印发|组织|派|进行|采取|调整|"
    r"更换|补|撤|取缔|关停|查封|暂扣|罚|收缴|疏通|硬化|铺|修|通知|告知|联系|协调|落实|解决|取得|审批|核发)|"
    r"责令|限期|罚款|立案|约谈|停业|整改到位|属实|不属实|情况不实|"
    r"规定|按照|根据|依据|标准|条件|程序|流程|材料|证明|证件|手续|期限|时限|有效期|"
    r"可以|可凭|可向|可到|须|需要|需提供|应当|不得|不能|不可以|不予|无法|没有|暂无|尚未|未|不属于|不符合|符合|"
    r"负责|职责|管辖|权限|电话|热线|网站|公众号|窗口|地址|地点|位于|路|街|村|镇|社区|小区|"
    r"预计|计划于|将于|月底|年底|年内|上半年|下半年|近期|目前|正在"
)

# Words that tell which sentences of an appeal are requests or questions.
REQUEST = re.compile(
    r"请求|希望|要求|恳请|建议|呼吁|能否|能不能|是否|可否|有没有|怎么|如何|为什么|为何|请问|何时|吗|？|\?"
)

# Words too general to show that a reply speaks about the appeal's matter.
GENERIC_TERMS = frozenset(
    [
        "市民",
        "居民",
        "群众",
        "老百姓",
        "业主",
        "网友",
        "书记",
        "市长",
        "县长",
        "局长",
        "领导",
        "同志",
        "部门",
        "单位",
        "有关",
        "有关部门",
        "工作",
        "政府",
        "人民政府",
        "解决",
        "处理",
        "办理",
        "要求",
        "请求",
        "建议",
        "呼吁",
        "投诉",
        "举报",
        "咨询",
        "希望",
        "恳请",
        "反映",
        "严重",
        "影响",
        "导致",
        "存在",
        "发现",
        "出现",
        "表示",
        "认为",
        "时间",
        "地方",
        "方面",
        "事情",
        "事宜",
        "一事",
        "事项",
        "东西",
        "人员",
        "多次",
        "长期",
        "每天",
        "每次",
        "现象",
        "行为",
        "生活",
        "正常",
        "不便",
        "问题",
        "情况",
    ]
)

# Sending the person elsewhere instead of answering: 请咨询…, 建议拨打…, 可向…反映.
REFER = re.compile(
    r"(请|建议|可以?|也可|欢迎|您可|你可)\S{0,8}?(拨打|致电|向|与|咨询|联系|登录|访问|找|寻求|走|至|到)"
    r"\S{0,30}?(咨询|反映|联系|投诉|举报|告知|查询|了解|沟通|询问|提出|调解|程序|途径|仲裁|诉讼|解决)"
    r"|(请|建议|可以?|也可)(您|你)?(直接)?(拨打|致电)"
)

# A rule, a permission, a refusal: how a consultation is answered.
_RULE = (
    r"可以|可由|可凭|可在|须|需|应当|不得|不能|不予|不可|规定|标准|有效期|尚未|暂未|暂无|暂不|没有|未|无此|属于|"
    r"由\S{1,24}(制定|确定|发放|审批|办理|负责|申请)|为\S{0,4}[\d一二三四五六七八九十两]|(到|至|向)\S{1,20}(办理|申请|鉴定)"
)
RULE = re.compile(_RULE)
# What a short answer says when it does answer: a rule, or an action with its outcome or status.
ANSWER = re.compile(
    _RULE + r"|属实|"
    r"已经?\S{0,6}(退|拆|修|清|罚|改|撤|停|关|封|装|换|建|发|办|补|摘牌|解决|完成|落实|恢复|受案|侦查|立案)|"
    r"立\S{0,4}案|受案|侦查|侦办|(圆满|妥善|已经?|得到)解决|正在\S{0,10}(审查|审批|施工|建设|办理|编制|招标|规划)|"
    r"已\S{0,8}(责令|完成|整改|处理|解决|维修|拆除|恢复|发放|办理|下放|划转|调整|合并|取消)|"
    r"清理|拆除|整治|维修|处罚|查处|整改|修复|清除|取缔|更换|安装|处置|劝离|收缴|疏通"
)

# An appeal that asks where to go or whom to call is answered by a referral.
ASKS_WHERE = re.compile(
    r"哪个部门|哪些部门|什么部门|哪个单位|哪里|哪儿|找谁|向谁|电话是|电话多少|联系方式|如何联系|去哪"
)
