"""The metadata a policy officer expects, read from a document's text: title, 文号, issuing body,
dates, validity, status, topics and the documents it repeals. Each value comes with how it was
found (`sources`), so the officer can check it and correct it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from zhengshu.policy.models import PolicyStatus
from zhengshu.text.dates import day_or_none
from zhengshu.text.numerals import chinese_to_int

__all__ = [
    "ExtractedMetadata",
    "TOPIC_KEYWORDS",
    "extract_metadata",
    "filing_year",
    "find_document_numbers",
    "find_signature",
    "normalise_document_number",
    "parse_chinese_day",
    "parse_date",
]

# 文号: issuer's abbreviation, the year in 〔〕 (or [] （） 【】 as typed), the serial number and 号.
_NUMBER = re.compile(
    r"(?P<prefix>[\u4e00-\u9fff]{1,16})\s*[〔\[［(（【]\s*(?P<year>(?:19|20)\d{2})\s*[〕\]］)）】]"
    r"\s*第?\s*(?P<serial>\d{1,5})\s*号"
)
# Words a sentence puts before a cited 文号 that are not part of its prefix.
_LEADING_WORDS = re.compile(
    r"^(?:.*?(?:根据|依据|按照|参照|贯彻|落实|执行|印发|转发|详见|见|及|和|与|或|即|原))+"
)
_CN_DIGIT = "〇○零一二三四五六七八九"
_DATE = re.compile(
    rf"(?P<y>(?:19|20)\d{{2}}|[{_CN_DIGIT}]{{4}})\s*年\s*(?P<m>\d{{1,2}}|[一二三四五六七八九十]{{1,2}})\s*月"
    rf"\s*(?P<d>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*日"
)
_ISO_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})")
# The same, without group names, to embed in larger patterns.
_ANY_DATE = re.sub(r"\(\?P<\w+>", "(?:", f"{_DATE.pattern}|{_ISO_DATE.pattern}")
_CN_DATE = re.sub(r"\(\?P<\w+>", "(?:", _DATE.pattern)
_ORG_SUFFIX = (
    r"(?:人民政府|政府|办公室|办公厅|委员会|管理局|分局|局|厅|部|委|院|中心|署|办|会|指挥部|领导小组"
    r"|街道办事处|公司|集团|银行)"
)
_ORG = re.compile(rf"[\u4e00-\u9fff（）()·]{{1,38}}{_ORG_SUFFIX}")
_TITLE_END = re.compile(
    r"(?:通知|办法|规定|措施|意见|方案|细则|决定|公告|通告|规则|指引|批复|函|计划|纲要|目录|清单|标准|规划|指南"
    r"|条例|制度|公示|报告|）|\))$"
)
_STRUCTURE_START = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]+[章节条]|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)"
)
_HEADER_NOISE = re.compile(
    r"^(?:.{2,30}文件|索引号.*|发布日期.*|发布时间.*|来源.*|分类.*|主题词.*|[\d\s/-]+)$"
)
_EFFECTIVE_ON = re.compile(rf"自\s*(?P<date>{_CN_DATE})\s*起\s*(?:施行|实施|执行|生效)")
_EFFECTIVE_FROM_ISSUE = re.compile(r"自(?P<event>印发|发布|公布|颁布)之日起\s*(?:施行|实施|执行|生效)")
_VALID_UNTIL = re.compile(rf"有效期[^。；\n]{{0,40}}?至\s*(?P<date>{_CN_DATE})")
_VALID_YEARS = re.compile(r"有效期(?:为|限为|限)?\s*(?P<years>\d{1,2}|[一二三四五六七八九十]{1,2})\s*年")
_PUBLISHED = re.compile(rf"(?:发布日期|发布时间|公布日期|印发日期)\s*[:：]?\s*(?P<date>{_ANY_DATE})")
_SENTENCE = re.compile(r"[^。；;\n]+")
_REPEAL_WORDS = ("废止", "停止执行", "不再执行")
_BASIS_START = re.compile(r"^\s*(?:根据|依据|按照|为)")
_QUOTED_TITLE = re.compile(r"《([^《》]{2,120})》")
# "《标题》（文号）": the 文号 right after a quoted title is that document's.
_NUMBER_AFTER_TITLE = re.compile(rf"\s*[（(]\s*{_NUMBER.pattern}\s*[）)]")
_SAMPLE_MARK = "（示例文件，非真实文件）"

# 文号 prefix → issuing body, longest prefix first: the district's and the city's common issuers.
NUMBER_PREFIX_BODIES = {
    "深龙府办规": "深圳市龙岗区人民政府办公室",
    "深龙府办函": "深圳市龙岗区人民政府办公室",
    "深龙府办": "深圳市龙岗区人民政府办公室",
    "深龙府规": "深圳市龙岗区人民政府",
    "深龙府函": "深圳市龙岗区人民政府",
    "深龙府": "深圳市龙岗区人民政府",
    "深龙工信": "深圳市龙岗区工业和信息化局",
    "深龙人社": "深圳市龙岗区人力资源局",
    "深龙人才": "深圳市龙岗区人才工作局",
    "深龙建": "深圳市龙岗区住房和建设局",
    "深龙住建": "深圳市龙岗区住房和建设局",
    "深龙教": "深圳市龙岗区教育局",
    "深龙卫健": "深圳市龙岗区卫生健康局",
    "深龙财": "深圳市龙岗区财政局",
    "深龙科创": "深圳市龙岗区科技创新局",
    "深龙政数": "深圳市龙岗区政务服务和数据管理局",
    "深府办规": "深圳市人民政府办公厅",
    "深府办函": "深圳市人民政府办公厅",
    "深府办": "深圳市人民政府办公厅",
    "深府规": "深圳市人民政府",
    "深府函": "深圳市人民政府",
    "深府": "深圳市人民政府",
    "粤府办": "广东省人民政府办公厅",
    "粤办函": "广东省人民政府办公厅",
    "粤府函": "广东省人民政府",
    "粤府": "广东省人民政府",
    "国办发": "国务院办公厅",
    "国办函": "国务院办公厅",
    "国发": "国务院",
    "国函": "国务院",
}

# Topic → keywords. A keyword in the title weighs TITLE_WEIGHT; in the body, once per occurrence.
TOPIC_KEYWORDS: dict[str, tuple[str, ...]] = {
    "企业扶持": ("中小企业", "企业扶持", "扶持", "资助", "补贴", "奖励", "融资", "贷款", "贴息", "专精特新",
              "营商环境", "减免", "租金", "复工复产", "稳增长"),
    "人才": ("人才", "高层次", "引进", "博士", "留学", "人才安居", "技能"),
    "住房": ("住房", "保障性", "公租房", "配租", "安居", "租赁", "房源"),
    "教育": ("教育", "学校", "学位", "入学", "学生", "幼儿园", "教师", "招生"),
    "医疗卫生": ("医疗", "医院", "卫生", "健康", "医保", "诊疗", "药品", "社康", "医务"),
    "社会保障": ("社会保险", "社保", "养老", "失业", "低保", "救助", "就业", "工伤", "残疾", "困难群众"),
    "疫情防控": ("疫情", "新冠", "新型冠状病毒", "防控", "口罩", "隔离", "肺炎", "防疫", "核酸"),
    "科技创新": ("科技", "创新", "研发", "高新技术", "知识产权", "孵化"),
    "交通": ("交通", "道路", "公交", "停车", "地铁"),
    "生态环境": ("环保", "生态", "污染", "排放", "垃圾分类", "绿化"),
    "安全生产": ("安全生产", "消防", "应急", "隐患"),
}  # fmt: skip
TITLE_WEIGHT = 5
TOPIC_MIN_SCORE = 5
MAX_TOPICS = 3


@dataclass
class ExtractedMetadata:
    title: str
    document_number: str | None = None
    issuing_body: str | None = None
    written_on: date | None = None
    published_on: date | None = None
    effective_on: date | None = None
    valid_until: date | None = None
    status: PolicyStatus = PolicyStatus.IN_FORCE
    topics: list[str] = field(default_factory=list)
    repeals: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        return filing_year(self.written_on, self.published_on, self.effective_on, self.document_number)


def filing_year(
    written_on: date | None, published_on: date | None, effective_on: date | None, document_number: str | None
) -> int | None:
    """The year the library files a version under: of 成文, else 发布, else 施行, else the 文号's
    year (a 文号 carries the year it was issued in)."""
    for day in (written_on, published_on, effective_on):
        if day is not None:
            return day.year
    found = _NUMBER.search(document_number or "")
    return int(found.group("year")) if found else None


def normalise_document_number(value: str) -> str | None:
    """The 文号 in its standard form (深龙府办规〔2024〕3号), or None when value holds none."""
    found = _NUMBER.search(value)
    return _standard_number(found) if found else None


def _standard_number(found: re.Match[str]) -> str:
    prefix = _LEADING_WORDS.sub("", found.group("prefix")) or found.group("prefix")
    return f"{prefix}〔{found.group('year')}〕{int(found.group('serial'))}号"


def find_document_numbers(text: str) -> list[tuple[str, int, int]]:
    """Every 文号 in the text: (standard form, start, end)."""
    return [(_standard_number(found), found.start(), found.end()) for found in _NUMBER.finditer(text)]


def parse_date(found: re.Match[str]) -> date | None:
    try:
        year, month, day = (chinese_to_int(found.group(part)) for part in ("y", "m", "d"))
        return date(year, month, day)
    except ValueError:
        return None


def parse_chinese_day(value: str) -> date | None:
    """2024-03-15, 2024/3/15 or 2024年3月15日 (digits or Chinese numerals) → date; None otherwise
    (zhengshu.text.dates, the one reader of a typed date)."""
    return day_or_none(value)


def extract_metadata(text: str, *, today: date, fallback_title: str = "") -> ExtractedMetadata:
    """Everything the text says about itself. `today` decides whether a validity period has run out."""
    sources: dict[str, str] = {}
    number = _own_number(text, sources)
    title = _title(text, fallback_title, sources)
    meta = ExtractedMetadata(title=title, document_number=number, sources=sources)
    signature = find_signature(text)
    if signature and signature.day:
        meta.written_on = signature.day
        sources["written_on"] = "落款日期"
    meta.issuing_body = _issuing_body(signature.bodies if signature else None, title, number, sources)
    _dates(text, meta)
    if meta.valid_until and meta.valid_until < today:
        meta.status = PolicyStatus.EXPIRED
        sources["status"] = f"有效期至{meta.valid_until:%Y年%m月%d日}，已届满"
    else:
        sources["status"] = "默认现行有效"
    meta.topics = _topics(title, text, sources)
    meta.repeals = _repeals(text, title, number)
    if meta.repeals:
        sources["repeals"] = "正文“……废止”语句"
    return meta


def _head_lines(text: str, limit: int = 15) -> list[str]:
    return [line.strip() for line in text.split("\n")[:limit] if line.strip()]


def _own_number(text: str, sources: dict[str, str]) -> str | None:
    for line in _head_lines(text):
        found = _NUMBER.fullmatch(line)
        if found:
            sources["document_number"] = "文头文号行"
            return _standard_number(found)
    # Else a 文号 near the start (a title line "关于……的通知（深龙府〔2024〕1号）", a web page's
    # first words), unless it cites another document.
    head = "\n".join(text[:300].split("\n")[:2])
    for found in _NUMBER.finditer(head):
        before = head[max(0, found.start() - 12) : found.start()]
        if not re.search(r"根据|按照|依据|贯彻|落实|参照|》\s*[（(]\s*$", before):
            sources["document_number"] = "文件开头的文号"
            return _standard_number(found)
    return None


def _title(text: str, fallback: str, sources: dict[str, str]) -> str:
    lines = [line for line in _head_lines(text, 20) if not _is_header_noise(line)]
    if not lines:
        sources["title"] = "文件名"
        return fallback[:300] or "（无标题）"
    first = lines[0]
    if len(first) > 80 or " " in first:
        # Text pasted from a web page: the title is the first run before a space or a sentence.
        candidate = _inline_title(re.split(r"。", first, maxsplit=1)[0].split()[:12])
        if 4 <= len(candidate) <= 120:
            sources["title"] = "正文开头"
            return _strip_number_suffix(candidate)
        if fallback:
            sources["title"] = "文件名"
            return fallback[:300]
        sources["title"] = "正文开头（截取）"
        return first[:40]
    title = first
    # Long titles wrap onto a second line; join it when the first line does not end like a title.
    if len(lines) > 1 and not _TITLE_END.search(title):
        follow = lines[1]
        if len(follow) <= 60 and not _STRUCTURE_START.match(follow) and not follow.endswith(("：", ":")):
            title += follow
    sources["title"] = "正文第一行"
    return _strip_number_suffix(title)[:300]


def _inline_title(words: list[str]) -> str:
    """The title among the first words of a one-line text: past a leading 文号 or date; joint
    issuers on separate words ("北京市财政局 北京市审计局关于……的通知") stay in the title."""
    while len(words) > 1 and _is_header_noise(words[0]):
        words = words[1:]
    issuers = 0
    while issuers < len(words) and _ORG.fullmatch(words[issuers]):
        issuers += 1
    if 0 < issuers < len(words) and "关于" in words[issuers]:
        return " ".join(words[: issuers + 1])
    if 0 < issuers < len(words) and issuers == 1 and len(words[0]) <= 12:
        # A masthead such as "山东省人民政府" before the title.
        return words[1] if len(words[1]) >= 4 else words[0]
    return words[0] if words else ""


def _strip_number_suffix(title: str) -> str:
    # "关于……的通知（深龙府办规〔2024〕3号）" and "石政发〔2020〕3号-关于……": the 文号 is not part
    # of the title.
    title = re.sub(rf"\s*[（(]\s*{_NUMBER.pattern}\s*[）)]\s*$", "", title)
    return re.sub(rf"^{_NUMBER.pattern}\s*[-—－:：]?\s*(?=\S{{4}})", "", title)


def _is_header_noise(line: str) -> bool:
    return bool(_NUMBER.fullmatch(line) or _HEADER_NOISE.fullmatch(line) or _DATE.fullmatch(line))


@dataclass(frozen=True)
class Signature:
    """The signature block (落款) closing the body: issuing bodies and date, and where it starts."""

    bodies: str | None
    day: date | None
    start: int


_ATTACHMENTS_START = re.compile(r"^附\s*件\s*[\d一二三四五六七八九十]*\s*$", re.MULTILINE)
_TRAILING_NOTE = re.compile(r"[（(][^（）()]{0,30}[）)]\s*$")


def find_signature(text: str) -> Signature | None:
    """The signature at the end of the body (before any attachment), such as "深圳市商务局
    2020年2月7日", on its own lines or, in text pasted from a web page, after a space."""
    attachments = _ATTACHMENTS_START.search(text)
    body_end = attachments.start() if attachments else len(text)
    body = _TRAILING_NOTE.sub("", text[:body_end].rstrip()).rstrip()
    tail_start = max(0, len(body) - 400)
    dates = list(_DATE.finditer(body, tail_start))
    if not dates or body[dates[-1].end() :].strip():
        return None
    last = dates[-1]
    start = last.start()
    bodies: list[str] = []
    for word in reversed(list(re.finditer(r"\S+", body[tail_start : last.start()]))):
        if len(bodies) >= 5 or not _ORG.fullmatch(word.group()):
            break
        bodies.insert(0, word.group())
        start = tail_start + word.start()
    # A date alone closes a paragraph as often as it signs a document: only a body makes a signature.
    if not bodies and start > 0 and text[start - 1] != "\n":
        return None
    return Signature("、".join(bodies) or None, parse_date(last), start)


