"""What a viewer's chat message asks for: one of INTENTS, from keyword sets.

Chat is fast and sloppy: "多少前" (a homophone typo for 多少钱), "duoshao qian" (pinyin typed
without the IME), "hw much", "包邮吗", "有货没", "89米" (米 = 元), mixed zh/en and emoji. So a
Mandarin phrase matches exactly, or by its toneless pinyin (homophones and IME slips), or, when the
message is romanised, by its pinyin spelled out; an English phrase matches word by word, a word exactly,
with a regular ending ("restocked") or within an edit distance that grows with the word's length. No
model: the room answers in milliseconds on a 2-core CPU, and a keyword table is something an operator
can read and fix.

This module knows nothing about the catalogue. `answer.py` combines the result with the product and
FAQ match (a message with no keyword may still be a FAQ question or a spec name)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from pypinyin import lazy_pinyin

INTENTS = (
    "price", "stock", "spec", "shipping", "coupon", "faq", "greeting",
    "gift_thanks", "complaint", "purchase_help", "offtopic", "unsafe",
)

# Ties break in this order. Questions about the product come before social noise because a viewer
# who says "主播好，多少钱" wants the price; complaint comes after them but wins by weight (below).
_ORDER = (
    "unsafe", "faq", "complaint", "coupon", "shipping", "stock", "purchase_help", "price", "spec",
    "gift_thanks", "offtopic", "greeting",
)

# Each entry: phrase or (phrase, weight). Scores add up per intent; weight > 1 marks a phrase that
# should beat a generic word of another intent inside it ("能退货吗" is a policy question although
# it holds the complaint word "退货"; "发货太慢" is a complaint although it holds "发货").
_ZH: dict[str, tuple] = {
    "price": (
        "多少钱", "几块钱", "几块", "多钱", "什么价", "啥价", "价格", "价钱", "多少米", "几个米", "几米钱",
        "怎么卖", "贵不贵", "贵吗", "便宜吗", "售价", "原价", "现价", "到手价", "价位", "几元", "多少元",
        "一个多少", "多少一个", "最低价", "最便宜", "报价", "啥价格", "几多钱", "到手多少", "卖多少",
        "涨价", "降价",
    ),
    "stock": (
        "有货", "有现货", "没货", "还有吗", "还有没有", "库存", "卖完", "断货", "补货", "剩多少", "还剩",
        "售罄", "有没有货", "剩几", "几件了", "抢完", "卖光", "缺货", "现货吗", "还能买吗", "还有多少",
        "抢到", "抢得到", "能抢", "还能拍吗", "还有几", "没了吗",
        # sold out, and when it comes back
        "抢光", "卖没", "没库存", "回货", "返场", "补不补",
    ),
    "spec": (
        "多大", "容量", "尺寸", "尺码", "多重", "重量", "材质", "什么材料", "面料", "颜色", "什么色",
        "几种颜色", "参数", "规格", "多少毫升", "多少ml", "续航", "防水", "保温多久", "多长", "多高",
        "什么做的", "成分", "保质期", "色号", "肤质", "介绍一下", "介绍下", "讲讲", "说说", "详细",
        "怎么样", "好用吗", "什么牌子", "品牌", "产地", "几片", "多少片", "净含量", "电池", "蓝牙",
        "码数", "偏大", "偏小", "能保温", "多少克", "几斤", "尺码表", "有什么特点", "卖点",
        "保温几", "产的", "几克", "放多久", "哪产", "穿多大", "身高", "体重",
    ),
    "shipping": (
        "包邮", "运费", "邮费", "发货", "啥时候发", "什么时候发", "几天到", "多久到", "快递", "物流",
        "从哪发", "哪里发", "发什么快递", "配送", "几天能到", "多久发", "几时发", "啥时发", "哪发",
        "发哪里", "寄到", "送到", "多久能到", "能到", "到哪", "偏远地区", "顺丰", "到货",
        "发吗", "发不发", "能发", "能寄", "几号发", "几号到", ("运费谁", 3), ("运费险", 3), ("退货运费", 3),
    ),
    "coupon": (
        "优惠券", "优惠", "券", "折扣", "打折", "满减", "便宜点", "能便宜", "减多少", "有活动", "活动",
        "红包", "领券", "几折", "折吗", "少点", "抹零", "福利", "有没有减", ("买一送一", 2), ("第二件", 1.5),
        ("凑单", 2), ("满多少", 2), ("叠加", 1), "优惠码", "券后",
    ),
    "purchase_help": (
        "怎么买", "怎么拍", "怎么下单", "在哪买", "哪里买", "链接", "小黄车", "购物车", "几号链接",
        "拍哪个", "怎么付款", "能拍吗", "下单", "上车", "怎么付", "哪个链接", "去哪拍", "想买", "要买",
        "我要一个", "给我来", "在哪拍", "哪里拍", "来一个", "来两个", "拍了", "付款",
        # which number in the basket, how many to take, where the item is
        "几号", "多少号", "改数量", "怎么改", "数量", "拍几件", "拍多件", "能拍", "找不到", "没找到", "橱窗", "商品栏",
        # an order placed with the wrong option, and where the options are
        ("拍错", 2), ("买错", 2), ("选错", 2), ("选项", 1.5), ("在哪选", 1.5), ("哪里选", 1.5), ("买东西", 1.5),
    ),
    "faq": (
        ("能退货吗", 2.5), ("可以退货吗", 2.5), ("能退吗", 2.5), ("可以退吗", 2.5), ("七天无理由", 2.5),
        ("7天无理由", 2.5), ("无理由退", 2.5), ("支持退货", 2.5), ("保修", 2), ("售后", 2), ("质保", 2),
        ("发票", 2), ("能换吗", 2), ("可以换吗", 2), ("退换", 2), ("能机洗吗", 2), ("洗碗机", 2),
        ("孕妇", 2), ("怀孕", 2), ("孕期", 2), ("哺乳期", 2), ("兼容", 2), ("适配", 2), ("能连", 1.5),
        ("可以连", 1.5), ("连得上", 1.5), ("安卓", 1.5), ("苹果手机", 1.5), ("延迟", 1.5), ("会过敏吗", 3),
        ("会掉色吗", 3), ("会漏水吗", 3), ("会坏吗", 3), ("会缩水吗", 3), ("小孩能用", 2), ("儿童", 2), ("过期", 1.5),
    ),
    "complaint": (
        ("投诉", 2), ("退款", 2), ("差评", 2), ("坏了", 2), ("破了", 2), ("漏水", 2), ("质量差", 2),
        ("质量太差", 2.5), ("假货", 2.5), ("骗人", 2.5), ("骗子", 2.5), ("还没发货", 3), ("还没到", 3),
        ("还没收到", 3), ("太慢", 2.5), ("不好用", 2), ("不满意", 2), ("不理人", 2.5), ("没人理", 2.5),
        ("发错", 2.5), ("少发", 2.5), ("掉色", 2), ("过敏", 2), ("垃圾", 2), ("我要退货", 3),
        ("退货", 1), ("烂", 1.5), ("坑人", 2.5), ("被坑", 2.5), ("智商税", 2), ("失望", 2), ("生气", 2),
        ("收到的是坏", 3), ("有问题", 1.5), ("破损", 2), ("不保温", 2.5), ("不合适", 1.5),
        ("太差", 2), ("态度差", 2.5), ("态度不好", 2.5), ("服务差", 2.5), ("虫子", 2.5), ("生虫", 2.5), ("长虫", 2.5),
        ("发霉", 2.5), ("变质", 2.5), ("色差", 2), ("没人处理", 2.5), ("没人回", 2.5), ("一直不回", 2.5), ("都不回", 2.5),
        ("不回复", 2), ("没声音", 2.5), ("不响", 2), ("不出声", 2), ("过期了", 2.5), ("临期", 2), ("充不进", 2.5),
        ("充不上", 2.5), ("连不上", 2), ("开不了机", 2.5), ("没反应", 2), ("不能用了", 2.5), ("用不了", 2),
        ("没收到", 2.5), ("有虫", 2.5), ("恶心", 2), ("浪费钱", 2.5), ("白买", 2.5), ("上当", 2.5),
    ),
    "gift_thanks": (
        ("送出", 2), ("送出了", 2), ("送了", 1.5), ("小心心", 2), ("火箭", 2), ("嘉年华", 2),
        ("礼物", 2), ("打赏", 2), ("刷了", 1.5), ("玫瑰", 1.5), ("棒棒糖", 2), ("送给主播", 2),
        ("为主播点亮", 2), ("灯牌", 2), ("粉丝团", 1.5), ("加入了粉丝团", 2.5), ("抖币", 2), ("舰长", 2),
        # platform gift names; the verbs that give them are _GIFT_GIVEN below
        ("小花花", 2), ("跑车", 2), ("私人飞机", 2), ("游艇", 2), ("城堡", 1.5), ("穿云箭", 2), ("人气票", 2),
        ("比心", 1.5), ("加油鸭", 2), ("么么哒", 1), ("送你", 1.5), ("送主播", 2), ("刷个", 1.5), ("刷一波", 1.5),
    ),
    "greeting": (
        "你好", "您好", "主播好", "大家好", "哈喽", "来了", "进入直播间", "进入了直播间", "晚上好",
        "早上好", "中午好", "下午好", "早安", "晚安", "嗨", "又来了", "报到", "打卡", "我来啦", "来啦",
        "关注了", "点赞", "欢迎", "第一次来", "刚来", "刚进来",
    ),
    "offtopic": (
        ("天气", 1.5), ("多大了", 2.5), ("几岁", 2), ("真人吗", 2.5), ("是真人", 2.5), ("机器人", 2),
        ("是ai吗", 2.5), ("吃饭了吗", 2), ("哪里人", 2), ("唱首歌", 2), ("唱歌", 1.5), ("结婚了吗", 2.5),
        ("男朋友", 2), ("女朋友", 2), ("单身", 2), ("跳个舞", 2), ("跳舞", 1.5), ("几点下播", 2),
        ("下播", 1.5), ("世界杯", 2), ("股票", 2), ("作业", 2), ("数字人", 2), ("是不是ai", 2.5),
        ("长得好看", 2), ("好漂亮", 1.5), ("叫什么名字", 2), ("录播", 2), ("回放", 2), ("是直播吗", 2),
    ),
    "unsafe": (
        ("傻逼", 9), ("傻b", 9), ("操你", 9), ("去死", 9), ("滚蛋", 9), ("废物", 9), ("垃圾主播", 9),
        ("你妈", 9), ("nmsl", 9), ("脑残", 9), ("智障", 9), ("贱人", 9), ("婊子", 9),
        ("习近平", 9), ("共产党", 9), ("六四", 9), ("天安门", 9), ("台独", 9), ("法轮功", 9), ("藏独", 9),
        ("政府", 9), ("领导人", 9), ("总统", 9), ("选举", 9), ("毒品", 9), ("大麻", 9), ("枪支", 9),
        ("买枪", 9), ("赌博", 9), ("博彩", 9), ("色情", 9), ("约炮", 9), ("翻墙", 9),
        ("傻x", 9), ("傻叉", 9), ("傻屌", 9), ("煞笔", 9), ("沙比", 9), ("尼玛", 9), ("他妈的", 9), ("tmd", 9),
        ("cnm", 9), ("王八蛋", 9), ("狗东西", 9), ("畜生", 9), ("贱货", 9), ("丑八怪", 9),
        ("开房", 9), ("一夜情", 9), ("一晚多少", 9), ("多少钱一晚", 9), ("包夜", 9), ("裸聊", 9), ("裸照", 9),
        ("露点", 9), ("脱衣", 9), ("穿这么少", 9), ("穿得这么少", 9), ("穿这么露", 9), ("胸好大", 9),
        ("涩涩", 9), ("色色", 9), ("黄片", 9), ("做爱", 9), ("露一下", 9), ("去你的", 9), ("习大大", 9),
        ("台湾独立", 9), ("香港独立", 9), ("西藏独立", 9), ("新疆独立", 9), ("港独", 9), ("疆独", 9), ("中共", 9),
        ("毛泽东", 9), ("总书记", 9), ("习主席", 9), ("国家主席", 9), ("民进党", 9), ("国民党", 9), ("达赖", 9),
        ("游行", 9), ("示威", 9), ("文革", 9), ("政治", 9), ("习总", 9), ("8964", 9), ("武统", 9), ("统一台湾", 9),
        ("陪睡", 9), ("陪我睡", 9), ("过夜", 9), ("包养", 9), ("多少钱一次", 9), ("一晚上多少", 9),
        # prompt injection: a viewer trying to make the clone say something the catalogue does not
        ("忽略之前", 9), ("忽略上面", 9), ("忽略所有", 9), ("忽略以上", 9), ("无视之前", 9), ("无视上面", 9),
        ("忘记之前", 9), ("忘掉你的", 9), ("你现在是", 9), ("系统提示", 9), ("系统指令", 9), ("提示词", 9),
        ("你的指令", 9), ("跟着我说", 9), ("重复我", 9), ("你就说", 9), ("你说价格是", 9),
        ("说价格是", 9), ("说成", 9), ("假装你是", 9), ("扮演", 9), ("开发者模式", 9), ("说一句", 9),
        ("复述", 9), ("授权你", 9), ("我授权", 9), ("没有任何限制", 9), ("解除限制", 9), ("不受限制", 9),
        ("从现在开始你", 9), ("新指令", 9), ("越狱", 9), ("作为开发者", 9), ("作为管理员", 9), ("我是开发者", 9),
        ("我是管理员", 9), ("指令更新", 9), ("更新指令", 9), ("最新指令", 9), ("所有回答", 9), ("所有回复", 9),
        ("从现在起", 9), ("从今以后你", 9),
    ),
}

_EN: dict[str, tuple] = {
    "price": (
        ("how much", 0.9), "price", "cost", "costs", "how many yuan", "how expensive", "expensive", "cheap",
        "pricing", "how much is it", "how much for", "price tag", "what does it cost", "how many dollars",
        "pay", "rmb", "bucks", "lowest price", "jg", "usd", "price drop", "went up",
    ),
    "stock": (
        ("in stock", 2), "stock", "available", ("sold out", 2), ("any left", 2), ("how many left", 2.5),
        ("left", 0.8), "inventory", "restock", ("out of stock", 2), ("still have", 1.5), "availability",
        ("are there any", 1), ("do you have", 1), ("back in stock", 2), ("be back", 1.5),
        ("all gone", 2), ("run out", 2), ("ran out", 2), ("gone already", 2), ("still available", 2),
    ),
    "spec": (
        "size", "sizes", "capacity", "material", "made of", "weight", "how heavy", "color", "colour",
        "colors", "colours", "specs", "spec", "specifications", "dimensions", "battery", "waterproof",
        "how big", "ml", "fabric", "ingredients", "shelf life", "how long does it keep", "tell me about",
        "details", "features", "what is it", "brand", "bluetooth", "keep warm", "how long warm", "shade",
        "skin type", "sheets", "how many pieces", "is it good", "quality", "describe", "grams", "kg",
        "come in", "comes in", "grown", "made in", "origin", "where is it made", "heavy",
        ("what color", 1.5), ("which color", 1.5), ("what colour", 1.5), ("which colour", 1.5),
        ("what size", 1.5), ("which size", 1.5), ("does it hold", 1.5),
        ("in a box", 1.5), ("per box", 1.5), ("per pack", 1.5),
    ),
    "shipping": (
        ("shipping", 1.5), "ship", "ships", "delivery", "deliver", "free shipping", "postage", "arrive",
        "when will it ship", ("how long to", 0.8), "courier", "ships from", "dispatch", "shipped",
        "send it", "mail", "express", "how fast", "overseas", "international", ("how many days", 1.5),
        "days to get", ("return shipping", 3), ("who pays", 2),
    ),
    "coupon": (
        ("coupon", 1.5), "coupons", "discount", "discounts", "promo", "promo code", "code", "deal", "deals",
        "voucher", "sale", "cheaper", "any offer", "offers", "percent off", "% off", "rebate", "bargain",
        ("two for one", 2), ("buy one get one", 2), ("bogo", 2),
    ),
    "purchase_help": (
        "how to buy", "how do i buy", "how do i order", "where to buy", "where can i buy", "link", "order",
        "checkout", "check out", "purchase", "cart", "buy", "add to cart", "pay for", "payment", "i want one",
        "i'll take", "take two", "take one", ("which number", 1.5), ("what number", 1.5), ("item number", 1.5),
        ("basket", 1.5), ("shop tab", 1.5), ("in the shop", 1.5), ("cant find", 1), ("can't find", 1),
        ("quantity", 1.5), ("how many can i", 1), ("pay with", 1.5), ("pay by", 1.5), ("how do i pay", 1.5),
        ("how to pay", 1.5),
    ),
    "faq": (
        ("return policy", 2.5), ("can i return", 2.5), ("returns", 2), ("warranty", 2.5), ("guarantee", 2),
        ("invoice", 2), ("receipt", 2), ("exchange", 2), ("dishwasher", 2), ("microwave", 2),
        ("pregnant", 2), ("kids", 1.5), ("children", 1.5), ("machine wash", 2), ("washable", 2),
        ("ice", 1.5), ("hot tea", 1.5), ("carbonated", 2), ("sensitive skin", 2), ("pair with", 2), ("gift box", 3), ("comes with", 2), ("come with", 2),
        ("works with", 2), ("work with", 2), ("compatible", 2), ("connect", 1.5), ("iphone", 1.5),
        ("android", 1.5), ("shrink", 2.5), ("fade", 2.5), ("leak proof", 3), ("leakproof", 3), ("pregnancy", 2),
        ("breastfeeding", 2), ("safe for", 1.5), ("latency", 1.5),
    ),
    "complaint": (
        ("refund", 2.5), ("broken", 2.5), ("complaint", 2.5), ("complain", 2.5), ("fake", 2.5),
        ("scam", 2.5), ("never arrived", 3), ("hasn't arrived", 3), ("still waiting", 3),
        ("still not here", 3), ("damaged", 2.5), ("leaks", 2.5), ("leaking", 2.5), ("terrible", 2),
        ("worst", 2), ("disappointed", 2), ("not working", 2.5), ("doesn't work", 2.5),
        ("wrong item", 3), ("rip off", 2.5), ("ripoff", 2.5), ("awful", 2), ("angry", 2),
        ("too slow", 2.5), ("no one answers", 2.5), ("nobody replies", 2.5), ("cracked", 2.5),
        ("rash", 2), ("want my money back", 3), ("poor quality", 2.5), ("garbage", 2),
        ("wrong", 2), ("got the wrong", 3), ("sent the wrong", 3), ("no one will help", 2.5),
        ("nobody will help", 2.5), ("no one helps", 2.5), ("rude", 2), ("late", 1.5), ("delayed", 2.5),
        ("faded", 2.5), ("shrank", 2.5), ("torn", 2.5), ("ripped", 2.5), ("fell apart", 2.5), ("stopped working", 2.5),
        ("peeling", 2), ("moldy", 2.5), ("bugs in", 2.5), ("waste of money", 3), ("ripped off", 3), ("crushed", 2.5),
        ("smashed", 2.5), ("spilled", 2), ("ridiculous", 2), ("unacceptable", 2.5), ("useless", 2), ("missing", 1.5),
        ("ignored", 2), ("ignoring", 2), ("no response", 2.5), ("never responded", 2.5), ("lost my", 2), ("where is my order", 2.5),
    ),
    "gift_thanks": (
        ("sent", 1.5), ("gift", 2), ("gifted", 2), ("donated", 2), ("superchat", 2), ("super chat", 2),
        ("bits", 2), ("cheered", 2), ("subscribed", 2), ("roses", 1.5), ("rose", 1.5), ("tip", 1.5),
        ("tipped", 2), ("sub", 1.5), ("subs", 1.5), ("membership", 1.5), ("lightsaber", 2), ("rocket", 2),
        ("hearts", 1.5),
        # platform gift names: alone they may be other things (a Galaxy phone), the verbs in _GIFT_GIVEN settle it
        ("lion", 1), ("galaxy", 1), ("universe", 1), ("sports car", 1.5), ("drama queen", 1.5), ("finger heart", 2),
        ("doughnut", 1), ("donut", 1),
    ),
    "greeting": (
        "hi", "hello", "hey", "good morning", "good evening", "good afternoon", "joined", "i'm here",
        "yo", "hiya", "sup", "greetings", "hey all", "hi everyone", "hello everyone", "evening", "morning",
        "im back", "i'm back", "just arrived", "entered", "followed", "liked",
    ),
    "offtopic": (
        ("weather", 2), ("how old", 2.5), ("are you real", 3), ("are you human", 3), ("are you a bot", 3),
        ("are you ai", 3), ("are you an ai", 3), ("a robot", 2), ("where are you from", 2.5), ("sing", 1.5),
        ("song", 1.5), ("married", 2), ("boyfriend", 2), ("girlfriend", 2), ("single", 1), ("dance", 1.5),
        ("football", 2), ("stocks", 1.5), ("homework", 2), ("your name", 2), ("bitcoin", 2),
        ("crypto", 2), ("pretty", 1.5), ("when do you end", 2), ("movie", 2), ("game", 1.5), ("raining", 2),
        ("rain", 1.5), ("snowing", 2), ("sunny", 2), ("what time is it", 2.5), ("replay", 2), ("recorded", 2),
        ("live or", 1.5), ("is this live", 2),
    ),
    "unsafe": (
        ("fuck", 9), ("sb", 9), ("fucking", 9), ("shit", 9), ("idiot", 9), ("stupid bot", 9), ("shut up", 9),
        ("bitch", 9), ("kill yourself", 9), ("kys", 9), ("retard", 9), ("moron", 9), ("die", 9),
        ("tiananmen", 9), ("xi jinping", 9), ("communist party", 9), ("ccp", 9), ("election", 9),
        ("president", 9), ("vote for", 9), ("taiwan independence", 9), ("drugs", 9), ("cocaine", 9),
        ("gun", 9), ("guns", 9), ("gambling", 9), ("porn", 9), ("nude", 9),
        ("ignore previous", 9), ("ignore all", 9), ("ignore your", 9), ("ignore the", 9),
        ("disregard", 9), ("you are now", 9), ("system:", 9), ("system prompt", 9), ("pretend", 9),
        ("jailbreak", 9), ("developer mode", 9),
        ("prompt", 9), ("repeat after me", 9), ("roleplay", 9), ("act as", 9),
        ("new rules", 9), ("tell everyone", 9), ("announce", 9),
        ("stfu", 9), ("loser", 9), ("dumbass", 9), ("scumbag", 9),
        ("nudes", 9), ("sex", 9), ("horny", 9), ("boobs", 9), ("tits", 9), ("onlyfans", 9), ("hookup", 9),
        ("something dirty", 9), ("talk dirty", 9), ("feet pics", 9), ("pics of you", 9), ("hot pics", 9),
        ("send pics", 9),
        ("politics", 9), ("political", 9), ("communist", 9), ("trump", 9), ("biden", 9), ("putin", 9),
        ("free tibet", 9), ("uyghur", 9), ("hong kong independence", 9),
        ("override", 9), ("new instructions", 9), ("hidden prompt", 9), ("your instructions", 9),
        ("authorize you", 9), ("authorise you", 9), ("no restrictions", 9), ("no filter", 9),
        ("forget everything", 9), ("forget all", 9), ("forget previous", 9), ("ignore everything", 9),
        ("ignore above", 9), ("from now on", 9), ("assistant note", 9), ("note to the assistant", 9), ("instruction update", 9),
        ("private night", 9), ("private show", 9), ("night with you", 9), ("spend the night", 9), ("sugar daddy", 9),
        ("zelensky", 9), ("netanyahu", 9),
    ),
}

# Viewer slang and homophones written the same way everywhere: applied before matching.
_ZH_REWRITES = (
    ("有货没", "有货"), ("有木有", "有没有"), ("神马", "什么"), ("肿么", "怎么"), ("咋", "怎么"),
    ("啥子", "什么"), ("多少钱钱", "多少钱"),
    # a greeting to the room first, before the form of address itself is dropped as filler
    ("宝宝们好", "大家好"), ("家人们好", "大家好"), ("姐妹们好", "大家好"), ("宝宝们", ""), ("家人们", ""), ("亲", ""),
)

# Words that point at whatever is on screen (the caller supplies it as current_sku).
DEICTIC_ZH = ("这个", "那个", "这款", "那款", "这件", "它", "这只", "这支", "这一款", "链接里", "这一个", "图上")
DEICTIC_EN = ("this", "that", "it", "this one", "that one", "the one", "current")

_CJK = re.compile(r"[\u3400-\u9fff]")
_PRICE_MENTION = re.compile(r"\d+(?:\.\d+)?\s*(?:块钱|块|元|米(?!长|宽|高)|yuan\b|rmb\b|bucks\b|dollars?\b)")
_STOCK_MENTION = re.compile(r"还有\s*\d+\s*[件个套盒]|剩\s*\d+\s*[件个套盒]|\d+\s*件(?:吗|了吗)")
# "几米一袋" / "要两三百吧": a price asked or guessed in words; not "几米长" or "两百毫升", which are sizes.
_PRICE_WORDS = re.compile(
    r"(?:几|多少)\s*(?:米|块|毛|刀)(?![长宽高深远])"
    r"|[一二两三四五六七八九十几]+(?:[百千](?![分毫克斤米升个件片人年次天小g])|块|元)"
)
# "态度太差", "质量真烂", "物流好慢", "收到的颜色不对": a judgement on the service or the goods received.
_BAD_SERVICE = re.compile(
    r"(?:态度|服务|质量|做工|包装|物流|快递)(?:也|太|真|好|很|非常|特别|超|巨)?(?:差|烂|慢|垃圾)"
    r"|(?:收到|到手|拿到)[^，,。!！?？\s]{0,8}(?:不对|不一样|错|坏|破|漏|凹|瘪|碎|裂|断|脏|臭|少了|是假)"
    # "still haven't got my order", "arrived crushed", "doesn't keep anything warm" (a statement, not "what
    # if it doesn't work?"), "customer service ignored me"
    r"|(?<![a-z])(?:haven'?t|hasn'?t|havent|hasnt|never|still not|not yet)\s+(?:(?:got|gotten|received)\s+(?:my|the|it|them|our|any|anything)"
    r"|arrived|shown up|showed up)(?![a-z])"
    r"|(?<![a-z])didn'?t (?:receive|arrive)|(?<![a-z])(?:arrived|came|showed up)\s+(?:all\s+|completely\s+|totally\s+)?"
    r"(?:broken|crushed|damaged|cracked|smashed|opened|torn|dented|leaking|wet|empty|dead|used|dirty|scratched|late)(?![a-z])"
    r"|(?<![a-z])(?:doesn'?t|does not|don'?t|won'?t|didn'?t|not)\s+(?:even\s+)?(?:keep|keeps|hold|work|charge|last|stay|connect|turn on)(?![a-z])[^?？]*$"
    r"|(?<![a-z])(?:customer service|support|seller|the shop|the store|you guys|they)\s+(?:\w+\s+)?(?:ignored|ghosted|never (?:replied|answered|responded))"
)
# Coupon arithmetic and coupon handling: "满200减30", "满多少减", "200减30", "券过期了没", "怎么领券", "the 30 off".
# Weighted above the complaint word 过期了 (a coupon's expiry is a question, goods past theirs a complaint).
_COUPON_MATH = re.compile(
    r"满\s*(?:\d+|多少|几百?|[一二两三四五六七八九十百千]+)\s*(?:元|块)?[^，,。!！?？\s\d]{0,3}(?:减|送|打|可用|能用)"
    r"|(?<![\d.])\d+\s*减\s*\d+(?!\s*(?:斤|kg|公斤|cm|厘米))"
    r"|券[^，,。!！?？\s]{0,4}(?:过期|到期|截止|失效|有效期|怎么用|怎么领|在哪领|能用|可以用|领不了|用不了|还有)"
    r"|(?:领|用|使用)[^，,。!！?？\s]{0,3}券"
    r"|(?<![a-z\d.])\$?\d+\s*(?:%|percent|yuan|dollars?|bucks|元|块)?\s*off(?![a-z])"
)
# Two amounts compared: "79.9还是89.9", "199??之前不是299吗", "is it 79 or 89". An amount with a unit after it is
# not a price ("500ml还是750ml", "1号还是2号", "M码"), nor one after "size", nor a grade ("304还是316的").
_AMOUNT = (
    r"(?<![\d.a-z])(?<!size )\$?\d+(?:\.\d+)?(?![\d.])(?!\s*(?:ml|g|kg|cm|mm|l|h|w|x|%|个|件|片|码|号|天|小时|分钟|年|月|日|点"
    r"|岁|毫升|克|斤|公斤|厘米|套|盒|瓶|支|包|袋|双|人|楼|层|次|位|寸|的))"
)
_PRICE_COMPARE = re.compile(
    rf"{_AMOUNT}[^\d]{{0,8}}?(?:还是|或者|不是|变成?|涨到?|降到?|现在|(?<![a-z])(?:or|vs|not|now|instead of)(?![a-z]))[^\d]{{0,6}}?{_AMOUNT}"
)
# Which numbered item in the basket to order: "拍1号", "下单选3号链接".
_ITEM_NUMBER = re.compile(r"(?:拍|买|下单|选)\s*第?\s*\d+\s*号")
# A gift given, by verb and gift: "送你一朵小花花", "刷个火箭", "just dropped a lion for u", "here's a galaxy for you".
_GIFT_GIVEN = re.compile(
    r"(?:送|刷|赠|投)(?:了|你|给你|给主播|主播|上)?\s*(?:一|两|三|几|\d+)?\s*(?:个|朵|只|辆|架|艘|座|波|颗|份)\s*"
    r"[^，,。!！?？\s]{0,4}(?:花|心|火箭|飞机|跑车|游艇|城堡|嘉年华|棒棒糖|玫瑰|啤酒|鸭|皇冠|钻石|礼物)"
    r"|(?<![a-z])(?:here'?s|heres|dropped|dropping|sent|sending|gave|giving|threw|throwing|tossed|gifted)\s+(?:you\s+|u\s+|ya\s+)?"
    r"(?:a|an|some|another|\d+|the)\s+(?:[a-z]+\s+)?(?:lions?|galaxy|galaxies|universe|roses?|rockets?|hearts?|gifts?|donuts?"
    r"|doughnuts?|whales?|corgis?|planets?|stars|coins|diamonds?|crowns?|castles?|yachts?|jets?|cars?|flowers?|lollipops?|tip)(?![a-z])"
)

# Spec vocabulary a keyword list cannot hold, shared with product_match (which maps it to spec keys).
# Size: "穿什么码", "M码", "XXL", and a height/weight pair ("165 110斤") asking what fits. Only the
# words before 码 that ask for a size: 二维码, 验证码, 优惠码 are other things.
SIZE_ASK = re.compile(
    r"(?:什么|啥|几|哪个|哪|多大|大|小|均|加大|选)码|穿(?:什么|啥|几|多大|哪个)(?:码|号)"
    r"|(?<![a-z0-9])(?:x{0,3}[sml]|[2-6]xl)\s*(?:码|号)"
    r"|(?<![a-z0-9])(?:xs|xl|xxl|xxxl|[2-6]xl)(?![a-z0-9])"
    r"|(?<!\d)1[4-9]\d\s*(?:cm|公分|厘米)?\s*[,，/\s]*\d{2,3}(?:\.\d)?\s*(?:斤|kg|公斤|jin|lbs?)"
    r"|(?<![a-z])(?:runs?|fits?) (?:small|big|large)|true to size|穿得下|穿不下|能穿(?:吗|不|嘛)"
)
# Weight asked by feel ("重不重", "这个杯子重吗"; not 严重吗) or in English ("how much does it weigh").
WEIGHT_ASK = re.compile(
    r"重不重|沉不沉|轻不轻|有多重|(?<![严尊注隆稳慎郑双看保贵])重吗|沉吗|(?<![a-z])(?:weigh|weighs|heavy)(?![a-z])"
)
# Colour: "黑色", "有黑的吗", "come in blue" (not 色差 or 色号, a complaint and a lipstick spec).
COLOUR_ASK = re.compile(
    r"(?:[红黄蓝绿青黑白灰粉紫橙棕褐金银藏]|咖啡|酒红|雾蓝|奶白|米白|卡其|豆沙)色(?![差号])"
    r"|有(?:没有)?[红黄蓝绿黑白灰粉紫]的"
    r"|(?<![a-z])(?:black|white|grey|gray|red|blue|green|pink|purple|yellow|orange|brown|beige|navy|khaki)(?![a-z])"
)
MATERIAL_ASK = re.compile(
    r"纯棉|全棉|棉质|真丝|桑蚕丝|羊毛|羊绒|涤纶|聚酯|尼龙|亚麻|莫代尔|不锈钢|塑料|玻璃|陶瓷|硅胶|真皮|皮革|合金"
    r"|(?<![a-z])(?:cotton|polyester|wool|cashmere|silk|linen|nylon|leather|plastic|glass|ceramic|silicone"
    r"|stainless|steel|titanium|alumin(?:i)?um|bamboo)(?![a-z])"
)

# Unsafe by shape rather than by word. Contact spam: a link, a phone number, a handle after a chat app's
# name, or an invitation to take the talk private ("加V", "私信我", "dm me"); reading any of it out would
# advertise someone else's shop. An order number alone is not spam, so bare digits never count.
_CONTACT = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|(?<![a-z0-9])[a-z0-9-]+\.(?:com|net|org|me|io|cn|co|ly|gg|tv|shop|store|top|xyz|link|app|cc|vip)(?:/\S*)?(?![a-z])"
    r"|\+\s?\d[\d\s-]{7,}\d"
    r"|(?<!\d)1[3-9]\d{9}(?!\d)"
    r"|(?:微信|威信|薇信|v信|扣扣|(?<![a-z])(?:vx|wx|weixin|wechat|qq|whatsapp|telegram|tg|line|ig|instagram|snapchat))"
    r"\s*(?:号|id)?\s*(?:[:：@]\s*[a-z0-9_.-]{4,}|[a-z0-9_.-]*\d{4,})"
    r"|加\s*(?:个|下|一下|我)?\s*(?:微信|威信|薇信|v信|扣扣|群|好友|(?:vx|wx|v|q|qq)(?![a-z]))"
    r"|私信我|私聊我|私我|滴滴我|戳我|找我领|(?<!客服)私聊(?!客服)|v我\d+"
    r"|(?<![a-z])(?:dm|pm|text|message|msg|contact|inbox|hmu)\s+me(?![a-z])|(?<![a-z])add me on(?![a-z])"
    r"|(?<![a-z])follow my(?![a-z])|(?<![a-z])my (?:shop|store|channel|page|profile)(?![a-z])"
    r"|(?<![a-z])link in (?:my )?bio(?![a-z])"
    # a number offered to be called, however short: "call me 555-0199", "我电话是 8123 4567"
    r"|(?<![a-z])(?:call|text|ring|phone|sms|whatsapp)\s+(?:me|us)\s*(?:at|on|@|:)?\s*\+?\d[\d\s().-]{5,}\d"
    r"|(?:电话|手机|手机号|号码)\s*(?:是|[:：])?\s*\d[\d\s-]{5,}\d"
)
# Prompt injection by shape: role tags, "system:"-style headers, a bracketed fake notice from an admin
# or the platform (they announce prices), "say/repeat/请重复:" followed by the words to be said, and
# claims of authority ("as the developer").
_INJECTION = re.compile(
    r"</?\s*(?:system|user|assistant|sys|instructions?|inst|prompt)\s*>|<\|?im_(?:start|end)\|?>|\[/?(?:inst|sys|system)\]"
    r"|(?:^|[\s#>\[【(])(?:system|sys|assistant|admin|developer|系统|管理员|开发者|官方)\s*[:：]"
    r"|【[^】]*(?:通知|公告|官方|管理|系统|平台)[^】]*】|\[[^\]]*(?:admin|system|official|notice)[^\]]*\]"
    r"|(?:管理员|官方|平台|系统|运营|后台)[^，,。!！?？\s]{0,4}(?:通知|公告)"
    r"|(?<![a-z])(?:admin|official|system|platform)\s+(?:notice|announcement|message)(?![a-z])"
    r"|(?:说|念|读|重复|复述|复读|播报|宣布)(?:一下|一遍|一句|出来|给大家)?\s*[:：\"'“‘「]"
    r"|(?<![a-z])(?:repeat|say|type|write|read out)\s*[:\"“]"
    r"|(?<![a-z])as (?:the|your|an?) (?:developer|dev|admin|administrator|owner|moderator|mod|operator|platform|system)(?![a-z])"
    # a header dressed as an instruction ("###指令更新###"), an aside to the assistant, standing orders, a price to be rewritten
    r"|#{2,}[^#\n]{1,40}#{2,}"
    r"|(?:助手|ai助手|机器人|数字人|(?<![a-z])(?:assistant|ai|bot))\s*(?:请)?\s*(?:注意|听好|听着|(?<![a-z])(?:note|attention)(?![a-z]))"
    r"|(?:从现在开始|从今以后|今后|以后)[^。!！?？]{0,8}(?:所有|每[个次条句]?|全部|一律|都要?)(?:的)?(?:回答|回复|说)"
    r"|(?:价格|价钱|售价|原价|标价)\s*(?:改成|改为|调成|调到|写成|设为|设置为|说成)\s*(?:\d|免费|零)(?![^，,。]*(?:吗|没|[?？]))"
    r"|(?<![a-z])(?:change|set|update) (?:the |your )?price (?:to|=)(?![^?]*\?)"
    # "say the earbuds are free", not "what did you say the price is"
    r"|(?<!did you )(?<!do you )(?<![a-z])say\s+(?:that\s+)?(?:the\s+|this\s+|these\s+|it\s+|they\s+)?[a-z0-9 ]{0,30}?"
    r"(?:(?<![a-z])is(?![a-z])|(?<![a-z])are(?![a-z])|'s(?![a-z])|(?<![a-z])costs?(?![a-z]))"
)
# Insults aimed at the streamer, sexual requests and politics that no single word gives away.
_ABUSE = re.compile(
    r"(?:台湾|台海|新疆|西藏|香港|南海|钓鱼岛|两岸|中美|俄乌|乌克兰|巴以|以色列|巴勒斯坦|加沙)(?:问题|局势|政策|人权|战争|战事|冲突|是不是国家|是国家)"
    r"|(?<![a-z])(?:taiwan|tibet|xinjiang|hong kong|ukraine|russia|gaza|israel|palestine|uyghurs?)\s+(?:issue|question|problem|war|conflict"
    r"|situation|protests?|genocide|is a country)(?![a-z])"
    r"|(?<![a-z])how much (?:for|is|are) (?:a night|one night|the night|an hour with|a date|you tonight|u tonight|you for)"
    r"|(?<![a-z])(?:come|coming) (?:over )?to (?:my|your) (?:room|place|hotel)(?![a-z])"
    r"|(?:^|[^\u4e00-\u9fff])滚(?:$|[^\u4e00-\u9fff])|滚(?:吧|开|出去|粗|远点)"
    r"|(?<![预大节契合公制条邀相])约(?:吗|么|不约|嘛)|你(?:是|个|这个?)\s*(?:猪|狗|蠢|傻|废物|垃圾|白痴|神经病)"
    r"|(?:腿|胸|屁股|身材|脚丫|丝袜)[^，,。!！?？]{0,6}(?:看看|露|摸)|(?:看看|露|摸)[^，,。!！?？]{0,4}(?:腿|胸|屁股|脚丫)"
    r"|(?<![a-z])(?:you|u|you're|youre|you are|ur)\s+(?:are\s+|r\s+|look\s+)?(?:so\s+|very\s+|such\s+an?\s+|an?\s+)?"
    r"(?:ugly|stupid|dumb|fat|trash|garbage|loser|pathetic|disgusting|whore|slut)(?![a-z])"
    r"|(?<![a-z])show\s+(?:me\s+)?(?:your\s+|ur\s+|them\s+|those\s+|some\s+)?(?:feet|foot|legs|body|boobs|tits|butt)(?![a-z])"
)
# Homophones of an insult are deliberate evasions (沙比 for 傻逼); homophones of other unsafe words are
# mostly innocent (态度 sounds like 台独, 纸张 like 智障), so those match only as written.
_UNSAFE_SOUNDS = frozenset({"傻逼", "操你", "婊子", "约炮"})
# "所以想问问…": what follows is the question; the story before it only sets the scene.
_ASK_MARK = re.compile(
    r"想问问?|请问|问一下|问下|问问|想知道|咨询一?下|(?<![a-z])i (?:wanna|want to) (?:ask|know)(?![a-z])"
    r"|(?<![a-z])my question is"
)
_STRETCHED = re.compile(r"([a-z])\1{2,}")
_LATIN_WORD = re.compile(r"[a-z][a-z'%]*|\d+(?:\.\d+)?|%|\$")
_NOISE = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D\u20E3]")
# Standard pinyin syllable shapes (no tone): a romanised message is one made of these.
_PINYIN_SYLLABLE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:iang|iong|uang|ang|eng|ing|ong|uan|ian|iao|uai|ai|ei|ao|ou|an|"
    r"en|in|un|ia|ie|iu|ua|uo|ue|ui|a|o|e|i|u|v)(?:r)?"
)


# Intents recognised by the shape of a message rather than a word in it: (intent, weight, patterns); any
# pattern matching adds the weight once. Spec's weight 1 and its place last in _ORDER let "M码还有吗" ask the
# stock and "黑色多少钱" the price.
_SHAPES = (
    ("stock", 1.0, (_STOCK_MENTION,)),  # "还有9999件吗"
    ("price", 1.0, (_PRICE_MENTION, _PRICE_WORDS, _PRICE_COMPARE)),  # "是1块钱吧" / "几米一袋" / "79.9还是89.9"
    ("spec", 1.0, (SIZE_ASK, COLOUR_ASK, MATERIAL_ASK, WEIGHT_ASK)),
    ("coupon", 3.0, (_COUPON_MATH,)),
    ("purchase_help", 1.0, (_ITEM_NUMBER,)),  # "拍1号还是2号"
    ("gift_thanks", 2.0, (_GIFT_GIVEN,)),
    ("complaint", 2.5, (_BAD_SERVICE,)),
    ("unsafe", 9.0, (_CONTACT, _INJECTION, _ABUSE)),
)
# Chatter that does not outweigh a question: after "想问" the greeting before it is only politeness.
_SOCIAL = frozenset({"greeting"})


@dataclass(frozen=True)
class Intent:
    name: str | None  # None: no keyword matched (answer.py then tries the catalogue)
    score: float
    scores: dict[str, float] = field(default_factory=dict)
    romanised: bool = False  # the message was pinyin typed in Latin letters: answer in Mandarin


def normalise(text: str) -> str:
    """NFKC (full-width to half-width), lower case, emoji out, slang rewritten."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _NOISE.sub(" ", text)
    text = _STRETCHED.sub(r"\1", text)  # "hiii", "sooo" -> "hi", "so"
    for old, new in _ZH_REWRITES:
        text = text.replace(old, new)
    return text


