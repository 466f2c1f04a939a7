"""The ad-law guard (issue 5): every banned term is rewritten or the utterance dropped; facts stay."""

from __future__ import annotations

import logging
import time

import pytest

from twincast.commerce.ad_guard import Change, GuardResult, banned_terms, check, check_script

SAME = object()  # the text must come back unchanged, with no changes
DROP = object()  # the utterance must not be spoken

# (lang, text, expected): expected is the exact compliant text, SAME or DROP.
CASES = [
    # -- Mandarin superlatives --
    ("zh", "这是全网最低价，赶紧下单", "这是优惠价，赶紧下单"),
    ("zh", "史上最低价", "优惠价"),
    ("zh", "这是最好的面膜", "这是很好的面膜"),
    ("zh", "效果最佳", "效果很好"),
    ("zh", "最佳效果", "很好的效果"),
    ("zh", "最佳选择就是它", "好选择就是它"),
    ("zh", "最便宜的一款", "很实惠的一款"),
    ("zh", "全网最便宜", "很实惠"),
    ("zh", "最优惠的价格", "很优惠的价格"),
    ("zh", "最优秀的设计", "很优秀的设计"),
    ("zh", "最受欢迎的颜色", "很受欢迎的颜色"),
    ("zh", "最适合夏天穿", "很适合夏天穿"),
    ("zh", "最强续航", "很强续航"),
    ("zh", "最低只要59", "只要59"),
    ("zh", "最低到手价89", "到手价89"),
    ("zh", "最新款上市", "新款上市"),
    ("zh", "最新技术", "新技术"),
    ("zh", "这款是最新的", "这款是新的"),
    ("zh", "最先进的工艺", "先进的工艺"),
    ("zh", "最高端的材质", "高端的材质"),
    ("zh", "最热销的款式", "热销的款式"),
    ("zh", "最具性价比", "很有性价比"),
    ("zh", "最大化保留营养", "充分保留营养"),
    ("zh", "最大的优势", "很大的优势"),
    ("zh", "最高立减50元", "最多立减50元"),
    ("zh", "最快明天发货", "快的话明天发货"),
    ("zh", "我的最爱", "我的心头好"),
    ("zh", "我最爱这款", "我很爱这款"),
    ("zh", "堪称行业之最", "堪称行业中的佼佼者"),
    ("zh", "这是前所未有的体验", "这是少见的体验"),
    ("zh", "无与伦比的手感", "出色的手感"),
    ("zh", "最完美的礼物", "很好的礼物"),
    ("zh", "最最好用的", "很好用的"),
    ("zh", "最好用的一款", "很好用的一款"),
    ("zh", "最好看的颜色", "很好看的颜色"),
    ("zh", "你最好先量一下尺寸", "你还是先量一下尺寸"),
    ("zh", "你最好别用热水洗", "你还是别用热水洗"),
    # -- Mandarin first / only --
    ("zh", "这款面膜销量第一", "这款面膜卖得很好"),
    ("zh", "这款是全网第一", "这款是热门之选"),
    ("zh", "全网第一的面膜", "很受欢迎的面膜"),
    ("zh", "人气第一的口红", "人气很高的口红"),
    ("zh", "口碑第一", "口碑很好"),
    ("zh", "排名第一", "排名靠前"),
    ("zh", "销量冠军", "热卖款"),
    ("zh", "这是销冠款", "这是热卖款"),
    ("zh", "全网NO.1", "很受欢迎"),
    ("zh", "销量TOP1", "卖得很好"),
    ("zh", "抖音第一", "很受欢迎"),
    ("zh", "这是唯一的选择", "这是难得的选择"),
    ("zh", "这是唯一一款防水的", "这是一款防水的"),
    ("zh", "唯一能做到的", "少有能做到的"),
    ("zh", "独一无二的设计", "很有特色的设计"),
    ("zh", "是你的首选", "是你的好选择"),
    ("zh", "首选品牌", "优选品牌"),
    ("zh", "独家配方", "特色配方"),
    ("zh", "全球首款石墨烯面膜", "一款石墨烯面膜"),
    ("zh", "首个采用这项技术的品牌", "一个采用这项技术的品牌"),
    ("zh", "今天全球首发", "今天上新"),
    ("zh", "首创技术", "创新技术"),
    ("zh", "No.1面膜", "热门面膜"),
    ("zh", "我们是NO.1", "我们是热门之选"),
    # -- Mandarin top grade --
    ("zh", "国家级品质", "高标准品质"),
    ("zh", "世界级工艺", "高水准工艺"),
    ("zh", "顶级面料", "高品质面料"),
    ("zh", "最顶级面料", "高品质面料"),
    ("zh", "顶尖设计", "出色设计"),
    ("zh", "极品好茶", "精品好茶"),
    ("zh", "至尊版", "精选版"),
    ("zh", "王牌产品", "主打产品"),
    ("zh", "极致体验", "出色体验"),
    ("zh", "一流品质", "优秀品质"),
    ("zh", "终极版", "进阶版"),
    ("zh", "完美的礼物", "很好的礼物"),
    # -- Mandarin absolute --
    ("zh", "绝对正品", "正品"),
    ("zh", "绝对不会掉色", "真的不会掉色"),
    ("zh", "万能清洁剂", "多用途清洁剂"),
    ("zh", "永久保修", "长久保修"),
    ("zh", "永不褪色", "不容易褪色"),
    ("zh", "零风险试用", "低风险试用"),
    ("zh", "无副作用的配方", "温和的配方"),
    ("zh", "纯天然成分", "天然成分"),
    ("zh", "100%纯天然", "天然"),
    ("zh", "100%好用", "非常好用"),
    ("zh", "100%正品", "正品"),
    ("zh", "100%的人都说好", "很多人都说好"),
    ("zh", "百分百好评", "非常好评"),
    ("zh", "能根治痘痘", DROP),
    # -- Mandarin authority --
    ("zh", "免检产品", "产品"),
    ("zh", "特供酒", "酒"),
    ("zh", "专供出口", "出口"),
    ("zh", "中国驰名商标", "品牌"),
    ("zh", "国家领导人推荐的好茶", DROP),
    ("zh", "央视推荐好物", DROP),
    ("zh", "医生推荐的牙膏", DROP),
    ("zh", "质量免检", DROP),  # nothing sayable is left
    # -- Mandarin false urgency --
    ("zh", "仅此一次的价格", "本场的价格"),
    ("zh", "最后一波福利", "这一波福利"),
    ("zh", "最后的机会了", "好机会了"),
    ("zh", "随时涨价，赶紧拍", "价格以页面为准，赶紧拍"),
    ("zh", "马上涨价", "价格以页面为准"),
    ("zh", "错过再等一年", "喜欢就别错过"),
    ("zh", "千载难逢的机会", "难得的机会"),
    ("zh", "价格秒杀全网", "价格很有优势"),
    ("zh", "已经抢疯了", "已经很受欢迎"),
    ("zh", "手慢无", "喜欢就下单"),
    # -- Mandarin medical claims --
    ("zh", "这款面霜能治疗湿疹", DROP),
    ("zh", "降血压效果好", DROP),
    ("zh", "药用级别", DROP),
    ("zh", "包治百病", DROP),
    ("zh", "减肥神器", DROP),
    ("zh", "提高免疫力", DROP),
    # -- Mandarin near misses (facts and neutral senses stay) --
    ("zh", "100%纯棉，穿着舒服", SAME),
    ("zh", "100% 纯棉", SAME),
    ("zh", "百分之百羊毛", SAME),
    ("zh", "第一件半价", SAME),
    ("zh", "第一次来直播间的朋友", SAME),
    ("zh", "第一步打开盖子", SAME),
    ("zh", "这是第一批货", SAME),
    ("zh", "最后一件了", SAME),
    ("zh", "最后一步，扣上扣子", SAME),
    ("zh", "最后一天活动", SAME),
    ("zh", "今天的最后一个产品", SAME),
    ("zh", "唯一的缺点是有点重", SAME),
    ("zh", "唯一不足是有点贵", SAME),
    ("zh", "最近很火", SAME),
    ("zh", "最终价格以页面为准", SAME),
    ("zh", "最初的设计", SAME),
    ("zh", "每人最多限购两件", SAME),
    ("zh", "最少买两件", SAME),
    ("zh", "最早明天发货", SAME),
    ("zh", "最晚周五到货", SAME),
    ("zh", "最大承重50公斤", SAME),
    ("zh", "最小号适合宝宝", SAME),
    ("zh", "最低温度零下二十度", SAME),
    ("zh", "最高可达60度", SAME),
    ("zh", "绝对值不大", SAME),
    ("zh", "医用级硅胶", SAME),
    ("zh", "1号链接", SAME),
    ("zh", "No.1 线", SAME),
    ("zh", "NO.1色号很显白", SAME),
    ("zh", "顶配版本", SAME),
    ("zh", "旗舰店", SAME),
    ("zh", "今天给大家带来一款保温杯，容量五百毫升。", SAME),
    # -- evasions: full width, spacing, separators, traditional characters, look-alikes --
    ("zh", "最 低 价 只要99", "优惠价 只要99"),
    ("zh", "最*低*价", "优惠价"),
    ("zh", "全網最低價", "优惠价"),
    ("zh", "最強續航", "很強續航"),
    ("zh", "全网第 一", "很受欢迎"),
    ("zh", "全 网 No.1", "很受欢迎"),
    ("zh", "ＮＯ．１面膜", "热门面膜"),
    ("zh", "n0.1面膜", "热门面膜"),
    ("zh", "１００％好用", "非常好用"),
    ("zh", "最\u200b低价", "优惠价"),
    ("en", "N O . 1 choice", "Popular choice"),
    ("en", "ＮＯ．１ choice", "Popular choice"),
    ("en", "n\u043e.1 choice", "popular choice"),  # Cyrillic o
    ("en", "the c h e a p e s t deal", "a very affordable deal"),
    ("en", "the b e s t price", "a great price"),
    # -- English superlatives --
    ("en", "This is the best serum.", "This is a great serum."),
    ("en", "It's the best!", "It's great!"),
    ("en", "the best shoes for summer", "great shoes for summer"),
    ("en", "The best price you'll find", "A great price you'll find"),
    ("en", "This is the best-ever formula", "This is a great formula"),
    ("en", "The world's best coffee", "A great coffee"),
    ("en", "the best-looking bag", "a great-looking bag"),
    ("en", "best in class performance", "great performance"),
    ("en", "Our lowest price ever!", "Our great price!"),
    ("en", "lowest prices", "great prices"),
    ("en", "It's the cheapest.", "It's very affordable."),
    ("en", "the cheapest deal", "a very affordable deal"),
    ("en", "It's cheaper than anywhere else", "It's good value"),
    ("en", "the most popular colour", "a really popular colour"),
    ("en", "most comfortable shoes", "really comfortable shoes"),
    ("en", "It's unbeatable", "It's excellent"),
    ("en", "an ultimate gift", "a great gift"),
    ("en", "the ultimate gift", "a great gift"),
    # -- English first / only --
    ("en", "We are number one", "We are a popular choice"),
    ("en", "Number one!", "A popular choice!"),
    ("en", "It's the number one serum", "It's a popular serum"),
    ("en", "#1 best-selling moisturiser", "popular moisturiser"),
    ("en", "#1-rated serum", "highly rated serum"),
    ("en", "Our best-selling cream", "Our popular cream"),
    ("en", "our best sellers", "our popular picks"),
    ("en", "No.1 choice", "Popular choice"),
    ("en", "TOP1 pick", "Popular pick"),
    ("en", "the only serum you need", "a serum you need"),
    ("en", "the only one that works", "one that works"),
    ("en", "An exclusive deal", "A special deal"),
    ("en", "exclusive offer", "special offer"),
    ("en", "the world's first foldable phone", "a new foldable phone"),
    ("en", "first-ever design", "new design"),
    ("en", "a one-of-a-kind piece", "a distinctive piece"),
    ("en", "the market leader in skincare", "a well-known brand in skincare"),
    # -- English top grade --
    ("en", "world-class quality", "excellent quality"),
    ("en", "top-grade leather", "excellent leather"),
    ("en", "military-grade case", "durable case"),
    ("en", "perfect for summer", "great for summer"),
    ("en", "flawless finish", "great finish"),
    # -- English absolute --
    ("en", "100% guaranteed", "guaranteed"),
    ("en", "100% Safe!", "Safe!"),
    ("en", "100 percent effective", "effective"),
    ("en", "100% natural", "natural"),
    ("en", "100% of buyers love it", "most buyers love it"),
    ("en", "guaranteed results", "good results"),
    ("en", "works every time", "works reliably"),
    ("en", "It lasts forever", "It lasts for a long time"),
    ("en", "permanent results", "long-lasting results"),
    ("en", "risk-free trial", "low-risk trial"),
    ("en", "absolutely stunning", "really stunning"),
    ("en", "a miracle cream", "a remarkable cream"),
    ("en", "no side effects at all", DROP),
    # -- English authority --
    ("en", "FDA approved formula", DROP),
    ("en", "doctor recommended", DROP),
    ("en", "clinically proven to work", DROP),
    # -- English false urgency --
    ("en", "Last chance to buy!", "A good chance to buy!"),
    ("en", "price goes up any minute", "price may change"),
    ("en", "the price is going up any minute", "the price may change"),
    ("en", "a once-in-a-lifetime deal", "a rare deal"),
    ("en", "it's now or never", "it's a good time to buy"),
    ("en", "this price will never come back", "this price is for this stream"),
    ("en", "buy before it's too late", "buy"),
    # -- English medical claims --
    ("en", "This cures acne", DROP),
    ("en", "it treats eczema", DROP),
    ("en", "heals acne fast", DROP),
    ("en", "it cured my acne", DROP),
    ("en", "medicinal herbs", DROP),
    ("en", "boosts immunity", DROP),
    # -- English near misses --
    ("en", "100% cotton tee", SAME),
    ("en", "100% organic cotton", SAME),
    ("en", "100% wool scarf", SAME),
    ("en", "the first one half price", SAME),
    ("en", "the first one is half price", SAME),
    ("en", "first, open the lid", SAME),
    ("en", "The only downside is the weight", SAME),
    ("en", "The only catch is shipping", SAME),
    ("en", "the only one left in stock", SAME),
    ("en", "Only one left", SAME),
    ("en", "best before March", SAME),
    ("en", "best wishes to all", SAME),
    ("en", "do your best", SAME),
    ("en", "All the best!", SAME),
    ("en", "the best is yet to come", SAME),
    ("en", "a unique design", SAME),
    ("en", "secure checkout", SAME),
    ("en", "dry-cured ham", SAME),
    ("en", "cured salmon", SAME),
    ("en", "The gel cures in 60 seconds under a UV lamp", SAME),
    ("en", "UV-cured coating", SAME),
    ("en", "Absolutely!", "Sure!"),
    ("en", "No.10 colour", SAME),
    ("en", "top 10 list", SAME),
    ("en", "1000% cotton", SAME),
    ("en", "Free shipping on orders over $50.", SAME),
    # -- mixed text: both term sets are checked --
    ("zh", "这个颜色是the best", "这个颜色是great"),
    ("en", "This one is 全网最低价", "This one is 优惠价"),
]




