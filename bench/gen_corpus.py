#!/usr/bin/env python3
"""Deterministic generator of government-style Chinese text for the speed benchmark.

Writes (under --out, default bench/work/):
  corpus.txt   one big UTF-8 file of at least --mb megabytes (10^6 bytes) of news, notices,
               work reports and reposts, documents separated by a blank line;
  docs/NNNNN.txt  --docs small documents of about 2 KB each (the review workflow's real
               workload), generated from another seed;
  small.txt    one ~2 KB document (the cached-start measurement).

The text is made from sentence templates and a vocabulary of government terms, place names,
units, dates, numbers, landlines, a few mobile numbers, document numbers and repost headers.
Lexicon-like phrases are planted at a realistic low rate: mostly inside campaign news against
them (打击网络赌博...), sometimes bare, plus words such as 拆迁/上访 that real imported lists
contain and government text uses. Same seed, same bytes.
"""
import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import govtext as V  # noqa: E402

CN_NUM = "一二三四五六七八九十"


def load_words():
    """Everyday Chinese words for prose variety: the simplified column of OpenCC's phrase table
    (Debian libopencc-data, a pubguard dependency), 2-4 common-block characters each.
    Government news covers weather, farming, festivals, health ... far beyond the template
    vocabulary; without this the text would have unrealistically few distinct bigrams."""
    import subprocess
    import tempfile
    src = "/usr/share/opencc/STPhrases.ocd2"
    if not os.path.exists(src):
        return []
    with tempfile.TemporaryDirectory() as td:
        out = os.path.join(td, "st.txt")
        subprocess.run(["opencc_dict", "-i", src, "-o", out, "-f", "ocd2", "-t", "text"],
                       check=True)
        words = []
        with open(out, encoding="utf-8") as f:
            for line in f:
                w = line.split("\t", 1)[0]
                if 2 <= len(w) <= 4 and all("\u4e00" <= ch <= "\u9fa5" for ch in w):
                    words.append(w)
    return sorted(set(words))