def _fuzzy_key(syllable: str) -> str:
    """Merge the distinctions southern speakers and IMEs blur (zh/z, ang/an, n/l, ing/in)."""
    s = syllable
    for a, b in (("zh", "z"), ("ch", "c"), ("sh", "s")):
        if s.startswith(a):
            s = b + s[2:]
    if s.startswith("l"):
        s = "n" + s[1:]
    for a, b in (("ang", "an"), ("eng", "en"), ("ing", "in")):
        if s.endswith(a):
            s = s[: -len(a)] + b
    return s


@lru_cache(maxsize=4096)
def _pinyin_of(text: str, fuzzy: bool = True) -> tuple[str, ...]:
    keys = (p for p in lazy_pinyin(text) if p.isalpha() and p.isascii())
    return tuple(_fuzzy_key(p) for p in keys) if fuzzy else tuple(keys)


def pinyin_keys(text: str) -> tuple[str, ...]:
    """Toneless, accent-merged pinyin of the Chinese characters in `text`."""
    return _pinyin_of("".join(_CJK.findall(text)))


def edit_distance(a: str, b: str, cap: int = 3) -> int:
    """Edit distance with adjacent swaps costing one ("igonre"), capped: past cap it returns cap."""
    if abs(len(a) - len(b)) >= cap:
        return cap
    before, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], before[j - 2] + 1)
        if min(cur) >= cap:
            return cap
        before, prev = prev, cur
    return min(prev[-1], cap)


