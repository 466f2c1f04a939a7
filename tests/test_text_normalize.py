"""Text normalisation: each case is an exact spoken form checked by hand."""

import time

import pytest

from twincast.voice.text_normalize import detect_lang, normalize

ZH_CASES = [
    # prices and currency
    ("¥89.9", "八十九点九元"),
    ("￥199", "一百九十九元"),
    ("89.9元", "八十九点九元"),
    ("$19.99", "十九点九九美元"),
    ("¥199.00", "一百九十九元"),
    ("到手价￥89.90", "到手价八十九点九元"),
    ("€5", "五欧元"),
    ("£10", "十英镑"),
    ("¥1,299", "一千二百九十九元"),
    ("0.5元", "零点五元"),
    ("100-200元", "一百到两百元"),  # was 二百: a leading 2 before 百 is said 两 in amounts
    # discounts and promotions
    ("5折", "五折"),
    ("8.5折", "八五折"),
    ("打7折", "打七折"),
    ("满300减50", "满三百减五十"),
    ("50%", "百分之五十"),
    ("12.5%", "百分之十二点五"),
    ("100％", "百分之一百"),
    ("买1送1", "买一送一"),
    ("前100名下单", "前一百名下单"),
    # quantities and units
    ("3件", "三件"),
    ("2件", "两件"),
    ("2个", "两个"),
    ("2瓶", "两瓶"),
    ("2双", "两双"),
    ("22件", "二十二件"),
    ("2.5斤", "二点五斤"),
    ("500ml", "五百毫升"),
    ("2kg", "两公斤"),
    ("1.5米", "一点五米"),
    ("2米", "两米"),
    ("350g", "三百五十克"),
    ("1L", "一升"),
    ("5000mAh", "五千毫安时"),
    ("12小时", "十二小时"),
    ("2小时", "两小时"),
    # plain numbers
    ("10000", "一万"),
    ("100005", "十万零五"),
    ("10", "十"),
    ("110", "一百一十"),
    ("1010", "一千零一十"),
    ("0", "零"),
    ("100000000元", "一亿元"),
    ("2,500,000,000元", "二十五亿元"),
    ("100001000元", "一亿零一千元"),
    ("3.14", "三点一四"),
    ("007号", "零零七号"),
    ("10,000人", "一万人"),
    ("1000000件", "一百万件"),
    # dates and times
    ("2025年", "二零二五年"),
    ("2年质保", "两年质保"),
    ("双11", "双十一"),
    ("双12", "双十二"),
    ("11月11日20:00", "十一月十一日二十点"),
    ("20:30", "二十点三十分"),
    ("8:05开始", "八点零五分开始"),
    ("2:00", "两点"),
    ("2点开播", "两点开播"),
    ("2025-11-11", "二零二五年十一月十一日"),
    # phone and order numbers
    ("13800138000", "一三八零零一三八零零零"),
    ("400-820-8820", "四零零，八二零，八八二零"),
    ("010-12345678", "零一零，一二三四五六七八"),
    ("订单号2025110100", "订单号二零二五一一零一零零"),
    # Latin and model numbers
    ("iPhone 15 Pro", "iPhone 十五 Pro"),
    ("A7", "A七"),
    ("XL", "XL"),
    ("RTX4090显卡", "RTX四零九零显卡"),
    ("Mate60", "Mate六十"),
    ("5G手机", "五G手机"),
    # cleanup
    ("好物🔥推荐", "好物推荐"),
    ("买它！！！", "买它！"),
    ("真的吗？？", "真的吗？"),
    ("看这里https://x.cn/abc", "看这里"),
    ("链接 www.shop.com 快抢", "链接快抢"),
    ("  多余   空格  ", "多余空格"),
    ("冲冲冲～～～", "冲冲冲～"),
    ("淘宝搜索taobao.com", "淘宝搜索"),
    ("jd.com下单", "下单"),
    ("example.cn/abc", ""),
    ("联系kefu@taobao.com或400-820-8820", "联系或四零零，八二零，八八二零"),
    ("销量NO.1", "销量第一"),
    # 两 in amounts and counts; 二 for ordinals, floors, dates and digit strings
    ("200", "两百"),
    ("2000", "两千"),
    ("20000", "两万"),
    ("2亿", "两亿"),
    ("2200", "两千二百"),
    ("12000", "一万两千"),
    ("¥2", "两元"),
    ("2美元", "两美元"),
    ("22", "二十二"),
    ("第2件半价", "第二件半价"),
    ("2楼", "二楼"),
    ("2月2日", "二月二日"),
    ("2-3个工作日", "两到三个工作日"),
    ("¥2.5", "二点五元"),
    # fractions, ratios and slash dates
    ("1/2", "二分之一"),
    ("3/4袖", "四分之三袖"),
    ("2/3的用户", "三分之二的用户"),
    ("11/11", "十一月十一日"),
    ("12/12晚8点", "十二月十二日晚八点"),
    ("9/9", "九月九日"),
    ("15/16", "十五/十六"),
    ("1:1还原", "一比一还原"),
    ("16:9屏幕", "十六比九屏幕"),
    ("7×24小时", "七乘二十四小时"),
    # signs and temperatures
    ("-5°C", "零下五摄氏度"),
    ("38℃", "三十八摄氏度"),
    ("气温-5度", "气温零下五度"),
    ("100°F", "华氏一百度"),
    ("360°旋转", "三百六十度旋转"),
    ("2-5℃", "二到五摄氏度"),
    ("续航+20%", "续航增加百分之二十"),
    ("-20元", "减二十元"),
    ("+9.9元换购", "加九点九元换购"),
    ("满300-50", "满三百减五十"),
    ("3+1", "三加一"),
    ("A+B套餐", "A+B套餐"),
    # thousands, 万 typed short, multipliers
    ("10k", "一万"),
    ("1.2k", "一千二"),
    ("2.5K", "两千五"),
    ("4K电视", "四K电视"),
    ("2w", "两万"),
    ("销量10w+", "销量十万多"),
    ("3万+", "三万多"),
    ("18+", "十八加"),
    ("口红x2", "口红乘二"),
    ("500g×2袋", "五百克乘两袋"),
    ("2x", "两倍"),
    ("2倍积分", "两倍积分"),
    ("2XL", "二XL"),
    ("小米X2", "小米X二"),
    ("65W快充", "六十五瓦快充"),
    ("256GB", "两百五十六G"),
    # prices per unit
    ("99元/2件", "九十九元两件"),
    ("¥199/件", "一百九十九元一件"),
    ("¥99-¥199", "九十九元到一百九十九元"),
]

