"""A viewer's message -> what the clone says back, built only from catalogue facts.

    answer(catalog, "保温杯多少钱？") -> Answer(intent="price", product="TB-500",
        text="316不锈钢保温杯现在是89.9元。", facts=[Fact("TB-500", "name", ...), Fact(..., "price", "89.9")],
        speak=True)

Templates, not free text: every number in an answer is a fact cited from the catalogue, and
fact_check verifies that before anything is returned (a template that ever fails the check falls
back to "let me check", so a bug costs an answer, never a wrong price). There are several templates
per intent and language; the choice is a stable hash of (seed, intent, message), so the same
message always gets the same words and different messages get varied ones. What the catalogue does
not hold is never guessed: the answer says it will check ("这个我帮您问一下客服" / "I'll check that for
you"). Then the ad-law guard (ad_guard.check) sees the text; what it drops is not spoken.

An optional LLM (llm_rephrase) may reword an answer; its output passes the same fact check and guard
or the template stands."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import zlib
from dataclasses import dataclass, field

from twincast.commerce import fact_check, intent as intents, intent_model, product_match
from twincast.commerce.fact_check import Fact
from twincast.commerce.model import Catalog, Product

PRODUCT_INTENTS = ("price", "stock", "spec", "shipping", "coupon", "faq", "purchase_help")
FAQ_STRONG = 0.6  # a FAQ match this close overrides a spec keyword ("保温效果怎么样" is a FAQ question)
FAQ_OTHER = 0.8  # how close a question must be to another product's FAQ to move away from the screen
BARE_MAX_CHARS, BARE_MAX_WORDS = 4, 2  # what may stand beside a product name in a bare mention of it
MAX_LISTED = 4  # products named when asking "which one?"; more is a speech, not an answer
# The learned model (intent_model.py) decides where the rules found no keyword and it is this sure, and
# overrules a keyword it is this sure against; never against the rules' "unsafe". Chosen by 4-fold
# cross-validation on the training sets the rules were never tuned on (docs/BENCHMARKS.md): from 0.3 to
# 0.6 the figures differ by under 1 point; a keyword then stands only where the model hesitates.
MODEL_FALLBACK_P = 0.3
MODEL_OVERRIDE_P = 0.4

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")


@dataclass
class Answer:
    intent: str
    product: str | None
    text: str
    facts: list[Fact] = field(default_factory=list)
    speak: bool = True
    lang: str = "zh"
    source: str = "template"  # or "llm"
    guard_changes: list = field(default_factory=list)

    def as_dict(self) -> dict:
        """The JSON the CLI prints (issue 5): exactly these five keys."""
        return {
            "intent": self.intent,
            "product": self.product,
            "text": self.text,
            "facts": [f.as_dict() for f in self.facts],
            "speak": self.speak,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False)


# --- templates ------------------------------------------------------------------------------------
# Placeholders are filled only with formatted catalogue values. Words that are claims in fact_check
# (包邮, 现货, 券, 原价 ...) appear only in templates whose facts license them.

T = {
    "zh": {
        "price": ("{name}现在是{price}{was}。", "{name}的价格是{price}{was}，喜欢直接拍就行。", "这款{name}，{price}{was}。",
                  "{name}卖{price}哦{was}。"),
        "price_list": ("，原价{list_price}", "，划线价{list_price}"),
        "stock": ("{name}还有{stock}件现货。", "{name}库存还有{stock}件。", "{name}目前有货，还剩{stock}件。"),
        "stock_out": ("{name}暂时卖完了，可以先看看别的款。", "不好意思，{name}目前没货了。", "{name}现在售罄了。"),
        "spec": ("{name}的{key}是{value}。", "这款{name}，{key}{value}。", "{key}：{value}。"),
        "spec_intro": ("{name}：{points}。", "给大家说说{name}：{points}。", "{name}的特点是{points}。"),
        "ship_lead": ("{parts}。", "物流方面，{parts}。", "放心，{parts}。"),
        "ship_from": "{name}从{from_}发货",
        "ship_days": "付款后{days}天内发出",
        "ship_free": "包邮",
        "ship_paid": "不包邮",
        "coupon": ("{name}现在有{deal}{until}。", "可以领{deal}{until}，领了再拍更划算。", "{name}有{deal}{until}，记得先领。"),
        "deal_threshold": "满{threshold}减{off}的券",
        "deal_off": "立减{off}的券",
        "deal_percent": "{pct}%的优惠券",
        "until": "，{month}月{day}日截止",
        "no_coupon": ("{name}目前没有额外活动，到手就是{price}。", "这款{name}暂时没有活动，价格是{price}。"),
        "faq": ("{answer}", "关于{name}：{answer}", "这个问题我来说一下，{answer}"),
        "unknown": ("这个我帮您问一下客服，稍后回复您。", "这个问题我帮您问一下客服哈。", "这个我这边没有准确信息，我帮您问一下客服。"),
        "which": ("您问的是哪一款呢？现在有{names}。", "想问哪一款呀？我们有{names}。"),
        "greeting": ("欢迎来到直播间！想了解哪款，直接打在公屏上。", "哈喽，欢迎欢迎！有问题随时问我。",
                     "欢迎新来的朋友，有想看的告诉我。"),
        "gift_thanks": ("谢谢您的礼物，感谢支持！", "收到礼物啦，谢谢宝宝！", "感谢送的礼物，太暖心了！"),
        "complaint": ("非常抱歉给您带来不好的体验，麻烦把订单号私信客服，我们尽快帮您处理。",
                      "抱歉抱歉，您私信客服说明情况，客服会跟进处理。",
                      "不好意思让您不满意了，请联系客服，我们认真处理。"),
        "purchase_help": ("点下方购物车，找到{name}直接下单就行。", "{name}在下方购物车里，点进去就能拍。",
                          "想要{name}的话，点购物车里的链接下单。"),
        "purchase_any": ("点下方购物车，挑好直接下单就行。", "商品都在下方购物车里，点进去就能拍。"),
        "offtopic": ("哈哈，这个我就不聊啦，有商品问题随时问我。", "这个问题我答不上来，咱们还是聊聊商品吧。",
                     "我们专心聊商品哦，想看哪款告诉我。"),
        "offtopic_ai": ("我是AI数字人主播，有商品问题随时问我。", "我是AI生成的数字人主播哦，商品问题尽管问。"),
        "list_sep": "、",
    },
    "en": {
        "price": ("The {name} is {price} right now{was}.", "{name}: {price}{was}.", "It's {price} for the {name}{was}.",
                  "The {name} sells for {price}{was}."),
        "price_list": (", list price {list_price}", ", down from a list price of {list_price}"),
        "stock": ("We have {stock} of the {name} in stock.", "Yes, the {name} is in stock: {stock} left.",
                  "{stock} left of the {name}, in stock now."),
        "stock_out": ("Sorry, the {name} is sold out right now.", "The {name} is out of stock at the moment."),
        "spec": ("The {name}'s {key} is {value}.", "{key} of the {name}: {value}.", "The {name} has a {key} of {value}."),
        "spec_intro": ("About the {name}: {points}.", "The {name} in short: {points}.", "Here's the {name}: {points}."),
        "ship_lead": ("{parts}.", "On shipping: {parts}.", "Good question: {parts}."),
        "ship_from": "the {name} ships from {from_}",
        "ship_days": "it goes out within {days} days of payment",
        "ship_free": "shipping is free",
        "ship_paid": "shipping is not free",
        "coupon": ("The {name} has {deal}{until}.", "You can claim {deal}{until}.", "There's {deal} on the {name}{until}."),
        "deal_threshold": "a coupon for {off} off orders of {threshold}",
        "deal_off": "a coupon for {off} off",
        "deal_percent": "a {pct}% off coupon",
        "until": ", valid until {month_name} {day}",
        "no_coupon": ("No extra deals on the {name} right now; it's {price}.", "The {name} has no promotion at the moment: {price}."),
        "faq": ("{answer}", "About the {name}: {answer}", "Good question. {answer}"),
        "unknown": ("I'll check that for you and get back to you.", "Good question, I'll check that for you.",
                    "I don't have that detail here; I'll check that for you."),
        "which": ("Which one do you mean? We have {names}.", "Which product are you asking about? There's {names}."),
        "greeting": ("Welcome in! Ask me anything about the products.", "Hi there, welcome to the stream!",
                     "Hey, glad you're here. Questions are welcome any time."),
        "gift_thanks": ("Thank you so much for the gift!", "Thanks for the support, really appreciate it!",
                        "Wow, thank you for the gift!"),
        "complaint": ("I'm really sorry about that. Please message customer service with your order number so they can sort it out.",
                      "Sorry for the trouble. Customer service will follow up if you send them your order details.",
                      "That's not the experience we want. Please message customer service so they can help."),
        "purchase_help": ("Tap the cart below and pick the {name}.", "The {name} is in the shopping cart below; tap it to order.",
                          "To get the {name}, open the cart below and check out from there."),
        "purchase_any": ("Tap the cart below, pick what you like and check out.", "Everything is in the cart below; tap an item to order."),
        "offtopic": ("Ha, I'll stay on topic. Ask me anything about the products!",
                     "Can't help with that one, but happy to answer product questions.",
                     "Let's keep it to the products; which one would you like to see?"),
        "offtopic_ai": ("I'm an AI presenter. Happy to help with any product questions!",
                        "I'm an AI-generated host, so ask me anything about the products."),
        "list_sep": ", ",
    },
}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_AI_QUESTION = re.compile(r"真人|机器人|\bai\b|人工智能|数字人|\brobot\b|\bbot\b|\bhuman\b|\breal person\b|are you real", re.I)


def _pick(options, key: str) -> str:
    if isinstance(options, str):
        return options
    return options[zlib.crc32(key.encode("utf-8")) % len(options)]


def money(value: str, currency: str, lang: str) -> str:
    if lang == "zh":
        return {"CNY": f"{value}元", "USD": f"{value}美元", "EUR": f"{value}欧元"}.get(currency, f"{value}{currency}")
    return {"CNY": f"{value} yuan", "USD": f"${value}", "EUR": f"€{value}", "GBP": f"£{value}"}.get(currency, f"{value} {currency}")


def detect_lang(message: str, romanised: bool, default: str) -> str:
    """Answer in the viewer's language: any Chinese character (or pinyin typed out) means Mandarin."""
    if _CJK.search(message) or romanised:
        return "zh"
    if _LATIN.search(message):
        return "en"
    return default