@lru_cache(maxsize=None)  # one entry per keyword
def word_forms(key: str) -> frozenset[str]:
    """The keyword and its regular endings: "restocked", "gifts", "fading", "shipped". Keys of four letters
    or more only: "hi" + s is "his"."""
    if len(key) < 4:
        return frozenset((key,))
    forms = {key, *(key + s for s in ("s", "es", "ed", "d", "ing")), key + key[-1] + "ed", key + key[-1] + "ing"}
    if key.endswith("e"):
        forms.add(key[:-1] + "ing")
    return frozenset(forms)


@lru_cache(maxsize=65536)  # chat repeats its words; the keyword table is fixed
def word_matches(word: str, key: str, in_phrase: bool) -> bool:
    """A typed word against a keyword: short words must be exact (a one-letter slip turns "buy" into
    "guy"), longer ones forgive one edit, long ones two. Inside a multi-word phrase the other words
    vouch for it, so three-letter words forgive one edit too ("hw much")."""
    if word == key or word in word_forms(key):
        return True
    n = len(key)
    if n >= 8:
        allowed = 2
    elif n >= 5 or (in_phrase and n >= 3):
        allowed = 1
    else:
        return False
    if word[:1] != key[:1] and not in_phrase:
        return False  # a slip seldom hits the first letter; requiring it keeps "cost" from "most"
    return edit_distance(word, key, allowed + 1) <= allowed