@pytest.mark.parametrize(("lang", "text", "expected"), CASES, ids=[f"{i}-{c[1][:12]}" for i, c in enumerate(CASES)])
def test_table(lang, text, expected):
    result = check(text, lang)
    assert isinstance(result, GuardResult)
    if expected is SAME:
        assert result == GuardResult(text, [], False)
    elif expected is DROP:
        assert result.dropped and result.text == "" and result.changes
    else:
        assert not result.dropped
        assert result.text == expected
        assert result.changes and all(isinstance(c, Change) for c in result.changes)
        assert all(c.term for c in result.changes)  # the term as written is reported


def test_table_is_large_and_covers_both_languages():
    assert len(CASES) >= 150
    kinds = {(lang, "same" if e is SAME else "drop" if e is DROP else "rewrite") for lang, _, e in CASES}
    assert kinds == {(l, k) for l in ("zh", "en") for k in ("same", "drop", "rewrite")}


@pytest.mark.parametrize(
    ("text", "lang", "category", "term", "replacement"),
    [
        ("这是全网最低价", "zh", "superlative", "全网最低价", "优惠价"),
        ("全网第一", "zh", "first_only", "全网第一", "很受欢迎"),
        ("国家级品质", "zh", "top_grade", "国家级", "高标准"),
        ("绝对好用", "zh", "absolute", "绝对", "真的"),
        ("特供酒", "zh", "authority", "特供", ""),
        ("仅此一次", "zh", "false_urgency", "仅此一次", "本场"),
        ("能治疗湿疹", "zh", "medical", "治疗", ""),
        ("最强续航", "zh", "superlative", "最强", "很强"),
        ("ＮＯ．１面膜", "zh", "first_only", "ＮＯ．１", "热门"),
        ("The best price", "en", "superlative", "The best price", "A great price"),
        ("Last chance!", "en", "false_urgency", "Last chance", "A good chance"),
    ],
)
def test_change_records_category_term_and_replacement(text, lang, category, term, replacement):
    assert check(text, lang).changes[0] == Change(category, term, replacement)


