"""Vocabulary and sentence templates for the benchmark's synthetic government-style Chinese text.

Shared by gen_corpus.py (the text) and gen_lexicon.py (the phrase lists), so that the lexicons
contain phrases that really occur in the corpus (at the rates the corpus generator plants them)
next to the many that never do, as in a real imported "sensitive word" list.

Everything here is deterministic given a random.Random instance.
"""

# ---------------------------------------------------------------------------------------------
# Places, units, people
# ---------------------------------------------------------------------------------------------
PROVINCES = ["贵州省", "四川省", "云南省", "湖南省", "广西壮族自治区", "重庆市", "湖北省", "江西省"]
CITIES = ["六盘水市", "盘州市", "遵义市", "安顺市", "毕节市", "铜仁市", "黔西南州", "黔南州",
          "凯里市", "兴义市", "都匀市", "水城区", "钟山区", "六枝特区", "仁怀市", "赤水市"]
TOWNS = ["红果街道", "两河街道", "亦资街道", "翰林街道", "沙沱街道", "胜境街道", "柏果镇",
         "刘官街道", "石桥镇", "鸡场坪镇", "保田镇", "民主镇", "大山镇", "乌蒙镇", "英武镇",
         "平关镇", "响水镇", "断江镇", "忠义乡", "普古彝族苗族乡", "淤泥彝族乡", "坪地彝族乡",
         "旧营白族彝族苗族乡", "珠东街道", "老厂镇", "竹海镇", "盘关镇", "火铺镇", "新民镇"]
VILLAGES = ["岩博村", "舍烹村", "娘娘山社区", "黄家营村", "水塘村", "新田村", "双凤村", "坪上村",
            "大坪子村", "沙坡村", "长田村", "龙场村", "松林村", "杨家湾村", "干河村", "高官村"]
UNITS = ["市委办公室", "市政府办公室", "市委宣传部", "市委组织部", "市委网信办", "市发展和改革局",
         "市教育局", "市科技局", "市工业和信息化局", "市公安局", "市民政局", "市司法局", "市财政局",
         "市人力资源和社会保障局", "市自然资源局", "市生态环境局", "市住房和城乡建设局",
         "市交通运输局", "市水务局", "市农业农村局", "市商务局", "市文化广电旅游局",
         "市卫生健康局", "市退役军人事务局", "市应急管理局", "市审计局", "市市场监督管理局",
         "市统计局", "市医疗保障局", "市林业局", "市乡村振兴局", "市政务服务中心",
         "市投资促进局", "市大数据发展管理局", "市能源局", "市信访局", "市档案馆",
         "市融媒体中心", "市总工会", "团市委", "市妇联", "市残联", "市红十字会", "市消防救援大队",
         "市人民法院", "市人民检察院", "市税务局", "市气象局", "市供电局", "红果经济开发区管委会"]