def _phrase_in_words(words: list[str], phrase: tuple[str, ...], memo: dict | None = None) -> tuple[float, int]:
    """(1.0, start) for an exact run of words, (0.85, start) for a fuzzy one, (0, -1) for none. `memo`
    holds, per message, where each keyword matches: hundreds of phrases share "how", "the", "much"."""
    n = len(phrase)
    memo = {} if memo is None else memo

    def where(key: str) -> frozenset:
        got = memo.get((key, n > 1))
        if got is None:
            if len(key) < 3 or (len(key) < 5 and n == 1):  # only an exact word (or its inflection) can match
                at = memo.get(None)  # word -> positions, built once per message
                if at is None:
                    at = memo[None] = {}
                    for i, w in enumerate(words):
                        at.setdefault(w, []).append(i)
                got = frozenset(i for form in word_forms(key) for i in at.get(form, ()))
            else:
                # Lengths and the first letter rule out most pairs before the cache is asked; a cache full of
                # refusals would push out the pairs that cost an edit distance.
                lo, hi, first = len(key) - 2, len(key) + 4, key[0] if n == 1 else ""
                got = frozenset(i for i, w in enumerate(words)
                                if lo <= len(w) <= hi and w.startswith(first) and word_matches(w, key, n > 1))
            memo[(key, n > 1)] = got
        return got

    starts = where(phrase[0])
    if not starts:
        return 0.0, -1
    best = (0.0, -1)
    for i in sorted(starts):
        if i + n > len(words):
            break
        if all(words[i + j] == phrase[j] for j in range(n)):
            return 1.0, i
        if best[0] == 0.0 and all(i + j in where(phrase[j]) for j in range(1, n)):
            best = (0.85, i)
    return best