class _Builder:
    """Collects the facts a reply cites while its text is assembled, so the two cannot drift apart."""

    def __init__(self, catalog: Catalog, product: Product | None, lang: str, key: str) -> None:
        self.catalog, self.p, self.lang, self.key = catalog, product, lang, key
        self.facts: list[Fact] = []
        self.t = T[lang]

    def cite(self, field_path: str, product: Product | None = None) -> str:
        f = fact_check.fact(product or self.p, field_path)
        if f not in self.facts:
            self.facts.append(f)
        return f.value

    def money(self, field_path: str) -> str:
        return money(self.cite(field_path), self.catalog.currency, self.lang)

    def pick(self, name: str, salt: str = "") -> str:
        return _pick(self.t[name], f"{self.key}|{name}|{salt}")


def _unknown(b: _Builder) -> str:
    b.facts.clear()
    return b.pick("unknown")


def _price(b: _Builder, message: str) -> str:
    p = b.p
    name = b.cite("name")
    price = b.money("price")
    was = ""
    if p.list_price is not None and p.list_price > p.price:
        was = b.pick("price_list").format(list_price=b.money("list_price"))
    return b.pick("price").format(name=name, price=price, was=was)


def _stock(b: _Builder, message: str) -> str:
    name = b.cite("name")
    stock = b.cite("stock")
    return b.pick("stock" if int(stock) > 0 else "stock_out").format(name=name, stock=stock)