def test_lang_decides_the_rewrite_of_shared_terms():
    assert check("100%好用", "zh").text == "非常好用"
    assert check("It is 100% safe to wash", "en").text == "It is safe to wash"
    assert check("No.1 face cream", "en").text == "Popular face cream"


def test_check_script_warnings():
    lines = ["欢迎来到直播间", "今天的价格", "全网最低价，随时涨价", "这款能治疗湿疹", "100%纯棉"]
    assert check_script(lines, "zh") == [
        "line 3: 全网最低价 -> 优惠价 (superlative)",
        "line 3: 随时涨价 -> 价格以页面为准 (false_urgency)",
        "line 4: 治疗 -> (line not spoken) (medical)",
    ]
    assert check_script(["Our best-selling tee", "100% cotton"], "en") == [
        "line 1: best-selling -> popular (first_only)",
    ]
    assert check_script([], "zh") == []


@pytest.mark.parametrize(("lang", "text", "expected"), [c for c in CASES if c[2] is not SAME and c[2] is not DROP])
def test_idempotent_on_the_table(lang, text, expected):
    once = check(text, lang)
    assert check(once.text, lang).changes == []


ZH_CARRIERS = [
    "这款{}真的不错",
    "{}，大家快来看看",
    "家人们，{}！",
    "我跟你说这个{}哦",
    "这件衣服{}穿着舒服",
    "宝宝们{}下单吧",
    "今天{}，真心推荐",
    "这是我们家的{}好物",
    "{}",
    "价格是{}呢",
]
EN_CARRIERS = [
    "This is {} for sure.",
    "{} and it ships today",
    "Honestly, {}!",
    "Our {} jacket is back",
    "You will love it, {}",
    "Guys, this is {} right here",
    "{}",
    "Here it is: {}. Grab one",
    "It comes in blue and {} too",
    "We think {} works for you",
]