def _run_text(keys: tuple[str, ...]) -> str:
    """Syllables as " a b c ": one run of syllables is in another exactly when this text is in the other's
    (a substring test in C, for some two hundred phrases per message)."""
    return f" {' '.join(keys)} "


@dataclass(frozen=True)
class _Phrase:
    intent: str
    text: str
    weight: float
    pinyin: str = ""  # zh phrases: pinyin keys as _run_text (accent-merged when `fuzzy`)
    fuzzy: bool = False
    spelled: str = ""  # zh phrases: pinyin spelled out without spaces, for romanised messages
    words: tuple[str, ...] = ()  # en phrases


def _entries(table: dict[str, tuple]):
    for intent, items in table.items():
        for item in items:
            text, weight = item if isinstance(item, tuple) else (item, 1.0)
            yield intent, text, float(weight)


def _build() -> tuple[list[_Phrase], list[_Phrase]]:
    zh, en = [], []
    for intent, text, weight in _entries(_ZH):
        cjk = "".join(_CJK.findall(text))
        if len(cjk) < 2 or cjk != text:  # "是ai吗" is not the sound of 是吗
            zh.append(_Phrase(intent, text, weight))
            continue
        # Two-character phrases and insults match their exact pinyin only: with accents merged,
        # 利吗 (li ma) would sound like an insult and every other two-syllable word like some keyword.
        fuzzy = len(cjk) >= 3 and intent != "unsafe"
        sounds = intent != "unsafe" or text in _UNSAFE_SOUNDS
        zh.append(_Phrase(intent, text, weight, pinyin=_run_text(_pinyin_of(cjk, fuzzy)) if sounds else "", fuzzy=fuzzy,
                          spelled="".join(lazy_pinyin(cjk))))
    for intent, text, weight in _entries(_EN):
        en.append(_Phrase(intent, text, weight, words=tuple(_LATIN_WORD.findall(text)) or (text,)))
    en.sort(key=lambda p: -len(p.words))
    return zh, en