def _spec(b: _Builder, message: str) -> str:
    p = b.p
    hit = product_match.spec_key(p, message)
    if hit:
        key, concept = hit
        name = b.cite("name")
        value = b.cite(f"specs.{key}")
        shown = product_match.CONCEPT_EN.get(concept, key) if b.lang == "en" and not key.isascii() else key
        return b.pick("spec").format(name=name, key=shown, value=value)
    point = product_match.feature_point(p, message)
    if point is not None:  # a feature the product is sold on rather than a spec it lists
        return b.pick("spec_intro").format(name=b.cite("name"), points=b.cite(f"selling_points.{point}"))
    if product_match.asked_concepts(message):
        return _unknown(b)  # asked for a spec this product does not list: never guess one
    name = b.cite("name")
    if p.selling_points:
        points = [b.cite(f"selling_points.{i}") for i in range(min(3, len(p.selling_points)))]
    elif p.specs:
        points = [f"{k} {b.cite(f'specs.{k}')}" for k in list(p.specs)[:3]]
    else:
        return _unknown(b)
    return b.pick("spec_intro").format(name=name, points=b.t["list_sep"].join(points))


def _shipping(b: _Builder, message: str) -> str:
    s = b.p.shipping
    if s is None or (s.from_ is None and s.days is None and s.free is None):
        return _unknown(b)
    parts = []
    name = b.cite("name")
    if s.from_:
        parts.append(b.t["ship_from"].format(name=name, from_=b.cite("shipping.from")))
    if s.days is not None:
        parts.append(b.t["ship_days"].format(days=b.cite("shipping.days")))
    if s.free is not None:
        parts.append(b.t["ship_free" if b.cite("shipping.free") == "true" else "ship_paid"])
    if not s.from_:
        parts[0] = (f"{name}" + ("：" if b.lang == "zh" else ": ") + parts[0])
    joined = ("，" if b.lang == "zh" else ", ").join(parts)
    text = b.pick("ship_lead").format(parts=joined)
    return text[0].upper() + text[1:] if b.lang == "en" else text