EN_CASES = [
    # money
    ("$19.99", "nineteen dollars and ninety-nine cents"),
    ("$5", "five dollars"),
    ("$1", "one dollar"),
    ("$0.99", "ninety-nine cents"),
    ("$1.01", "one dollar and one cent"),
    ("$5.00", "five dollars"),
    ("$2.5", "two dollars and fifty cents"),
    ("$1,299", "one thousand two hundred ninety-nine dollars"),
    ("€3.50", "three euros and fifty cents"),
    ("£2", "two pounds"),
    ("¥89.9", "eighty-nine point nine yuan"),
    ("¥1", "one yuan"),
    ("only $5!", "only five dollars!"),
    # discounts
    ("50% off", "fifty percent off"),
    ("12.5%", "twelve point five percent"),
    ("100%", "one hundred percent"),
    ("buy 1 get 1 free", "buy one get one free"),
    # units
    ("500ml", "five hundred milliliters"),
    ("1ml", "one milliliter"),
    ("2kg", "two kilograms"),
    ("1kg", "one kilogram"),
    ("1.5m", "one point five meters"),
    ("3 pcs", "three pieces"),
    ("1 pc", "one piece"),
    ("350g", "three hundred fifty grams"),
    ("2L", "two liters"),
    ("5 lbs", "five pounds"),
    ("16oz", "sixteen ounces"),
    ("12 hours", "twelve hours"),
    ("3-5 days", "three to five days"),
    # plain numbers
    ("0", "zero"),
    ("7", "seven"),
    ("13", "thirteen"),
    ("40", "forty"),
    ("99", "ninety-nine"),
    ("105", "one hundred five"),
    ("1000", "one thousand"),
    ("10000", "ten thousand"),
    ("1,000,000", "one million"),
    ("2,500,000,000", "two billion five hundred million"),
    ("123456", "one hundred twenty-three thousand four hundred fifty-six"),
    ("3.14", "three point one four"),
    ("0.5", "zero point five"),
    # ordinals
    ("1st", "first"),
    ("2nd", "second"),
    ("3rd", "third"),
    ("21st", "twenty-first"),
    ("12th", "twelfth"),
    ("20th", "twentieth"),
    ("100th", "one hundredth"),
    ("the 5th item", "the fifth item"),
    # dates and times
    ("11/11", "eleven eleven"),
    ("12/12 sale", "twelve twelve sale"),
    ("20:00", "eight PM"),
    ("8:30", "eight thirty"),
    ("8:00", "eight o'clock"),
    ("8:05", "eight oh five"),
    ("20:30", "eight thirty PM"),
    ("0:00", "twelve AM"),
    ("9:00 am", "nine AM"),
    ("7:15pm", "seven fifteen PM"),
    # phone numbers
    ("800-555-0199", "eight zero zero, five five five, zero one nine nine"),
    ("call 1-800-555-0199 now", "call one, eight zero zero, five five five, zero one nine nine now"),
    ("8005550199", "eight zero zero five five five zero one nine nine"),
    # Latin and model numbers
    ("iPhone 15 Pro", "iPhone fifteen Pro"),
    ("A7", "A seven"),
    ("XL", "XL"),
    ("RTX4090", "RTX four zero nine zero"),
    # cleanup
    ("Hot deal 🔥🔥", "Hot deal"),
    ("Wow!!!", "Wow!"),
    ("Really?!?", "Really?"),
    ("visit https://x.cn/abc today", "visit today"),
    ("see www.shop.com now", "see now"),
    ("  lots   of   space  ", "lots of space"),
    ("shop at taobao.com today", "shop at today"),
    ("email help@shop.com", "email"),
    ("50% OFF", "fifty percent off"),
    # dates and years
    ("2026-11-11", "November eleventh, twenty twenty-six"),
    ("Nov 11", "November eleventh"),
    ("11 Nov 2026", "November eleventh, twenty twenty-six"),
    ("Dec. 25th, 2025", "December twenty-fifth, twenty twenty-five"),
    ("Oct 1-7", "October first to seventh"),
    ("11/11/2026", "November eleventh, twenty twenty-six"),
    ("in 1998", "in nineteen ninety-eight"),
    ("since 2008", "since two thousand eight"),
    ("from 2019 to 2026", "from twenty nineteen to twenty twenty-six"),
    ("est. 1905", "est. nineteen oh five"),
    ("the 1990s", "the nineteen nineties"),
    ("2026 items", "two thousand twenty-six items"),
    ("$2026", "two thousand twenty-six dollars"),
    ("in 15 minutes", "in fifteen minutes"),
    ("you may 2 times", "you may two times"),
    ("from 8am to 10pm", "from eight AM to ten PM"),
    # fractions, ratios, ratings
    ("1/2", "one half"),
    ("3/4", "three quarters"),
    ("2/3", "two thirds"),
    ("1/3 off", "one third off"),
    ("24/7 support", "twenty-four seven support"),
    ("4.8/5 stars", "four point eight out of five stars"),
    ("1:1 replica", "one to one replica"),
    ("and/or", "and/or"),
    # signs and temperatures
    ("-5°C", "minus five degrees Celsius"),
    ("1°C", "one degree Celsius"),
    ("100°F", "one hundred degrees Fahrenheit"),
    ("360°", "three hundred sixty degrees"),
    ("+20%", "plus twenty percent"),
    ("Model X-200", "Model X-two hundred"),
    # thousands, millions, multipliers, plus
    ("10k", "ten thousand"),
    ("1.2k", "one point two thousand"),
    ("10K+ sold", "ten thousand plus sold"),
    ("4K TV", "four K TV"),
    ("1.5M views", "one point five million views"),
    ("1,000+ reviews", "one thousand plus reviews"),
    ("orders $50+", "orders fifty dollars plus"),
    ("lipstick x2", "lipstick times two"),
    ("3x points", "three times points"),
    ("2XL", "two XL"),
    ("No.1", "number one"),
    ("#1 bestseller", "number one bestseller"),
    # prices per unit and ranges
    ("$199/pc", "one hundred ninety-nine dollars per piece"),
    ("$99/2 pcs", "ninety-nine dollars for two pieces"),
    ("$2.99/ea", "two dollars and ninety-nine cents each"),
    ("$10-$20", "ten dollars to twenty dollars"),
    ("256GB", "two hundred fifty-six gigabytes"),
]