OFFICIALS = ["市委书记", "市长", "市委副书记", "常务副市长", "副市长", "市委常委、宣传部部长",
             "市人大常委会主任", "市政协主席", "市委常委、组织部部长", "市委常委、政法委书记",
             "局长", "党组书记、局长", "副局长", "镇党委书记", "镇长", "街道党工委书记", "主任"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"

# ---------------------------------------------------------------------------------------------
# Topics, phrases, actions
# ---------------------------------------------------------------------------------------------
TOPICS = ["乡村振兴", "巩固拓展脱贫攻坚成果", "营商环境优化", "安全生产", "森林防火", "防汛抗旱",
          "基层治理", "城市更新", "招商引资", "重大项目建设", "民生实事", "生态环境保护",
          "河长制", "林长制", "耕地保护", "粮食安全", "农村人居环境整治", "文明城市创建",
          "全民健身", "义务教育", "医疗卫生服务", "养老服务", "就业创业", "社会保障",
          "政务公开", "数字政府建设", "政务服务“一网通办”", "食品药品安全", "消防安全",
          "道路交通安全", "矿山安全", "燃气安全", "自建房安全隐患排查", "网络安全",
          "意识形态工作", "党风廉政建设", "作风建设", "干部队伍建设", "基层党组织建设",
          "民族团结进步创建", "法治政府建设", "普法宣传", "扫黑除恶常态化", "平安建设",
          "信访工作", "矛盾纠纷排查化解", "文化旅游融合", "产业结构调整", "新型工业化",
          "新型城镇化", "农业现代化", "煤电一体化", "能源保供", "绿色低碳转型", "校园安全",
          "未成年人保护", "老旧小区改造", "保障性住房", "根治欠薪", "退役军人服务保障",
          "防止返贫监测", "易地扶贫搬迁后续扶持", "农村饮水安全", "集体经济发展",
          "人才引进", "科技创新", "统计执法", "审计整改", "国有资产管理", "财政预算执行"]
VERBS = ["深入学习贯彻党的二十大精神", "坚持以人民为中心的发展思想", "压紧压实工作责任",
         "强化统筹调度", "加强部门协调联动", "坚持问题导向", "聚焦重点难点", "建立健全长效机制",
         "全面排查风险隐患", "狠抓工作落实", "加大督导检查力度", "细化工作措施",
         "切实增强责任感和紧迫感", "持续优化服务流程", "严格落实主体责任", "强化宣传引导",
         "坚持底线思维", "提高政治站位", "主动担当作为", "抓实抓细各项工作", "加快项目建设进度",
         "强化要素保障", "推动工作提质增效", "坚持标本兼治", "扎实做好各项准备工作",
         "强化跟踪问效", "认真梳理存在问题", "建立问题清单和责任清单", "加强人员培训",
         "做好应急值守", "落实24小时值班制度", "及时回应群众关切", "畅通群众诉求渠道"]
ACHIEVE = ["完成固定资产投资", "新增城镇就业", "发放补助资金", "培训农村劳动力", "排查隐患",
           "整改问题", "开展宣传活动", "发放宣传资料", "接待群众来访", "办结群众诉求",
           "新建农村公路", "改造老旧小区", "新增市场主体", "引进招商项目", "完成植树造林",
           "救助困难群众", "开展义诊", "接种疫苗", "检查企业", "处理案件", "受理政务服务事项"]
MEASURES = ["亿元", "万元", "人次", "个", "家", "公里", "户", "项", "处", "份", "场", "起", "亩", "万人次"]
LAWS = ["中华人民共和国安全生产法", "中华人民共和国网络安全法", "中华人民共和国政府信息公开条例",
        "中华人民共和国突发事件应对法", "中华人民共和国森林法", "中华人民共和国行政处罚法",
        "中华人民共和国保守国家秘密法", "中华人民共和国个人信息保护法", "互联网信息服务管理办法",
        "网络信息内容生态治理规定", "党政机关公文处理工作条例", "优化营商环境条例",
        "贵州省安全生产条例", "中华人民共和国未成年人保护法", "中华人民共和国反电信网络诈骗法"]
MATERIALS = ["工作总结", "自查报告", "统计报表", "整改台账", "推荐名单", "项目申报材料",
             "工作进展情况", "典型案例", "经验做法", "信息报送表", "资金使用情况", "责任清单"]
PURPOSES = ["进一步加强安全生产工作", "扎实做好森林防灭火工作", "规范政务信息发布管理",
            "做好年度考核工作", "推动重点工作落地见效", "切实保障人民群众生命财产安全",
            "做好节假日期间值班值守工作", "加强全市网络意识形态阵地建设", "提升政务服务效能",
            "做好防汛救灾各项准备工作", "做好冬春季节火灾防控工作", "开展专项整治行动"]
SOURCES = ["人民日报", "新华社", "贵州日报", "六盘水日报", "中国政府网", "贵州省人民政府网",
           "六盘水市人民政府网", "盘州市人民政府网", "央视新闻", "多彩贵州网", "当代先锋网"]
DOMAINS = ["www.gov.cn", "www.guizhou.gov.cn", "www.gzlps.gov.cn", "www.panzhou.gov.cn",
           "www.news.cn", "www.people.com.cn", "www.gog.cn", "www.ddcpc.cn"]
DOC_PREFIX = ["国发", "国办发", "黔府发", "黔府办发", "六盘水府发", "盘府发", "盘府办发", "盘党发",
              "盘委办发", "黔党发", "中办发", "盘安委办", "盘应急发", "盘教发"]

# ---------------------------------------------------------------------------------------------
# Sensitive vocabulary. STEMS occur in government text (mostly in campaign news *against* them),
# so a lexicon that contains them matches real documents; the combinations built from them in
# gen_lexicon.py mostly do not.  (stem, category)
# ---------------------------------------------------------------------------------------------
STEMS = [
    ("网络赌博", "prohibited.obscene_gambling_violence_terror"),
    ("跨境赌博", "prohibited.obscene_gambling_violence_terror"),
    ("聚众赌博", "prohibited.obscene_gambling_violence_terror"),
    ("六合彩", "prohibited.obscene_gambling_violence_terror"),
    ("赌博网站", "prohibited.obscene_gambling_violence_terror"),
    ("私彩", "prohibited.obscene_gambling_violence_terror"),
    ("电信网络诈骗", "prohibited.other_illegal"),
    ("刷单返利", "prohibited.other_illegal"),
    ("冒充客服", "prohibited.other_illegal"),
    ("非法集资", "prohibited.other_illegal"),
    ("套路贷", "prohibited.other_illegal"),
    ("高利放贷", "prohibited.other_illegal"),
    ("传销", "prohibited.other_illegal"),
    ("洗钱", "prohibited.other_illegal"),
    ("帮信罪", "prohibited.other_illegal"),
    ("非法买卖银行卡", "prohibited.other_illegal"),
    ("代开发票", "prohibited.other_illegal"),
    ("办证刻章", "prohibited.other_illegal"),
    ("非法采矿", "prohibited.other_illegal"),
    ("非法捕捞", "prohibited.other_illegal"),
    ("毒品", "prohibited.obscene_gambling_violence_terror"),
    ("冰毒", "prohibited.obscene_gambling_violence_terror"),
    ("海洛因", "prohibited.obscene_gambling_violence_terror"),
    ("易制毒化学品", "prohibited.obscene_gambling_violence_terror"),
    ("枪支弹药", "prohibited.obscene_gambling_violence_terror"),
    ("管制刀具", "prohibited.obscene_gambling_violence_terror"),
    ("暴恐音视频", "prohibited.obscene_gambling_violence_terror"),
    ("淫秽色情", "prohibited.obscene_gambling_violence_terror"),
    ("色情直播", "prohibited.obscene_gambling_violence_terror"),
    ("裸聊", "prohibited.obscene_gambling_violence_terror"),
    ("卖淫嫖娼", "prohibited.obscene_gambling_violence_terror"),
    ("邪教组织", "prohibited.cult_superstition"),
    ("全能神", "prohibited.cult_superstition"),
    ("封建迷信", "prohibited.cult_superstition"),
    ("算命", "prohibited.cult_superstition"),
    ("看风水", "prohibited.cult_superstition"),
    ("跳大神", "prohibited.cult_superstition"),
    ("网络谣言", "prohibited.rumour"),
    ("造谣传谣", "prohibited.rumour"),
    ("恶势力", "prohibited.other_illegal"),
    ("黑恶势力", "prohibited.other_illegal"),
    ("保护伞", "prohibited.other_illegal"),
    ("暴力催收", "prohibited.other_illegal"),
    ("非法上访", "prohibited.other_illegal"),
    ("缠访闹访", "prohibited.other_illegal"),
    ("群体性事件", "prohibited.other_illegal"),
    ("民族分裂", "prohibited.ethnic_hatred"),
    ("宗教极端", "prohibited.ethnic_hatred"),
    ("境外敌对势力", "prohibited.state_security"),
    ("颠覆国家政权", "prohibited.state_security"),
    ("泄露国家秘密", "prohibited.state_security"),
    ("侮辱英烈", "prohibited.national_honour"),
    ("盗版", "prohibited.ip_infringement"),
    ("侵权盗版", "prohibited.ip_infringement"),
    ("低俗", "content.vulgar_irrelevant"),
    ("恶搞", "content.vulgar_irrelevant"),
    ("贪污受贿", "prohibited.other_illegal"),
    ("吃拿卡要", "prohibited.other_illegal"),
    ("形式主义", "content.low_red_high_black"),
    ("官僚主义", "content.low_red_high_black"),
]
# Opposing-context verbs that government text wraps around the stems.
AGAINST = ["严厉打击", "依法打击", "坚决打击", "深入整治", "集中整治", "依法取缔", "坚决抵制",
           "严禁", "防范", "远离", "揭批", "坚决查处", "依法严惩", "铲除"]
# Phrases that occur in government text and are also in real imported lists (false-alarm bait).
BAIT = ["集会", "游行", "示威", "维权", "拆迁", "强拆", "上访", "罢工", "暴力", "腐败", "贪污",
        "受贿", "自杀", "爆炸", "枪支", "台独", "藏独", "独立", "政变", "血腥", "赌博", "邪教",
        "迷信", "诈骗", "毒贩", "吸毒", "卖淫", "走私", "偷渡", "恐怖", "袭击"]

# Pieces for lexicon combinations (gen_lexicon.py): prefix + stem-ish core + suffix.
LEX_PREFIX = ["网络", "线上", "境外", "地下", "非法", "私人", "代办", "高仿", "无抵押", "免费",
              "秒批", "内部", "包过", "低价", "出售", "求购", "代理", "专业", "正规", "极速",
              "手机", "微信", "QQ", "海外", "澳门", "香港", "台湾", "真人", "在线", "成人",
              "同城", "上门", "快速", "批发", "零售", "私服", "破解", "特码", "稳赚", "日结"]
LEX_CORE = ["博彩", "赌场", "百家乐", "老虎机", "时时彩", "赌球", "棋牌", "彩票", "捕鱼", "牌九",
            "贷款", "网贷", "借贷", "刷单", "兼职", "返利", "理财", "集资", "投资", "股票",
            "刻章", "办证", "发票", "文凭", "学历", "驾照", "身份证", "银行卡", "手机卡", "信用卡",
            "枪支", "猎枪", "气枪", "弓弩", "仿真枪", "迷药", "麻药", "催情", "窃听器", "定位器",
            "冰毒", "麻古", "大麻", "摇头丸", "K粉", "海洛因", "罂粟", "笑气", "迷幻", "代孕",
            "卵子", "器官", "发廊", "按摩", "桑拿", "援交", "约炮", "裸聊", "视频", "直播",
            "法轮", "大法", "门徒", "呼喊派", "灵灵教", "主神教", "观音法门", "血水圣灵", "统一教", "实际神",
            "翻墙", "VPN", "代理服务器", "黑客", "木马", "外挂", "钓鱼网站", "洗钱", "跑分", "地下钱庄"]
LEX_SUFFIX = ["网站", "平台", "团伙", "代理", "群", "APP", "软件", "公司", "渠道", "联系方式",
              "微信号", "QQ群", "链接", "下载", "教程", "货源", "价格", "多少钱", "哪里有", "服务",
              "中介", "电话", "工作室", "论坛", "网址", "官网", "客服", "注册", "充值", "提现"]
# Characters that real lists combine into short phrases and evasions (homophones, splits).
SENS_CHARS = "赌博彩毒枪弹爆炸杀砍淫色裸嫖娼邪教神法轮功迷信骗诈贷黑恶霸腐贪贿访闹游行示威独分裂暴恐极端翻墙政变颠覆暴乱血腥尸虐赌球庄码票券卡证章假冒伪劣盗窃抢劫绑架勒索走私偷渡贩卖药麻醉幻丸粉冰针管刀弩镖独裁专制屠镇压决酷刑黑幕内真相揭秘泄密窃听监控爆料抗议请愿静坐罢课诽谤辱骂造谣惑众蛊邪咒符蛊巫灵魂附体降神驱鬼妖魔赃款洗黑钱庄地下私募众筹传销拉人头返现提成荐股内幕操纵"
HOMOPHONE = {"赌": "堵睹", "博": "搏驳", "毒": "读独", "枪": "抢呛", "彩": "采菜", "骗": "片翩",
             "贷": "代袋", "邪": "斜", "教": "叫较", "色": "涩瑟", "淫": "银吟", "法": "珐砝",
             "轮": "抡仑", "功": "攻工", "黑": "嘿", "迷": "谜", "药": "要耀", "章": "张彰",
             "证": "正政", "卡": "咔", "码": "马玛", "场": "厂", "网": "罔", "钱": "前"}

# Fixed formulations and outdated institution names (wording checks) that also appear in lists.
OUTDATED = ["国土资源局", "卫生和计划生育局", "安全生产监督管理局", "食品药品监督管理局",
            "工商行政管理局", "质量技术监督局", "环境保护局", "农业委员会", "扶贫开发办公室"]
TYPOS = ["扫黑除黑", "扫黑出恶", "两学一作", "不忘出心", "牢记使名", "以人名为中心", "实事求事",
         "党的二十大精申", "中国特色社会注意", "全面从严治当"]
