#!/usr/bin/env python3
"""Deterministic Chinese government website for the patrol benchmark (docs/BENCHMARKS.md, "Patrol").

Writes OUT/site/ (files served by serve.c) and OUT/site.json (what was planted). Same arguments,
same bytes: every page draws from random.Random(seed, page number).

  home /index.html          navigation of 20 columns x 4 sub-columns, latest news, footer
  /cCC/index.html           column landing page: the latest entries of its sub-columns
  /cCC/sS/index[_k].html    dated list pages of a sub-column, 20 entries each, paginated
  /cCC/sS/YYYYMM/tNNNNNN.html   articles (PubDate meta, text, images, attachments);
                            every 7th article is GBK-encoded (.htm, charset=gb2312)
  images .jpg/.png, attachments .pdf/.doc/.xls; some links point at files that do not exist
  (broken internal links); external links go to http://127.0.0.1:EXT_PORT/ (serve.c's second
  server: /gone/... answers 404).
Pages average ~58 KB like real CMS pages (inline CSS and scripts, navigation, footer).

usage: gen_site.py --out DIR --pages N --ext-port PORT [--seed 4]
"""
import argparse
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)) + "/..")
import govtext  # noqa: E402  (vocabulary shared with the checker benchmark)

NCOL, NSUB, PER_LIST = 20, 4, 20
COLUMNS = ["要闻动态", "部门动态", "乡镇动态", "通知公告", "政策文件", "政策解读", "人事信息", "规划计划",
           "财政信息", "重点领域", "建议提案", "应急管理", "统计信息", "政务服务", "互动交流", "专题专栏",
           "走进本市", "招商引资", "营商环境", "公共服务"]
SUBS = ["工作动态", "图片新闻", "媒体聚焦", "公示公告"]
KINDS = ["news", "news", "news", "notice", "policy", "policy", "notice", "policy", "notice", "notice",
         "notice", "news", "notice", "other", "other", "news", "other", "news", "news", "other"]


def css_block():
    """Inline stylesheet of a CMS template (~11 KB)."""
    out = []
    sel = ["header", "nav", "footer", "main", "list", "item", "title", "date", "banner", "tab", "box",
           "side", "crumb", "pager", "search", "logo", "menu", "sub", "more", "art"]
    props = ["margin:0 auto", "padding:0 10px", "color:#333", "font-size:14px", "line-height:28px",
             "background:#f5f5f5", "border-bottom:1px solid #e5e5e5", "float:left", "overflow:hidden",
             "text-align:center", "width:1200px", "height:40px", "display:block", "position:relative"]
    r = random.Random(7)  # the template is the same on every page
    for i in range(190):
        a, b = r.choice(sel), r.choice(sel)
        out.append(f".{a}-{b}{i % 17} .{b}{i % 5}{{{';'.join(r.sample(props, 3))}}}")
    return "<style type=\"text/css\">\n" + "\n".join(out) + "\n</style>\n"


CSS = css_block()
SCRIPT = ("<script type=\"text/javascript\">\n" + "\n".join(
    f"var _cfg{i} = {{siteId: 'gov{i % 7}', channel: {i}, stat: 'https://stat.example.invalid/s.gif?c={i}'}};"
    f" function _pv{i}(a,b){{ if(!a){{return b;}} var c = a.split('_'); return c.length > {i % 9} ? c[{i % 9}] : b; }}"
    for i in range(40)) + "\n</script>\n")


def sentence(rng):
    g = govtext
    k = rng.randrange(5)
    if k == 0:
        return f"{rng.choice(g.UNITS)}{rng.choice(g.VERBS)}，扎实推进{rng.choice(g.TOPICS)}工作。"
    if k == 1:
        return (f"今年以来，全市累计{rng.choice(g.ACHIEVE)}{rng.randrange(2, 900)}{rng.choice(g.MEASURES)}，"
                f"同比增长{rng.randrange(1, 30)}.{rng.randrange(10)}%。")
    if k == 2:
        return f"会议要求，各{rng.choice(['乡镇', '街道', '部门', '单位'])}要{rng.choice(g.PURPOSES)}，确保各项任务落到实处。"
    if k == 3:
        return (f"{rng.choice(g.OFFICIALS)}{rng.choice(g.SURNAMES)}{rng.choice(g.GIVEN)}到"
                f"{rng.choice(g.TOWNS)}{rng.choice(g.VILLAGES)}调研{rng.choice(g.TOPICS)}工作。")
    return f"依据《{rng.choice(g.LAWS)}》，{rng.choice(g.UNITS)}组织开展{rng.choice(g.TOPICS)}专项行动。"