@pytest.mark.parametrize(("text", "expected"), ZH_CASES)
def test_normalize_zh(text: str, expected: str) -> None:
    assert normalize(text, "zh") == expected


@pytest.mark.parametrize(("text", "expected"), EN_CASES)
def test_normalize_en(text: str, expected: str) -> None:
    assert normalize(text, "en") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天上新", "zh"),
        ("iPhone 15 现货", "zh"),
        ("Hello there", "en"),
        ("", "en"),
        ("123", "en"),
        ("🔥", "en"),
    ],
)
def test_detect_lang(text: str, expected: str) -> None:
    assert detect_lang(text) == expected


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("text", ["", "   ", "🔥😀👍", "🔥 ❤️ ✨"])
def test_empty_and_emoji_only_become_empty(text: str, lang: str) -> None:
    assert normalize(text, lang) == ""


def test_unknown_language_is_rejected() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        normalize("hi", "fr")


@pytest.mark.parametrize(
    ("lang", "chunk"),
    [
        ("zh", "限时¥89.9，满300减50，2件8.5折！今晚20:30开抢，电话400-820-8820🔥 "),
        ("en", "Only $19.99, 50% off, 2kg for 11/11 at 20:00, call 800-555-0199 🔥 "),
    ],
)
def test_long_text_is_fast(lang: str, chunk: str) -> None:
    text = (chunk * (10_000 // len(chunk) + 1))[:10_000]
    start = time.perf_counter()
    spoken = normalize(text, lang)
    assert time.perf_counter() - start < 2.0
    assert spoken and not any(ch.isdigit() for ch in spoken)