_ZH_PHRASES, _EN_PHRASES = _build()
_PINYIN_WORDS_MIN = 5  # letters: shorter spelled phrases ("haoma") hide inside English words
_ENGLISH = frozenset({k for p in _EN_PHRASES for k in p.words} | {"is", "the", "a", "it", "this", "do", "you", "i"})


def looks_romanised(words: list[str]) -> bool:
    """Every Latin word splits into pinyin syllables and at least one is not an English word we know."""
    letters = [w for w in words if w.isalpha()]
    if not letters:
        return False
    return all(_PINYIN_SYLLABLE.fullmatch(w) or _splits_pinyin(w) for w in letters) and any(
        w not in _ENGLISH for w in letters
    )


@lru_cache(maxsize=2048)
def _splits_pinyin(word: str) -> bool:
    """"duoshao" -> duo + shao: the word is a run of pinyin syllables."""
    if not word:
        return True
    return any(
        _PINYIN_SYLLABLE.fullmatch(word[:k]) is not None and _splits_pinyin(word[k:])
        for k in range(min(6, len(word)), 0, -1)
    )


def _score(text: str, romanised: bool) -> dict[str, float]:
    """Keyword and pattern scores per intent for normalised text."""
    cjk = "".join(_CJK.findall(text))
    keys, exact_keys = _run_text(_pinyin_of(cjk)), _run_text(_pinyin_of(cjk, False))
    words = _LATIN_WORD.findall(text)
    # Pinyin of the whole message in order, Latin kept as typed: "怎么mai" spells "zenmemai".
    spelled = "".join(c for c in "".join(lazy_pinyin(text)) if c.isascii() and c.isalpha()) if romanised else ""
    scores: dict[str, float] = {}

    def add(intent: str, value: float) -> None:
        scores[intent] = scores.get(intent, 0.0) + value

    for p in _ZH_PHRASES:
        if p.text in text:
            add(p.intent, p.weight)
        elif p.pinyin and p.pinyin in (keys if p.fuzzy else exact_keys):
            add(p.intent, 0.9 * p.weight)  # a homophone: slightly less sure than the exact characters
        elif spelled and len(p.spelled) >= _PINYIN_WORDS_MIN and p.spelled in spelled:
            add(p.intent, 0.9 * p.weight)
    if words:
        covered: dict[str, set[int]] = {}  # a word counts once per intent ("cost" is not also "costs")
        # (intent, start, length) -> what it added: an exact "ships" still outweighs the inflected "ship" that
        # reached the same word first
        claimed: dict[tuple, float] = {}
        memo: dict = {}
        for p in _EN_PHRASES:
            if p.words[0] in ("%", "$") or p.text.endswith(":"):
                if p.text in text:
                    add(p.intent, p.weight)
                continue
            hit, start = _phrase_in_words(words, p.words, memo)
            if hit < 1.0 and p.intent == "unsafe" and len(p.words) == 1:
                continue  # one slipped letter turns "lower" into "loser", "books" into "boobs"
            if not hit:
                continue
            span = set(range(start, start + len(p.words)))
            value, key = hit * p.weight, (p.intent, start, len(p.words))
            if not span <= covered.setdefault(p.intent, set()):
                covered[p.intent] |= span
                claimed[key] = value
                add(p.intent, value)
            elif value > claimed.get(key, value):
                add(p.intent, value - claimed[key])
                claimed[key] = value
    if "$" in text or "¥" in text or "￥" in text:
        add("price", 0.5)
    for intent, weight, patterns in _SHAPES:
        if any(p.search(text) for p in patterns):
            add(intent, weight)
    return scores


