"""A stored daily brief as a .docx laid out like a government brief (简报): a red masthead title, the
issue number, the issuer and date above a red rule, numbered sections and tables.

Styles carry the names and fonts of official documents (仿宋 for the body, 黑体 for headings); the
font table names Noto CJK as the alternative where those fonts are not installed. The content is
what zhengshu.appeals.briefs stored, already masked."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph
from lxml import etree

RED = RGBColor(0xC0, 0x00, 0x00)
BODY_FONT, HEADING_FONT, LATIN_FONT = "仿宋", "黑体", "Times New Roman"
FALLBACKS = {BODY_FONT: "Noto Serif CJK SC", HEADING_FONT: "Noto Sans CJK SC"}
MASTHEAD, ISSUE, BYLINE = "简报红头", "简报期号", "简报发文"
HEADING, BODY, TABLE_TEXT, NOTE = "简报一级标题", "简报正文", "简报表格", "简报附注"
NUMERALS = "一二三四五六七八九十"


def _fonts(style: ParagraphStyle, east_asian: str, size: float, bold: bool = False) -> None:
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    r_pr = style.element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, r_fonts)
    r_fonts.set(qn("w:eastAsia"), east_asian)


def _style(doc: DocumentObject, name: str, font: str, size: float, **options: Any) -> ParagraphStyle:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(style, ParagraphStyle)
    style.base_style = doc.styles["Normal"]
    _fonts(style, font, size, options.get("bold", False))
    fmt = style.paragraph_format
    fmt.alignment = options.get("align", WD_ALIGN_PARAGRAPH.JUSTIFY)
    fmt.space_before, fmt.space_after = Pt(options.get("before", 0)), Pt(options.get("after", 0))
    fmt.line_spacing = options.get("line", 1.25)
    if options.get("indent"):
        fmt.first_line_indent = Pt(size * 2)
    if options.get("red"):
        style.font.color.rgb = RED
    return style


def _styles(doc: DocumentObject) -> None:
    _style(doc, MASTHEAD, HEADING_FONT, 30, bold=True, red=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    _style(doc, ISSUE, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    _style(doc, BYLINE, BODY_FONT, 14, align=WD_ALIGN_PARAGRAPH.LEFT)
    _style(doc, HEADING, HEADING_FONT, 16, before=12, after=6, align=WD_ALIGN_PARAGRAPH.LEFT)
    _style(doc, BODY, BODY_FONT, 16, indent=True, line=1.4)
    _style(doc, TABLE_TEXT, BODY_FONT, 11, align=WD_ALIGN_PARAGRAPH.LEFT, line=1.1)
    _style(doc, NOTE, BODY_FONT, 12, line=1.2)


def _font_fallbacks(doc: DocumentObject) -> None:
    """Name the Noto CJK fonts as alternatives of 仿宋 and 黑体 in the font table."""
    fonts = doc.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
    )
    root = parse_xml(fonts.blob)
    for name, alternative in FALLBACKS.items():
        root.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alternative}"/>'
                '<w:charset w:val="86"/><w:family w:val="modern"/></w:font>'
            )
        )
    # The font table is a plain part in python-docx: its bytes are replaced as a whole.
    fonts._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _red_rule(paragraph: Paragraph) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    p_pr.append(
        parse_xml(
            f"<w:pBdr {nsdecls('w')}>"
            '<w:bottom w:val="single" w:sz="18" w:space="4" w:color="C00000"/></w:pBdr>'
        )
    )


def _masthead(doc: DocumentObject, content: dict[str, Any]) -> None:
    doc.add_paragraph(content["title"], style=MASTHEAD)
    doc.add_paragraph(content["issue"], style=ISSUE)
    byline = doc.add_paragraph(f"{content['issuer']}\t{content['date_label']}", style=BYLINE)
    byline.paragraph_format.tab_stops.add_tab_stop(Cm(15.5), WD_TAB_ALIGNMENT.RIGHT)
    _red_rule(byline)


def _heading(doc: DocumentObject, number: int, text: str) -> None:
    doc.add_paragraph(f"{NUMERALS[number - 1]}、{text}", style=HEADING)


def _table(doc: DocumentObject, header: list[str], rows: list[list[Any]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].style = doc.styles[TABLE_TEXT]
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.paragraphs[0].style = doc.styles[TABLE_TEXT]
            cell.paragraphs[0].add_run(str(value))


def _criteria(doc: DocumentObject, content: dict[str, Any]) -> None:
    doc.add_paragraph("遴选标准：" + "；".join(content["criteria"]) + "。", style=NOTE)
    doc.add_paragraph(f"数据截至 {content['as_of']}；诉求人个人信息已脱敏。", style=NOTE)


def _daily_five(doc: DocumentObject, content: dict[str, Any]) -> None:
    _heading(doc, 1, "总体情况")
    doc.add_paragraph(content["message"], style=BODY)
    if content["items"]:
        _heading(doc, 2, "重点关注诉求")
        for item in content["items"]:
            head = doc.add_paragraph(style=BODY)
            head.add_run(f"（{NUMERALS[item['rank'] - 1]}）{item['title']}").bold = True
            doc.add_paragraph(
                f"【{item['number']}】{item['street']}{item['community']}，{item['category']}，"
                f"{item['urgency']}，{item['status']}，承办：{item['department']}。{item['summary']}",
                style=BODY,
            )
            why = doc.add_paragraph(style=BODY)
            why.add_run("关注理由：").bold = True
            why.add_run(item["why"])
        _heading(doc, 3, "一览表")
        _table(
            doc,
            ["序号", "编号", "诉求", "街道", "关注理由"],
            [[i["rank"], i["number"], i["title"], i["street"], i["why"]] for i in content["items"]],
        )
    _criteria(doc, content)


def _counts_line(pairs: list[list[Any]]) -> str:
    return "，".join(f"{name} {n} 件" for name, n in pairs) or "无"


def _enterprise(doc: DocumentObject, content: dict[str, Any]) -> None:
    _heading(doc, 1, "总体情况")
    doc.add_paragraph(content["message"], style=BODY)
    if content["appeals"]:
        _heading(doc, 2, "分类统计")
        doc.add_paragraph("按类型：" + _counts_line(content["by_type"]) + "。", style=BODY)
        doc.add_paragraph("按街道：" + _counts_line(content["by_street"]) + "。", style=BODY)
        doc.add_paragraph("按行业：" + _counts_line(content["by_industry"]) + "。", style=BODY)
        _table(
            doc,
            ["编号", "企业", "诉求", "类型", "街道", "行业", "状态"],
            [
                [r["number"], r["enterprise"], r["title"], r["type"], r["street"], r["industry"], r["status"]]
                for r in content["appeals"]
            ],
        )
    number = 3 if content["appeals"] else 2
    _heading(doc, number, "值得关注的企业诉求")
    if content["notable"]:
        for row in content["notable"]:
            doc.add_paragraph(
                f"【{row['number']}】{row['enterprise']}：{row['title']}。{row['why']}。", style=BODY
            )
    else:
        doc.add_paragraph("无。", style=BODY)
    _heading(doc, number + 1, "超期未办结的企业诉求")
    if content["overdue"]:
        _table(
            doc,
            ["编号", "企业", "诉求", "承办单位", "办理时限", "已超期"],
            [
                [r["number"], r["enterprise"], r["title"], r["department"], r["due_at"], r["late"]]
                for r in content["overdue"]
            ],
        )
    else:
        doc.add_paragraph("无。", style=BODY)
    _criteria(doc, content)


def render_docx(content: dict[str, Any]) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _styles(doc)
    _font_fallbacks(doc)
    doc.core_properties.title = f"{content['title']} {content['issue']}"
    doc.core_properties.author = content["issuer"]
    _masthead(doc, content)
    (_enterprise if content["kind"] == "enterprise" else _daily_five)(doc, content)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def filename(content: dict[str, Any]) -> str:
    return f"{content['title']}_{content['day']}.docx"


def save(content: dict[str, Any], directory: Path) -> Path:
    """Writes the brief's .docx into the directory (created if missing) and returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / filename(content)
    path.write_bytes(render_docx(content))
    return path
