#!/usr/bin/env python3
"""Make a real Word .docx (WordprocessingML, as Word and WPS write it) from a simple text
description. Python standard library only.

Usage:  make-docx.py OUT.docx [--title TITLE] [--header TEXT] [--footer TEXT] < description.txt

Description, one line each:
  plain text                       a paragraph
  (empty line)                     an empty paragraph
  |a|b|c|                          a table row (consecutive rows form one table)
  [img alt="..." title="..." src="map.png"]   an image (a picture with wp:docPr descr/title;
                                   src is the file name stored under word/media/)
  图1 ...                          a caption paragraph (style "Caption"); also 图片来源…, 审图号…
  [caption]表1 ...                 a caption paragraph whatever its text
  [link href="https://..."]text    a paragraph holding a hyperlink
  # heading                        a paragraph in style Heading1
A tab inside a line becomes <w:tab/>, the two characters \\n a line break <w:br/>.

Examples:
  printf '通知\\n|姓名|电话|\\n|张三|12345|\\n[img alt="盘州市地图" src="map.png"]\\n图1 盘州市地图\\n' \\
      | scripts/make-docx.py /tmp/x.docx --header 盘州市人民政府
"""
import argparse
import re
import sys
import zipfile
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = (
    'xmlns:wpc="http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:r="%s" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
    'xmlns:w="%s"' % (R, W)
)
REL_IMAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
REL_LINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
REL_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
REL_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
REL_FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"

# A 1x1 PNG, so pictures are real images.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

IMG_RE = re.compile(r'^\[img((?:\s+\w+="[^"]*")*)\s*\]$')
LINK_RE = re.compile(r'^\[link\s+href="([^"]*)"\](.*)$')
ATTR_RE = re.compile(r'(\w+)="([^"]*)"')
CAPTION_RE = re.compile(r"^(图|图片来源|审图号)")


def attr(s):
    return escape(s, {'"': "&quot;"})


def runs(text):
    """w:r elements for text: tabs and \\n (two characters) become w:tab and w:br."""
    out = []
    for i, line in enumerate(text.split("\\n")):
        if i:
            out.append("<w:r><w:br/></w:r>")
        for j, part in enumerate(line.split("\t")):
            if j:
                out.append("<w:r><w:tab/></w:r>")
            if part:
                out.append('<w:r><w:t xml:space="preserve">%s</w:t></w:r>' % escape(part))
    return "".join(out)


def para(text, style=None):
    ppr = '<w:pPr><w:pStyle w:val="%s"/></w:pPr>' % style if style else ""
    return "<w:p>%s%s</w:p>" % (ppr, runs(text))