def _issuing_body(
    signature: str | None, title: str, number: str | None, sources: dict[str, str]
) -> str | None:
    if signature:
        sources["issuing_body"] = "落款"
        return signature[:100]
    issuer = re.match(rf"^(.{{2,60}}?{_ORG_SUFFIX})(?:、.{{2,40}}?{_ORG_SUFFIX})*关于", title)
    if issuer:
        sources["issuing_body"] = "标题“……关于”前的机关"
        return title[: title.index("关于")][:100]
    if number:
        prefix = number.split("〔", 1)[0]
        for known in sorted(NUMBER_PREFIX_BODIES, key=len, reverse=True):
            if prefix.startswith(known):
                sources["issuing_body"] = f"文号前缀“{known}”"
                return NUMBER_PREFIX_BODIES[known]
    return None


def _dates(text: str, meta: ExtractedMetadata) -> None:
    sources = meta.sources
    published = _PUBLISHED.search(text[:600])
    if published:
        day = parse_chinese_day(published.group("date"))
        if day:
            meta.published_on = day
            sources["published_on"] = "“发布日期”标注"
    effective = _EFFECTIVE_ON.search(text)
    if effective:
        meta.effective_on = parse_chinese_day(effective.group("date"))
        sources["effective_on"] = "“自……起施行”"
    else:
        from_issue = _EFFECTIVE_FROM_ISSUE.search(text)
        if from_issue:
            issued = meta.written_on if from_issue.group("event") == "印发" else meta.published_on
            meta.effective_on = issued or meta.written_on or meta.published_on
            if meta.effective_on:
                sources["effective_on"] = f"“自{from_issue.group('event')}之日起施行”"
    until = _VALID_UNTIL.search(text)
    if until:
        meta.valid_until = parse_chinese_day(until.group("date"))
        sources["valid_until"] = "“有效期至……”"
        return
    years = _VALID_YEARS.search(text)
    start = meta.effective_on or meta.written_on or meta.published_on
    if years and start:
        count = chinese_to_int(years.group("years"))
        meta.valid_until = _add_years(start, count) - timedelta(days=1)
        sources["valid_until"] = f"“有效期{count}年”，自{start:%Y年%m月%d日}起算"


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _topics(title: str, text: str, sources: dict[str, str]) -> list[str]:
    scored: list[tuple[int, str, list[str]]] = []
    for topic, keywords in TOPIC_KEYWORDS.items():
        score, hits = 0, []
        for keyword in keywords:
            in_title = keyword in title
            count = min(text.count(keyword), 10)
            if in_title or count:
                score += TITLE_WEIGHT * in_title + count
                hits.append(keyword)
        if score >= TOPIC_MIN_SCORE:
            scored.append((score, topic, hits))
    scored.sort(key=lambda item: -item[0])
    chosen = scored[:MAX_TOPICS]
    if chosen:
        sources["topics"] = "关键词：" + "；".join(
            f"{topic}（{'、'.join(hits[:4])}）" for _s, topic, hits in chosen
        )
    return [topic for _score, topic, _hits in chosen]


def _repeals(text: str, title: str, own_number: str | None) -> list[str]:
    """文号 (else titles) of the documents this one repeals, from sentences that say so. A document
    whose title says it repeals (关于废止……的决定) repeals everything it lists."""
    repealing_document = "废止" in title
    found: list[str] = []
    own_titles = {title, title.replace(_SAMPLE_MARK, "")}
    body = text[text.find(title) + len(title) :] if title and title in text else text
    for sentence in _SENTENCE.findall(body):
        if _BASIS_START.match(sentence):
            continue
        if not repealing_document and not any(word in sentence for word in _REPEAL_WORDS):
            continue
        if "自动废止" in sentence or "届满" in sentence:
            continue
        for number, _start, _end in find_document_numbers(sentence):
            if number != own_number and number not in found:
                found.append(number)
        for quoted in _QUOTED_TITLE.finditer(sentence):
            # A title followed by its 文号 is named by the 文号 alone: a revision re-issued under
            # the same title with a new 文号 is not what was repealed.
            if _NUMBER_AFTER_TITLE.match(sentence, quoted.end()):
                continue
            name = quoted.group(1)
            if name not in own_titles and name not in found and "中华人民共和国" not in name:
                found.append(name)
    return found