def _coupon(b: _Builder, message: str, now: dt.datetime) -> str:
    c = b.p.coupon
    name = b.cite("name")
    if c is not None and hasattr(c, "active") and not c.active(now):
        c = None  # an expired coupon is not offered
    if c is None:
        return b.pick("no_coupon").format(name=name, price=b.money("price"))
    if c.percent_off is not None:
        deal = b.t["deal_percent"].format(pct=b.cite("coupon.percent_off"))
    elif c.threshold:
        deal = b.t["deal_threshold"].format(threshold=b.money("coupon.threshold"), off=b.money("coupon.off"))
    else:
        deal = b.t["deal_off"].format(off=b.money("coupon.off"))
    until = ""
    if c.expires is not None:
        b.cite("coupon.expires")
        until = b.t["until"].format(month=c.expires.month, day=c.expires.day,
                                    month_name=_MONTHS[c.expires.month - 1])
    return b.pick("coupon").format(name=name, deal=deal, until=until)


def _faq(b: _Builder, message: str, hit: tuple[int, float] | None) -> str:
    if hit is None:
        return _unknown(b)
    i = hit[0]
    b.cite(f"faq.{i}.q")
    answer = b.cite(f"faq.{i}.a")
    return b.pick("faq").format(name=b.cite("name"), answer=answer)


def _purchase(b: _Builder, message: str) -> str:
    if b.p is None:
        return b.pick("purchase_any")
    return b.pick("purchase_help").format(name=b.cite("name"))


def _which(b: _Builder) -> str:
    names = [b.cite("name", p) for p in b.catalog.products[:MAX_LISTED]]
    return b.pick("which").format(names=b.t["list_sep"].join(names))


_BUILD = {"price": _price, "stock": _stock, "spec": _spec, "shipping": _shipping, "purchase_help": _purchase}


def classify(catalog: Catalog, message: str, current_sku: str | None = None) -> tuple[str, Product | None, str, tuple | None, bool]:
    """(intent, product, how the product was found, FAQ hit, romanised) without building text."""
    index = product_match.index_for(catalog)
    res = index.resolve(message, current_sku)
    message = index.strip_names(message)  # what is left says what the viewer wants to know
    found = intents.recognise(message)
    name = found.name
    product = catalog.product(res.sku) if res.sku else None
    if name == "unsafe":
        return name, None, res.how, None, found.romanised
    faq_hit = index.faq(product, message) if product else None
    if faq_hit is None and product is not None and res.how != "named" and name in (None, "faq") \
            and not intents.refers_to_screen(message):
        # "会沾杯吗" with the thermos on screen: a question only another product's FAQ asks, nearly word
        # for word, is about that product
        other = max(((p, index.faq(p, message)) for p in catalog.products if p is not product),
                    key=lambda x: x[1][1] if x[1] else 0)
        if other[1] and other[1][1] >= FAQ_OTHER:
            product, faq_hit, res = other[0], other[1], product_match.Resolution(other[0].sku, "faq")
    if product is None and name in (None, "faq"):
        # no product on screen or named: a FAQ question may still identify one
        best = max(((p, index.faq(p, message)) for p in catalog.products), key=lambda x: x[1][1] if x[1] else 0)
        if best[1]:
            product, faq_hit, res = best[0], best[1], product_match.Resolution(best[0].sku, "faq")
    if faq_hit and (name in (None, "faq") or (name in ("spec", "offtopic") and faq_hit[1] >= FAQ_STRONG)):
        name = "faq"
    elif name is None:
        spec_hit = product_match.spec_key(product, message) if product else None
        pointed = res.how == "named" or intents.refers_to_screen(message)
        feature = product_match.feature_point(product, message) if product and not spec_hit else None
        if spec_hit or product_match.asked_concepts(message) or feature is not None:
            name = "spec"  # a spec, or a feature the product is sold on ("有降噪吗" -> 主动降噪)
        elif (pointed or (product is not None and intents.asks_about_use(message))) and intents.has_question(message):
            name = "faq"  # a question about the product we hold no answer to: "let me check"
        elif res.how == "named" and _bare_mention(message):
            name = "spec"  # a bare product name: introduce it
        else:
            name = None
    name = _second_opinion(message, name)
    return name, (None if name == "unsafe" else product), res.how, faq_hit, found.romanised