def paragraphs(rng, nbytes):
    out, size = [], 0
    while size < nbytes:
        p = "".join(sentence(rng) for _ in range(rng.randrange(3, 7)))
        out.append(f"<p style=\"text-indent:2em\">{p}</p>")
        size += len(p.encode()) + 30
    return "\n".join(out)


class Site:
    def __init__(self, n_pages, ext_port, seed):
        self.seed = seed
        self.ext = f"http://127.0.0.1:{ext_port}"
        self.subs = [(c, s) for c in range(NCOL) for s in range(NSUB)]
        # articles A and list pages: 1 + NCOL + lists + A = n_pages
        a = n_pages - 1 - NCOL
        while a + sum(self.list_pages(a, i) for i in range(len(self.subs))) > n_pages - 1 - NCOL:
            a -= 1
        self.n_articles = a
        # article i belongs to sub-column i % 80; its rank within the sub is i // 80 (newest first)
        self.pad_lists = n_pages - 1 - NCOL - a - sum(self.list_pages(a, i) for i in range(len(self.subs)))
        self.planted = {"pages": n_pages, "articles": a, "broken_internal": [], "broken_external": [],
                        "images": 0, "files": 0, "external_ok": set(), "gbk_pages": 0}

    def per_sub(self, a, i):
        return a // len(self.subs) + (1 if i < a % len(self.subs) else 0)

    def list_pages(self, a, i):
        return max(1, (self.per_sub(a, i) + PER_LIST - 1) // PER_LIST)

    def sub_of(self, art):
        return art % len(self.subs), art // len(self.subs)

    def art_date(self, art):
        """Newest first within a sub-column; three columns stale (their last item in 2025)."""
        si, rank = self.sub_of(art)
        c = self.subs[si][0]
        base = 20261130 if c not in (9, 14, 18) else 20250610
        day = rank * 3 + si % 3
        y, m, d = base // 10000, base // 100 % 100, base % 100
        # walk back `day` days (30-day months are close enough for the calendar: clamp to 28)
        total = (y * 12 + m - 1) * 28 + min(d, 28) - 1 - day
        y, rest = divmod(total, 12 * 28)
        m, d = divmod(rest, 28)
        return y, m + 1, d + 1

    def art_url(self, art):
        si, _ = self.sub_of(art)
        c, s = self.subs[si]
        y, m, _ = self.art_date(art)
        ext = "htm" if art % 7 == 3 else "html"
        return f"/c{c:02d}/s{s}/{y}{m:02d}/t{art:06d}.{ext}"

    def title(self, art):
        rng = random.Random(self.seed * 1000003 + art)
        return f"{rng.choice(govtext.UNITS)}召开{rng.choice(govtext.TOPICS)}工作推进会"

    def list_url(self, si, k):
        c, s = self.subs[si]
        return f"/c{c:02d}/s{s}/index.html" if k == 0 else f"/c{c:02d}/s{s}/index_{k}.html"

    # -- shared parts ------------------------------------------------------------------------
    def head(self, title, meta):
        return (f"<!DOCTYPE html>\n<html lang=\"zh-CN\"><head>\n<meta charset=\"{{charset}}\">\n"
                f"<meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">\n<title>{title}</title>\n"
                f"<meta name=\"SiteName\" content=\"某市人民政府门户网站\">\n<meta name=\"SiteDomain\" content=\"www.example.gov.cn\">\n"
                f"<meta name=\"SiteIDCode\" content=\"5202000001\">\n{meta}"
                f"<link rel=\"stylesheet\" href=\"/css/main.css\">\n{CSS}{SCRIPT}</head>\n<body>\n")

    def nav(self):
        out = ["<div class=\"header\"><div class=\"topbar\"><a href=\"/index.html\">首页</a>"
               "<a href=\"/c16/s0/index.html\">无障碍浏览</a><a href=\"/c13/s0/index.html\">长者模式</a>"
               f"<a href=\"{self.ext}/gov/weibo/\">政务微博</a><a href=\"{self.ext}/gov/wechat/\">政务微信</a></div>",
               "<div class=\"logo\"><img src=\"/images/logo.png\" alt=\"某市人民政府\"></div>",
               "<nav class=\"menu\"><ul class=\"nav-list\">"]
        for c in range(NCOL):
            subs = "".join(f"<li><a href=\"{self.list_url(c * NSUB + s, 0)}\" target=\"_blank\">{SUBS[s]}</a></li>"
                           for s in range(NSUB))
            out.append(f"<li class=\"nav-item\"><a href=\"/c{c:02d}/index.html\">{COLUMNS[c]}</a>"
                       f"<ul class=\"sub\">{subs}</ul></li>")
        out.append("</ul></nav></div>\n<div class=\"search\"><input name=\"q\" placeholder=\"请输入关键字\"><button>搜索</button></div>\n")
        return "\n".join(out)

    def footer(self):
        links = "".join(f"<li><a href=\"{self.ext}/gov/site{k}/\" target=\"_blank\">{d}</a></li>"
                        for k, d in enumerate(govtext.SOURCES * 3))
        for k in range(len(govtext.SOURCES) * 3):
            self.planted["external_ok"].add(f"{self.ext}/gov/site{k}/")
        self.planted["external_ok"].update({f"{self.ext}/gov/weibo/", f"{self.ext}/gov/wechat/"})
        return ("<div class=\"footer\"><div class=\"links\"><span>政府网站</span><ul>" + links + "</ul></div>"
                "<p>主办：某市人民政府办公室 承办：某市大数据发展管理局</p>"
                "<p>地址：某市钟山区明湖路1号 邮编：553001 电话：0858-8221234 传真：0858-8221235</p>"
                "<p>网站标识码：5202000001 黔ICP备05000001号-1 黔公网安备 52020102000001号</p>"
                "<a href=\"/c14/s3/index.html\"><img src=\"/images/jiucuo.png\" alt=\"政府网站找错\"></a>"
                "</div>\n</body></html>\n")

    def side(self, rng):
        items = []
        for _ in range(10):
            art = rng.randrange(min(self.n_articles, len(self.subs) * 5))  # recent ones
            items.append(f"<li><a href=\"{self.art_url(art)}\" title=\"{self.title(art)}\">{self.title(art)}</a></li>")
        return "<div class=\"side\"><h3>热点关注</h3><ul>" + "".join(items) + "</ul></div>\n"

    # -- pages -------------------------------------------------------------------------------
    def entry(self, art, summary_rng=None):
        y, m, d = self.art_date(art)
        summ = f"<p class=\"summary\">{sentence(summary_rng)}{sentence(summary_rng)}</p>" if summary_rng else ""
        return (f"<li><a href=\"{self.art_url(art)}\" target=\"_blank\" title=\"{self.title(art)}\">"
                f"{self.title(art)}</a><span class=\"date\">{y}-{m:02d}-{d:02d}</span>{summ}</li>")

    def sub_articles(self, si):
        return list(range(si, self.n_articles, len(self.subs)))

    def home(self):
        rng = random.Random(self.seed * 7 + 1)
        lists = []
        for c in range(NCOL):
            arts = self.sub_articles(c * NSUB)[:8]
            lists.append(f"<div class=\"box\"><h2><a href=\"/c{c:02d}/index.html\">{COLUMNS[c]}</a>"
                         f"<a class=\"more\" href=\"/c{c:02d}/index.html\">更多</a></h2><ul class=\"list\">"
                         + "".join(self.entry(a) for a in arts) + "</ul></div>")
        banner = "".join(f"<a href=\"{self.art_url(a)}\"><img src=\"/images/banner{k}.jpg\" alt=\"{self.title(a)}\"></a>"
                         for k, a in enumerate(range(0, min(5, self.n_articles))))
        body = (self.nav() + f"<div class=\"banner\">{banner}</div>\n" + "\n".join(lists) + self.side(rng)
                + paragraphs(rng, 6000))
        return self.head("某市人民政府门户网站", "") + body + self.footer()

    def column(self, c):
        rng = random.Random(self.seed * 7919 + c)
        meta = (f"<meta name=\"ColumnName\" content=\"{COLUMNS[c]}\">\n"
                f"<meta name=\"ColumnType\" content=\"{KINDS[c]}\">\n")
        boxes = []
        for s in range(NSUB):
            si = c * NSUB + s
            boxes.append(f"<div class=\"box\"><h2><a href=\"{self.list_url(si, 0)}\">{SUBS[s]}</a></h2>"
                         "<ul class=\"list\">" + "".join(self.entry(a, rng) for a in self.sub_articles(si)[:10])
                         + "</ul></div>")
        return (self.head(COLUMNS[c], meta) + self.nav() + f"<div class=\"crumb\"><a href=\"/index.html\">首页</a> &gt; {COLUMNS[c]}</div>"
                + "\n".join(boxes) + self.side(rng) + self.footer())

    def list_page(self, si, k, npages):
        c, s = self.subs[si]
        rng = random.Random(self.seed * 104729 + si * 1000 + k)
        arts = self.sub_articles(si)[k * PER_LIST:(k + 1) * PER_LIST]
        meta = (f"<meta name=\"ColumnName\" content=\"{SUBS[s]}\">\n"
                f"<meta name=\"ColumnType\" content=\"{KINDS[c]}\">\n")
        pager = [f"<a href=\"{self.list_url(si, 0)}\">首页</a>"]
        if k > 0:
            pager.append(f"<a href=\"{self.list_url(si, k - 1)}\">上一页</a>")
        for j in range(max(0, k - 3), min(npages, k + 4)):
            pager.append(f"<a href=\"{self.list_url(si, j)}\">{j + 1}</a>")
        if k + 1 < npages:
            pager.append(f"<a href=\"{self.list_url(si, k + 1)}\">下一页</a>")
        pager.append(f"<a href=\"{self.list_url(si, npages - 1)}\">尾页</a><span>共{npages}页</span>")
        return (self.head(f"{SUBS[s]}_{COLUMNS[c]}", meta) + self.nav()
                + f"<div class=\"crumb\"><a href=\"/index.html\">首页</a> &gt; <a href=\"/c{c:02d}/index.html\">{COLUMNS[c]}</a> &gt; {SUBS[s]}</div>"
                + "<ul class=\"list\">" + "".join(self.entry(a, rng) for a in arts) + "</ul>"
                + "<div class=\"pager\">" + "".join(pager) + "</div>" + self.side(rng) + self.footer())

    def article(self, art):
        rng = random.Random(self.seed * 15485863 + art)
        si, _ = self.sub_of(art)
        c, s = self.subs[si]
        y, m, d = self.art_date(art)
        dirp = os.path.dirname(self.art_url(art))
        meta = (f"<meta name=\"ColumnName\" content=\"{SUBS[s]}\">\n<meta name=\"ColumnType\" content=\"{KINDS[c]}\">\n"
                f"<meta name=\"ArticleTitle\" content=\"{self.title(art)}\">\n"
                f"<meta name=\"PubDate\" content=\"{y}-{m:02d}-{d:02d} {rng.randrange(8, 18):02d}:{rng.randrange(60):02d}\">\n")
        mrng = random.Random(self.seed * 31 + art)  # media draws (replayed by main() to write the files)
        media = []
        if mrng.random() < 0.7:
            media.append(f"<p style=\"text-align:center\"><img src=\"{dirp}/W{art:06d}_1.jpg\" alt=\"{self.title(art)}\"></p>")
            self.planted["images"] += 1
        files = []
        if mrng.random() < 0.6:
            ext = mrng.choice(["pdf", "doc", "xls", "docx"])
            files.append(f"<li><a href=\"/uploads/files/{art:06d}_1.{ext}\">附件1：{rng.choice(govtext.MATERIALS)}.{ext}</a></li>")
            self.planted["files"] += 1
        if art % 20 == 11:  # ~5%: an attachment that was never uploaded
            u = f"/uploads/files/{art:06d}_9.pdf"
            files.append(f"<li><a href=\"{u}\">附件2：{rng.choice(govtext.MATERIALS)}.pdf</a></li>")
            self.planted["broken_internal"].append(u)
        src = ""
        if art % 13 == 5:
            k = art // 13
            if k % 6 == 0:
                u = f"{self.ext}/gone/news{k}.html"
                self.planted["broken_external"].append(u)
            else:
                u = f"{self.ext}/news/{k}.html"
                self.planted["external_ok"].add(u)
            src = f"<p class=\"source\">来源：<a href=\"{u}\" target=\"_blank\">{rng.choice(govtext.SOURCES)}</a></p>"
        related = "".join(self.entry(a) for a in self.sub_articles(si)[max(0, art // len(self.subs) - 5):][:6] if a != art)
        body = paragraphs(rng, 20000 + rng.randrange(8000))
        return (self.head(f"{self.title(art)}_{SUBS[s]}_{COLUMNS[c]}", meta) + self.nav()
                + f"<div class=\"crumb\"><a href=\"/index.html\">首页</a> &gt; <a href=\"/c{c:02d}/index.html\">{COLUMNS[c]}</a> &gt; "
                f"<a href=\"{self.list_url(si, 0)}\">{SUBS[s]}</a></div>"
                f"<div class=\"art\"><h1>{self.title(art)}</h1><div class=\"info\"><span>发布时间：{y}-{m:02d}-{d:02d}</span>"
                f"<span>来源：{rng.choice(govtext.UNITS)}</span><span>浏览次数：<script>document.write(_pv1('a_{art}', 0))</script></span></div>"
                + "\n".join(media) + body + src
                + (f"<ul class=\"files\">{''.join(files)}</ul>" if files else "")
                + f"<div class=\"related\"><h3>相关文章</h3><ul>{related}</ul></div></div>" + self.side(rng) + self.footer())


def write(root, url, text, gbk=False):
    path = root + url
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if gbk:
        data = text.replace("{charset}", "gb2312").encode("gbk", errors="xmlcharrefreplace")
    else:
        data = text.replace("{charset}", "utf-8").encode()
    with open(path, "wb") as f:
        f.write(data)
    return len(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--pages", type=int, default=5000)
    ap.add_argument("--ext-port", type=int, required=True)
    ap.add_argument("--seed", type=int, default=4)
    a = ap.parse_args()
    if a.pages < 200:
        sys.exit("gen_site.py: --pages must be at least 200")
    root = os.path.join(a.out, "site")
    site = Site(a.pages, a.ext_port, a.seed)
    total = pages = 0
    total += write(root, "/index.html", site.home())
    pages += 1
    for c in range(NCOL):
        total += write(root, f"/c{c:02d}/index.html", site.column(c))
        pages += 1
    for si in range(len(site.subs)):
        n = site.list_pages(site.n_articles, si)
        # pad the page count exactly: the first sub-columns get extra (empty-tail) list pages
        extra = 1 if si < site.pad_lists else 0
        for k in range(n + extra):
            total += write(root, site.list_url(si, k), site.list_page(si, k, n + extra))
            pages += 1
    for art in range(site.n_articles):
        url = site.art_url(art)
        gbk = url.endswith(".htm")
        site.planted["gbk_pages"] += gbk
        total += write(root, url, site.article(art), gbk)
        pages += 1
    # binary files: images and attachments (small; one shared body per kind)
    img = bytes(random.Random(1).randrange(256) for _ in range(2048))
    doc = b"%PDF-1.4\n" + bytes(random.Random(2).randrange(256) for _ in range(6000))
    for name in ["logo.png", "jiucuo.png"] + [f"banner{k}.jpg" for k in range(5)]:
        os.makedirs(root + "/images", exist_ok=True)
        with open(root + "/images/" + name, "wb") as f:
            f.write(img)
    for art in range(site.n_articles):
        rng = random.Random(site.seed * 31 + art)  # replay the article's media draws
        dirp = os.path.dirname(site.art_url(art))
        if rng.random() < 0.7:
            with open(f"{root}{dirp}/W{art:06d}_1.jpg", "wb") as f:
                f.write(img)
        if rng.random() < 0.6:
            ext = rng.choice(["pdf", "doc", "xls", "docx"])
            os.makedirs(root + "/uploads/files", exist_ok=True)
            with open(f"{root}/uploads/files/{art:06d}_1.{ext}", "wb") as f:
                f.write(doc)
    with open(root + "/robots.txt", "w") as f:
        f.write("User-agent: *\nDisallow:\n")
    os.makedirs(root + "/css", exist_ok=True)
    with open(root + "/css/main.css", "w") as f:
        f.write("body{margin:0}\n")
    p = site.planted
    summary = {"pages": pages, "html_bytes": total, "articles": p["articles"], "gbk_pages": p["gbk_pages"],
               "images": p["images"] + 7, "files": p["files"],
               "broken_internal": len(p["broken_internal"]), "broken_external": len(p["broken_external"]),
               "external_ok": len(p["external_ok"])}
    summary["distinct_links"] = (pages + summary["images"] + summary["files"] + summary["broken_internal"]
                                 + summary["broken_external"] + summary["external_ok"] + 1)  # + main.css
    with open(os.path.join(a.out, "site.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