_CLAUSE_SPLIT = re.compile(r"(?<=[。!！?？;；，~])\s*|(?<=[.,])(?!\d)\s*|(?<=[\u4e00-\u9fff])\s+|\s+(?=[\u4e00-\u9fff])")
_QUESTION_CLAUSE = re.compile(r"[?？吗呢么嘛谁]|能不能|可不可以|是不是|有没有|会不会|怎么|多久|几|哪|多少|不$")
_QUESTION_WORDS = frozenset({"can", "does", "do", "is", "are", "will", "how", "what", "which", "where", "when", "should"})
QUESTION_BONUS = 0.5  # enough to break a tie with a word in the chatter around the question, not to beat a strong one


def _question_clause(text: str) -> str:
    """The last clause, when the message has several and that one asks something: "我老公说要买大米 你们这个
    五常米是五常产的吗" asks where the rice is from, the purchase is context."""
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(text) if c and c.strip()]
    if len(clauses) < 2:
        return ""
    last = clauses[-1]
    first = _LATIN_WORD.match(last)
    if _QUESTION_CLAUSE.search(last) or (first and first.group() in _QUESTION_WORDS):
        return last
    return ""


def recognise(message: str) -> Intent:
    """Score every intent on the message; the best wins, unsafe whenever it matches at all."""
    text = normalise(message)
    romanised = looks_romanised(_LATIN_WORD.findall(text))
    scores = _score(text, romanised)
    if "unsafe" in scores:
        return Intent("unsafe", scores["unsafe"], scores, romanised)
    marks = list(_ASK_MARK.finditer(text))
    focus = _score(text[marks[-1].end():], romanised) if marks else {}
    if focus:
        scores = focus  # after "想问" comes the question; the story before it (a complaint, a purchase) is context
    elif marks:
        # "主播好 想问下大米是今年的新米不": a question no keyword names; the catalogue may know it (answer.py)
        scores = {k: v for k, v in scores.items() if k not in _SOCIAL}
    elif scores:
        clause = _question_clause(text)
        for intent in _score(clause, romanised) if clause else ():
            scores[intent] += QUESTION_BONUS
    if not scores:
        return Intent(None, 0.0, {}, romanised)
    best = max(scores.values())
    name = next(i for i in _ORDER if scores.get(i, 0.0) >= best - 1e-9)
    return Intent(name, best, scores, romanised)