def _second_opinion(stripped: str, name: str | None) -> str:
    """The rules' intent (None: no keyword, no catalogue cue), or the learned model's where it is sure."""
    model = intent_model.load()
    if model is None:
        return name or "offtopic"
    guess, p = model.predict(stripped)
    if name is None:
        return guess if p >= MODEL_FALLBACK_P else "offtopic"
    return guess if p >= MODEL_OVERRIDE_P else name


def _bare_mention(stripped: str) -> bool:
    """The name with little else ("保温杯", "这个保温杯呢", "the thermos"): a request to introduce it. A
    sentence that only mentions it ("我家猫把杯子打翻了哈哈") is chatter."""
    rest = product_match.content_words(stripped)
    return sum(w.isascii() for w in rest) <= BARE_MAX_WORDS and sum(not w.isascii() for w in rest) <= BARE_MAX_CHARS


def _guard(text: str, lang: str) -> tuple[str, bool, list]:
    """ad_guard.check when the module is there (it is written alongside this one)."""
    try:
        guard = importlib.import_module("twincast.commerce.ad_guard")
    except ImportError:
        return text, False, []
    result = guard.check(text, lang)
    return result.text, bool(result.dropped), list(result.changes or [])


def answer(catalog: Catalog, message: str, current_sku: str | None = None, lang: str | None = None,
           seed: int = 0, rephraser=None, now: dt.datetime | None = None) -> Answer:
    """The reply to one chat message. `current_sku` is the product on screen ("这个" / "this one");
    `lang` forces the reply language; `seed` varies the template choice (same seed, same words);
    `rephraser` is an optional llm_rephrase.Rephraser; `now` decides whether a coupon has expired."""
    name, product, how, faq_hit, romanised = classify(catalog, message, current_sku)
    asked = product_match.index_for(catalog).strip_names(message)
    lang = lang or detect_lang(message, romanised, catalog.language)
    key = f"{seed}|{name}|{message}"
    if name == "unsafe":
        return Answer("unsafe", None, "", [], False, lang)
    b = _Builder(catalog, product, lang, key)
    if name in PRODUCT_INTENTS and name != "purchase_help" and product is None:
        text = _which(b)
    elif name == "faq":
        text = _faq(b, asked, faq_hit)
    elif name == "coupon":
        text = _coupon(b, asked, now or dt.datetime.now())
    elif name in _BUILD:
        text = _BUILD[name](b, asked)
    elif name == "offtopic" and _AI_QUESTION.search(message):
        text = b.pick("offtopic_ai")
    else:
        text = b.pick(name)
    sku = product.sku if product is not None and (name in PRODUCT_INTENTS or how == "named") else None
    if lang == "en" and text:
        text = text[0].upper() + text[1:]
    if fact_check.check(text, b.facts, catalog):  # a template bug must not become a wrong price
        text = _unknown(b)
    result = Answer(name, sku, text, list(b.facts), True, lang)
    if rephraser is not None and b.facts:
        from twincast.commerce import llm_rephrase

        result = llm_rephrase.apply(result, catalog, message, rephraser)
    return _guarded(result)


def _guarded(result: Answer) -> Answer:
    text, dropped, changes = _guard(result.text, result.lang)
    result.guard_changes = changes
    if dropped or not text.strip():
        result.speak = False
        return result
    if text != result.text and fact_check.verify_text(text, result.facts):
        result.speak = False  # what the guard left no longer stands on its facts
        return result
    result.text = text
    return result