WORDS = []


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    # ---- small pieces ----
    def c(self, seq):
        return seq[self.r.randrange(len(seq))]

    def name(self):
        r = self.r
        g = self.c(V.GIVEN) + (self.c(V.GIVEN) if r.random() < 0.7 else "")
        return self.c(V.SURNAMES) + g

    def date(self, year=None):
        r = self.r
        y = year or r.choice((2022, 2023, 2024, 2025, 2026))
        return "%d年%d月%d日" % (y, r.randint(1, 12), r.randint(1, 28))

    def place(self):
        r = self.r.random()
        if r < 0.35:
            return self.c(V.TOWNS)
        if r < 0.55:
            return self.c(V.TOWNS) + self.c(V.VILLAGES)
        if r < 0.85:
            return self.c(V.CITIES)
        return self.c(V.PROVINCES) + self.c(V.CITIES)

    def num(self):
        r = self.r
        x = r.random()
        if x < 0.4:
            return str(r.randint(2, 99))
        if x < 0.8:
            return str(r.randint(100, 9999))
        return "%d.%d" % (r.randint(1, 999), r.randint(1, 99))

    def landline(self):
        return "0858-%d" % self.r.randint(3000000, 8999999)

    def mobile(self):
        r = self.r
        return "1%d%d%08d" % (r.choice((3, 5, 7, 8, 9)), r.randint(0, 9), r.randint(0, 99999999))

    def docno(self):
        r = self.r
        return "%s〔%d〕%d号" % (self.c(V.DOC_PREFIX), r.randint(2019, 2026), r.randint(1, 120))

    def stem(self):
        return self.c(V.STEMS)[0]

    # ---- sentences ----
    def s_news(self):
        r = self.r
        k = r.randrange(14)
        if k == 0:
            return "%s，%s%s率队到%s调研%s工作。" % (self.date(), self.c(V.OFFICIALS), self.name(),
                                              self.place(), self.c(V.TOPICS))
        if k == 1:
            return "%s召开%s工作推进会，传达学习%s文件精神，安排部署下一阶段重点工作。" % (
                self.c(V.UNITS), self.c(V.TOPICS), self.docno())
        if k == 2:
            return "会议强调，要%s，%s，确保%s各项任务落地见效。" % (
                self.c(V.VERBS), self.c(V.VERBS), self.c(V.TOPICS))
        if k == 3:
            return "截至%d月底，%s累计%s%s%s，同比增长%d.%d%%。" % (
                r.randint(1, 12), self.place(), self.c(V.ACHIEVE), self.num(), self.c(V.MEASURES),
                r.randint(1, 40), r.randint(0, 9))
        if k == 4:
            return "%s坚持以习近平新时代中国特色社会主义思想为指导，扎实推进%s，取得了阶段性成效。" % (
                self.place(), self.c(V.TOPICS))
        if k == 5:
            return "下一步，%s将继续%s，%s，推动%s高质量发展。" % (
                self.c(V.UNITS), self.c(V.VERBS), self.c(V.VERBS), self.c(V.TOPICS))
        if k == 6:
            return "在%s，工作人员详细了解了%s、%s等情况，并与基层干部群众深入交流。" % (
                self.c(V.VILLAGES), self.c(V.TOPICS), self.c(V.TOPICS))
        if k == 7:
            return "%s指出，%s是一项系统工程，各级各部门要%s，形成工作合力。" % (
                self.name(), self.c(V.TOPICS), self.c(V.VERBS))
        if k == 8:
            return "今年以来，%s共%s%s%s，惠及群众%d万余人。" % (
                self.c(V.UNITS), self.c(V.ACHIEVE), self.num(), self.c(V.MEASURES), r.randint(1, 60))
        if k == 9:
            return "活动现场，志愿者通过发放宣传资料、现场讲解等方式，向群众普及%s知识。" % (
                self.c(V.TOPICS))
        if k == 10:
            return "%s、%s、%s等相关部门负责人参加会议。" % (
                self.c(V.UNITS), self.c(V.UNITS), self.c(V.UNITS))
        if k == 11:
            return "据了解，该项目总投资%s亿元，建成后预计年产值可达%s亿元，带动就业%d人。" % (
                self.num(), self.num(), r.randint(50, 3000))
        if k == 12:
            return "针对检查中发现的%d个问题，%s现场交办、限期整改，目前已整改%d个。" % (
                r.randint(3, 80), self.c(V.UNITS), r.randint(1, 60))
        return "%s表示，将以此次%s为契机，%s，不断提升群众的获得感、幸福感、安全感。" % (
            self.c(V.UNITS), self.c(V.TOPICS), self.c(V.VERBS))

    def s_campaign(self):
        """A sentence about a campaign against something on the lists (a hard negative)."""
        r = self.r
        k = r.randrange(8)
        st = self.stem()
        if k == 0:
            return "%s公安局%s%s违法犯罪专项行动，共破获相关案件%d起，抓获犯罪嫌疑人%d名。" % (
                self.c(V.CITIES), self.c(V.AGAINST), st, r.randint(2, 90), r.randint(2, 200))
        if k == 1:
            return "提醒广大群众%s%s，发现相关线索请及时拨打举报电话%s。" % (
                self.c(V.AGAINST), st, self.landline())
        if k == 2:
            return "会议要求，要始终保持高压态势，%s%s，切实维护社会大局稳定。" % (self.c(V.AGAINST), st)
        if k == 3:
            return "%s深入社区开展“%s%s”主题宣传活动，发放宣传手册%d份。" % (
                self.c(V.UNITS), self.c(V.AGAINST), st, r.randint(100, 5000))
        if k == 4:
            return "经查，犯罪嫌疑人%s长期从事%s活动，目前已被依法刑事拘留。" % (self.name(), st)
        if k == 5:
            return "各单位要加强对干部职工的教育引导，坚决做到不参与%s、不传播%s。" % (st, self.stem())
        if k == 6:
            return "%s等%s问题仍然多发，群众反映强烈。" % (st, self.stem())
        return "%s通报了近期查处的%d起%s典型案例。" % (self.c(V.UNITS), r.randint(2, 12), st)

    def s_bait(self):
        """Everyday government sentences that use words real imported lists contain."""
        r = self.r
        k = r.randrange(8)
        if k == 0:
            return "%s依法依规做好征收拆迁安置工作，切实保障被征收群众合法权益。" % self.place()
        if k == 1:
            return "%s开展领导干部接访下访活动，共接待上访群众%d批%d人次。" % (
                self.c(V.UNITS), r.randint(2, 40), r.randint(5, 300))
        if k == 2:
            return "要持续推进根治欠薪工作，依法维护农民工维权诉求，防止因欠薪引发罢工等问题。"
        if k == 3:
            return "%s召开警示教育大会，通报%d起贪污受贿、腐败问题典型案例。" % (
                self.c(V.UNITS), r.randint(2, 9))
        if k == 4:
            return "%s开展反家庭暴力宣传，提醒群众遇到暴力侵害及时报警。" % self.c(V.UNITS)
        if k == 5:
            return "海关部门严厉打击走私、偷渡等违法行为，%d年共查获走私案件%d起。" % (
                r.randint(2022, 2026), r.randint(3, 80))
        if k == 6:
            return "坚决反对“台独”分裂活动，维护国家主权和领土完整。"
        return "%s组织开展反恐怖袭击应急演练，提升处置突发事件能力。" % self.c(V.UNITS)

    def s_wording(self):
        """Wording-list phrases: historical institution names (correct) and, rarely, typos."""
        r = self.r
        if r.random() < 0.8:
            return "原%s相关职责已于2018年机构改革中划转。" % self.c(V.OUTDATED)
        return "全市上下要深入开展%s工作。" % self.c(V.TYPOS)

    def s_prose(self):
        """A sentence with everyday vocabulary around government connectives."""
        r = self.r
        w = lambda: WORDS[r.randrange(len(WORDS))]  # noqa: E731
        k = r.randrange(5)
        if k == 0:
            return "%s的%s%s和%s，%s%s%s。" % (self.place(), w(), w(), w(), r.choice(
                ("进一步", "不断", "有效", "逐步")), w(), w())
        if k == 1:
            return "活动中，%s向群众介绍了%s、%s、%s等方面的情况。" % (self.c(V.UNITS), w(), w(), w())
        if k == 2:
            return "%s，%s%s，%s%s，%s。" % (w(), w(), w(), w(), w(), w() + w())
        if k == 3:
            return "据%s介绍，%s%s%s，%s%s的%s。" % (self.name(), w(), w(), w(), w(), w(), w())
        return "“%s%s，%s%s。”%s%s说。" % (w(), w(), w(), w(), self.c(V.VILLAGES), self.name())

    def sentence(self):
        x = self.r.random()
        if WORDS and x > 0.88:
            return self.s_prose()
        if x < 0.018:
            return self.s_campaign()
        if x < 0.026:
            return self.s_bait()
        if x < 0.0275:
            return self.s_wording()
        if x < 0.028:  # a bare listed phrase: the rare real violation
            return "%s%s。" % (self.c(V.LEX_PREFIX), self.stem())
        return self.s_news()

    def paragraph(self, n):
        return "".join(self.sentence() for _ in range(n))

    # ---- documents ----
    def doc_news(self, paras):
        r = self.r
        t = "%s%s%s" % (self.place(), r.choice(("扎实推进", "全力推进", "部署", "召开会议研究", "专题调度")),
                       self.c(V.TOPICS) + "工作")
        head = "%s\n发布时间：%s %02d:%02d  来源：%s  作者：%s\n" % (
            t, self.date(), r.randint(8, 20), r.randint(0, 59), self.c(V.UNITS), self.name())
        body = "\n".join("　　" + self.paragraph(r.randint(2, 6)) for _ in range(paras))
        tail = "\n（责任编辑：%s  审核：%s）\n" % (self.name(), self.name())
        return head + body + tail

    def doc_notice(self, paras):
        r = self.r
        unit = self.c(V.UNITS)
        lines = ["%s关于%s的通知" % (unit, r.choice(V.PURPOSES).replace("进一步", "")),
                 self.docno(), "各乡（镇、街道），市直各部门，各有关单位：",
                 "　　为%s，根据《%s》有关规定，经研究，决定开展%s专项行动。现将有关事项通知如下：" % (
                     self.c(V.PURPOSES), self.c(V.LAWS), self.c(V.TOPICS))]
        for i in range(paras):
            lines.append("　　%s、%s" % (CN_NUM[i % 10], self.c(V.TOPICS)))
            lines.append("　　（一）" + self.paragraph(r.randint(1, 3)))
            if r.random() < 0.5:
                lines.append("　　（二）" + self.paragraph(r.randint(1, 3)))
        lines.append("　　请各单位于%s前将%s报送至%s，联系人：%s，联系电话：%s%s。" % (
            self.date(), self.c(V.MATERIALS), unit, self.name(), self.landline(),
            "，" + self.mobile() if r.random() < 0.15 else ""))
        lines.append("　　附件：%s" % self.c(V.MATERIALS))
        lines.append("%s\n%s" % (unit, self.date()))
        return "\n".join(lines) + "\n"

    def doc_report(self, paras):
        r = self.r
        y = r.randint(2022, 2025)
        lines = ["%s%d年工作总结和%d年工作计划" % (self.c(V.UNITS), y, y + 1),
                 "　　%d年，在市委、市政府的坚强领导下，%s%s，各项工作取得新成效。现将有关情况报告如下：" % (
                     y, self.c(V.UNITS), self.c(V.VERBS))]
        for i in range(paras):
            lines.append("　　%s、%s" % (CN_NUM[i % 10], r.choice(("主要工作及成效", "存在的问题",
                                                                "下一步工作打算", self.c(V.TOPICS)))))
            lines.append("　　" + self.paragraph(r.randint(2, 5)))
            if r.random() < 0.4:
                lines.append("　　%s%s%s%s，完成年度目标任务的%d%%。" % (
                    self.c(V.ACHIEVE), self.num(), self.c(V.MEASURES),
                    "", r.randint(80, 130)))
        return "\n".join(lines) + "\n"

    def doc_repost(self, paras):
        r = self.r
        src = self.c(V.SOURCES)
        head = "%s印发《关于%s的实施意见》\n%s\n来源：%s  转载时间：%s %02d:%02d\n原文链接：https://%s/zhengce/content/%d-%02d/%d.htm\n" % (
            r.choice(("国务院办公厅", "省人民政府办公厅", "市人民政府办公室")), self.c(V.TOPICS),
            self.docno(), src, self.date(), r.randint(8, 20), r.randint(0, 59), self.c(V.DOMAINS),
            r.randint(2022, 2026), r.randint(1, 12), r.randint(100000, 999999))
        body = "\n".join("　　" + self.paragraph(r.randint(2, 5)) for _ in range(paras))
        return head + body + "\n"

    def document(self, paras):
        x = self.r.random()
        if x < 0.5:
            return self.doc_news(paras)
        if x < 0.72:
            return self.doc_notice(paras)
        if x < 0.88:
            return self.doc_report(paras)
        return self.doc_repost(paras)

    def sized_document(self, target):
        """One document close to target bytes (for the ~2 KB review-workflow documents)."""
        d = self.document(1)
        while len(d.encode()) < target * 0.8:
            d += "　　" + self.paragraph(self.r.randint(1, 3)) + "\n"
        return d


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "work"))
    ap.add_argument("--mb", type=float, default=105.0, help="size of corpus.txt in 10^6 bytes")
    ap.add_argument("--docs", type=int, default=5000, help="number of ~2 KB documents")
    ap.add_argument("--seed", type=int, default=20261130)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    WORDS.extend(load_words())

    g = Gen(a.seed)
    want = int(a.mb * 1e6)
    total = 0
    tmp = os.path.join(a.out, "corpus.txt.tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        buf = []
        pending = 0
        while total < want:
            d = g.document(g.r.randint(2, 8)) + "\n"
            n = len(d.encode())
            buf.append(d)
            pending += n
            total += n
            if pending > 4 << 20:
                f.write("".join(buf))
                buf, pending = [], 0
        f.write("".join(buf))
    os.replace(tmp, os.path.join(a.out, "corpus.txt"))

    ddir = os.path.join(a.out, "docs")
    os.makedirs(ddir, exist_ok=True)
    for old in os.listdir(ddir):
        os.unlink(os.path.join(ddir, old))
    g2 = Gen(a.seed + 1)
    dbytes = 0
    for i in range(a.docs):
        d = g2.sized_document(2048)
        dbytes += len(d.encode())
        with open(os.path.join(ddir, "%05d.txt" % i), "w", encoding="utf-8", newline="\n") as f:
            f.write(d)
    with open(os.path.join(a.out, "small.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write(Gen(a.seed + 2).sized_document(2048))
    print("gen_corpus: corpus.txt %d bytes, %d docs %d bytes (avg %d)" % (
        total, a.docs, dbytes, dbytes // max(a.docs, 1)), file=sys.stderr)


if __name__ == "__main__":
    main()