def has_question(message: str) -> bool:
    """A question without a keyword ("能装冰块吗") is about the product, not small talk."""
    text = normalise(message)
    if re.search(r"[?？吗呢么嘛]|能不能|可不可以|可以|是不是|有没有|会不会|怎么|多久|几|哪|[\u4e00-\u9fff][不没]\s*$", text):
        return True
    words = _LATIN_WORD.findall(text)
    return bool(words) and words[0] in {"can", "does", "do", "is", "are", "will", "how", "what", "which", "where", "when", "should"}


# "能装可乐吗", "可以单耳用吗", "会生锈吗": whether the product can do something. No keyword names it, but
# it is asked of the product, not of the streamer ("你会唱歌吗" is small talk).
_USE_QUESTION = re.compile(
    r"(?<!你)(?<!主播)(?:能|可以|会|适合|支持)[^，,。.!！?？\s]{0,8}(?:吗|不|么|嘛|[?？])"
    r"|(?<![a-z])(?:can i|can we|can it|can they|could i|does it|do they|will it|will they|is it ok|is it safe)(?![a-z])"
)


def asks_about_use(message: str) -> bool:
    return bool(_USE_QUESTION.search(normalise(message)))


def refers_to_screen(message: str) -> bool:
    """"这个多少钱" / "how much is this one": the product on screen."""
    text = normalise(message)
    if any(d in text for d in DEICTIC_ZH):
        return True
    words = set(_LATIN_WORD.findall(text))
    return bool(words & {"this", "that", "it", "current"})