class Doc:
    def __init__(self):
        self.body = []
        self.rels = []  # (id, type, target, external)
        self.media = []  # (name, bytes)
        self.rows = []
        self.pic = 0

    def rel(self, typ, target, external=False):
        rid = "rId%d" % (len(self.rels) + 10)
        self.rels.append((rid, typ, target, external))
        return rid

    def flush_table(self):
        if not self.rows:
            return
        ncols = max(len(r) for r in self.rows)
        grid = "".join('<w:gridCol w:w="%d"/>' % (9000 // ncols) for _ in range(ncols))
        trs = []
        for r in self.rows:
            tcs = "".join(
                '<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>%s</w:tc>'
                % (9000 // ncols, para(c)) for c in r + [""] * (ncols - len(r)))
            trs.append("<w:tr>%s</w:tr>" % tcs)
        self.body.append(
            '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
            "</w:tblPr><w:tblGrid>%s</w:tblGrid>%s</w:tbl>" % (grid, "".join(trs)))
        self.rows = []

    def image(self, attrs):
        self.pic += 1
        src = attrs.get("src", "image%d.png" % self.pic)
        name = src.rsplit("/", 1)[-1]
        self.media.append((name, PNG_1X1))
        rid = self.rel(REL_IMAGE, "media/" + name)
        descr = attrs.get("alt", "")
        title = attrs.get("title", "")
        cx, cy = 3600000, 2700000
        drawing = (
            '<w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
            '<wp:extent cx="%d" cy="%d"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
            '<wp:docPr id="%d" name="图片 %d" descr="%s" title="%s"/>'
            "<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect=\"1\"/></wp:cNvGraphicFramePr>"
            '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            '<pic:pic><pic:nvPicPr><pic:cNvPr id="%d" name="%s" descr="%s"/><pic:cNvPicPr/></pic:nvPicPr>'
            '<pic:blipFill><a:blip r:embed="%s"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
            '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="%d" cy="%d"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
            "</a:graphicData></a:graphic></wp:inline></w:drawing>"
            % (cx, cy, self.pic, self.pic, attr(descr), attr(title), self.pic, attr(name),
               attr(descr), rid, cx, cy))
        self.body.append('<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r>%s</w:r></w:p>' % drawing)

    def line(self, line):
        if line.startswith("|") and line.endswith("|") and len(line) >= 2:
            self.rows.append(line[1:-1].split("|"))
            return
        self.flush_table()
        m = IMG_RE.match(line)
        if m:
            self.image(dict(ATTR_RE.findall(m.group(1))))
            return
        m = LINK_RE.match(line)
        if m:
            rid = self.rel(REL_LINK, m.group(1), external=True)
            self.body.append('<w:p><w:hyperlink r:id="%s" w:history="1">%s</w:hyperlink></w:p>'
                             % (rid, runs(m.group(2))))
            return
        if line.startswith("[caption]"):
            self.body.append(para(line[len("[caption]"):], "Caption"))
        elif line.startswith("# "):
            self.body.append(para(line[2:], "Heading1"))
        elif CAPTION_RE.match(line):
            self.body.append(para(line, "Caption"))
        else:
            self.body.append(para(line))


STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:styles xmlns:w="%s">'
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
    '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>'
    '<w:basedOn w:val="Normal"/></w:style>'
    '<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/>'
    '<w:basedOn w:val="Normal"/></w:style>'
    '<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/></w:style>'
    "</w:styles>" % W)


def hdr_ftr(tag, text):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<w:%s %s>%s</w:%s>' % (tag, NS, para(text), tag))


def build(out, lines, title=None, header=None, footer=None):
    d = Doc()
    for line in lines:
        d.line(line.rstrip("\r\n"))
    d.flush_table()
    d.rel(REL_STYLES, "styles.xml")
    sect_refs = ""
    parts = []
    if header is not None:
        rid = d.rel(REL_HEADER, "header1.xml")
        sect_refs += '<w:headerReference w:type="default" r:id="%s"/>' % rid
        parts.append(("word/header1.xml", hdr_ftr("hdr", header)))
    if footer is not None:
        rid = d.rel(REL_FOOTER, "footer1.xml")
        sect_refs += '<w:footerReference w:type="default" r:id="%s"/>' % rid
        parts.append(("word/footer1.xml", hdr_ftr("ftr", footer)))
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        "<w:document %s><w:body>%s<w:sectPr>%s"
        '<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1800" w:bottom="1440" '
        'w:left="1800" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>'
        % (NS, "".join(d.body), sect_refs))
    rels = "".join(
        '<Relationship Id="%s" Type="%s" Target="%s"%s/>'
        % (rid, typ, attr(target), ' TargetMode="External"' if ext else "")
        for rid, typ, target, ext in d.rels)
    doc_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                "%s</Relationships>" % rels)
    overrides = "".join(
        '<Override PartName="/%s" ContentType="application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.%s+xml"/>' % (name, "header" if "header" in name else "footer")
        for name, _ in parts)
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="png" ContentType="image/png"/>'
        '<Default Extension="jpg" ContentType="image/jpeg"/>'
        '<Default Extension="jpeg" ContentType="image/jpeg"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/>'
        '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/>%s</Types>' % overrides)
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        "</Relationships>")
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">%s'
        '<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:created>'
        "</cp:coreProperties>" % ("<dc:title>%s</dc:title>" % escape(title) if title else ""))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("docProps/core.xml", core)
        z.writestr("word/document.xml", document)
        z.writestr("word/_rels/document.xml.rels", doc_rels)
        z.writestr("word/styles.xml", STYLES)
        for name, xml in parts:
            z.writestr(name, xml)
        for name, data in d.media:
            z.writestr("word/media/" + name, data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="the .docx to write")
    ap.add_argument("--title", help="document title (docProps/core.xml dc:title)")
    ap.add_argument("--header", help="text of the page header (word/header1.xml)")
    ap.add_argument("--footer", help="text of the page footer (word/footer1.xml)")
    ap.add_argument("--input", "-i", help="description file (default: stdin)")
    a = ap.parse_args()
    if a.input:
        with open(a.input, encoding="utf-8") as f:
            lines = f.read().splitlines()
    else:
        lines = sys.stdin.read().splitlines()
    build(a.out, lines, a.title, a.header, a.footer)


if __name__ == "__main__":
    main()