def test_fuzz_no_banned_term_survives():
    """Every term of both lists, inserted into 20 carrier sentences: the result never contains it,
    and checking the result again changes nothing."""
    from twincast.commerce.ad_guard import _view

    terms = banned_terms()
    assert len(terms) > 600
    failures = []
    for term, _category in terms:
        for lang, carriers in (("zh", ZH_CARRIERS), ("en", EN_CARRIERS)):
            for carrier in carriers:
                result = check(carrier.format(term), lang)
                if result.dropped:
                    if result.text != "":
                        failures.append((term, carrier, result.text))
                    continue
                view, _ = _view(result.text)
                if term in view or check(result.text, lang).changes:
                    failures.append((term, carrier, result.text))
    assert failures == []


def test_every_category_has_terms():
    categories = {c for _, c in banned_terms()}
    assert {"superlative", "first_only", "top_grade", "absolute", "authority", "false_urgency", "medical"} <= categories


def test_each_change_is_logged_with_its_category(caplog):
    with caplog.at_level(logging.INFO, logger="twincast.commerce.ad_guard"):
        check("全网最低价，绝对好用，仅此一次", "zh")
    messages = [r.getMessage() for r in caplog.records if r.name == "twincast.commerce.ad_guard"]
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name == "twincast.commerce.ad_guard")
    assert len(messages) == 3
    for category, term in (("superlative", "全网最低价"), ("absolute", "绝对"), ("false_urgency", "仅此一次")):
        assert any(category in m and term in m for m in messages)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="twincast.commerce.ad_guard"):
        check("100%纯棉", "zh")
    assert [r for r in caplog.records if r.name == "twincast.commerce.ad_guard"] == []


def test_fast_enough(capsys):
    sentences = [text for _, text, _ in CASES] + [
        "今天给大家带来一款非常好用的保温杯，容量五百毫升，保温十二小时，喜欢的宝宝们可以点击下方一号链接。",
        "Welcome back everyone, today we have a lightweight rain jacket in three colours, sizes S to XL.",
    ]
    for text in sentences:  # warm up
        check(text, "zh")
    timings = []
    for _ in range(5):
        for text in sentences:
            start = time.perf_counter()
            check(text, "zh")
            timings.append(time.perf_counter() - start)
    timings.sort()
    p95 = timings[int(0.95 * len(timings))]
    with capsys.disabled():
        print(f"\nad_guard: p50 {timings[len(timings) // 2] * 1e6:.0f} us, p95 {p95 * 1e6:.0f} us per sentence")
    assert p95 < 1e-3
