"""Test documents built in the tests (no checked-in binaries): .docx with python-docx, PDF by hand
(a Type0 font whose ToUnicode map gives the text layer) or with pypdf's writer."""

from __future__ import annotations

import io


def docx_bytes(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds `lines` (Chinese included): every character gets a
    glyph id, and the ToUnicode map turns the ids back into the characters, as real PDFs do."""
    chars = sorted({char for line in lines for char in line})
    cid = {char: index + 1 for index, char in enumerate(chars)}
    cmap_entries = "\n".join(f"<{cid[c]:04X}> <{ord(c):04X}>" for c in chars)
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CMapName /Test def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n{cmap_entries}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    shown = "\n".join(
        f"1 0 0 1 50 {800 - 20 * n} Tm <{''.join(f'{cid[c]:04X}' for c in line)}> Tj"
        for n, line in enumerate(lines)
    )
    content = f"BT /F1 12 Tf\n{shown}\nET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
        " /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type0 /BaseFont /TestFont /Encoding /Identity-H"
        " /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        _stream(content),
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TestFont /CIDSystemInfo"
        " << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
        _stream(cmap),
    ]
    return _pdf(objects)


def _stream(body: str) -> str:
    data = body.encode("latin-1")
    return f"<< /Length {len(data)} >>\nstream\n{body}\nendstream"


def _pdf(objects: list[str]) -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def blank_pdf(pages: int = 1) -> bytes:
    """What a scanner without OCR produces, as far as text goes: pages without a text layer."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(["第一条 加密的文件"]))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx_with_extra_entry(content: bytes, *, declared_size: int | None = None) -> bytes:
    """A valid .docx carrying one more part, `content` compressed; `declared_size` rewrites the
    size the zip's directory declares for it, as a crafted bomb does."""
    import struct
    import zipfile

    buffer = io.BytesIO(docx_bytes(["第一条 正文。"]))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/extra.xml", content)
    data = bytearray(buffer.getvalue())
    if declared_size is not None:
        name = b"word/media/extra.xml"
        # The central directory entry: signature, then its uncompressed size at offset 24.
        entry = data.rindex(b"PK\x01\x02", 0, data.rindex(name))
        data[entry + 24 : entry + 28] = struct.pack("<I", declared_size)
    return bytes(data)
