"""What the run-of-show says, zh and en: several wordings per segment, filled only with catalogue facts.

Each segment of a product's pitch is a list of *slots* (one thing to say: the hook, one selling
point, one group of specs ...) and each slot a list of *drafts*, the same content in different
words. The director picks a draft whose sentences were not said in the last 10 minutes.

Every value put into a template is read through `fact_check.fact`, so it is the catalogue's own
spelling (89.9 stays "89.9"; the voice's normaliser reads digits out) and every draft carries the
facts it cites: the director runs `fact_check.check` on each line, so a template bug costs a line,
never a wrong price. Templates hold no digits of their own and no words that are claims without a
fact (包邮 only when shipping.free is true, 原价 only with a list price, no 今天/today/最/best).
A variant is one sentence where it can be: the repeat rule works per sentence, and a generic
second sentence ("Tap the cart below.") would block that variant for every other product."""

from __future__ import annotations

from dataclasses import dataclass

from twincast.commerce import fact_check
from twincast.commerce.fact_check import Fact
from twincast.commerce.model import Coupon, Product

SEGMENTS = ("hook", "selling_points", "specs", "price", "coupon", "cta", "faq")
MAX_POINTS = 4  # selling points per pass: more is a lecture
SPECS_PER_LINE = 3  # a longer list is split over lines (each a slot, each its own sentence)
MAX_FAQ = 3


@dataclass(frozen=True, slots=True)
class Draft:
    text: str
    facts: tuple[Fact, ...]
    variant: str  # "price_list/2": which template (status, tests, logs)


# --- templates ------------------------------------------------------------------------------------

T: dict[str, dict[str, tuple[str, ...]]] = {
    "zh": {
        "hook": ("来看这款{name}。", "接下来给大家介绍{name}。", "{name}来了，想要的朋友在公屏打个想要。",
                 "下面这款是{name}，大家看一下。", "现在给大家上{name}。"),
        "point": ("{name}的亮点：{point}。", "说说{name}，{point}。", "这款{name}，{point}。", "大家注意，{point}。"),
        "specs": ("{name}的参数：{specs}。", "给大家报一下{name}的参数，{specs}。", "看下{name}的规格，{specs}。"),
        "shipping": ("{name}{parts}。", "物流方面，{name}{parts}。", "说下发货，{name}{parts}。"),
        "price_list": ("{name}原价{list_price}，直播间价格{price}。", "{name}划线价{list_price}，现在只要{price}。",
                       "原价{list_price}的{name}，现在{price}就能带走。"),
        "price": ("{name}的价格是{price}。", "{name}现在{price}。", "这款{name}只要{price}。"),
        "coupon": ("{name}现在可以领{deal}，优惠券倒计时开始了。", "记得先领{deal}再下单{name}，看屏幕上的倒计时。",
                   "{name}的福利来了，{deal}，倒计时结束前都能领。"),
        "cta": ("喜欢{name}的朋友，点下方购物车就能下单。", "想要{name}的，直接点购物车里的链接。",
                "{name}在下方购物车，点进去就能拍。"),
        "cta_free": ("{name}包邮，点下方购物车下单。",),
        "cta_stock": ("{name}还有{stock}件，喜欢的可以下单了。",),
        "faq": ("很多朋友问{name}{q}？{a}", "常见问题，{name}{q}？{a}", "有朋友关心{name}{q}，{a}"),
        "sold_out": ("{name}已经卖完了，大家先看看别的。", "{name}目前售罄，我们看下一款。"),
        # viewers (numbers here are counts of people and gifts, not catalogue facts: no fact check)
        "thanks_gift": ("感谢{names}等{n}位朋友的礼物！", "谢谢{names}等{n}位朋友送的礼物，感谢支持！",
                        "收到{names}等{n}位朋友的礼物，谢谢大家！"),
        "thanks_gift_named": ("感谢{names}的礼物！", "谢谢{names}送的礼物，感谢支持！", "收到{names}的礼物啦，谢谢！"),
        "thanks_gift_anon": ("感谢{n}位朋友的礼物！", "谢谢{n}位朋友送的礼物！"),
        "thanks_big": ("感谢{name}送的{gift}！", "谢谢{name}的{gift}，太感谢了！", "收到{name}送的{gift}，谢谢支持！"),
        "thanks_follow": ("感谢{names}等{n}位朋友的关注！", "谢谢{names}等{n}位朋友点关注！"),
        "thanks_follow_named": ("感谢{names}的关注！", "谢谢{names}点关注！"),
        "thanks_follow_anon": ("感谢{n}位新朋友的关注！", "谢谢{n}位朋友点关注！"),
        "greet": ("欢迎{names}等{n}位朋友来到直播间！", "欢迎{names}等{n}位朋友，有问题随时问我。"),
        "greet_named": ("欢迎{names}来到直播间！", "欢迎{names}，有问题随时问我。"),
        "greet_anon": ("欢迎{n}位新来的朋友！", "欢迎刚进来的{n}位朋友！"),
    },
    "en": {
        "hook": ("Let's take a look at the {name}.", "Next up, the {name}.", "Here's the {name}, have a look.",
                 "Now for the {name}.", "Time to show you the {name}."),
        "point": ("What I like about the {name}: {point}.", "On the {name}, {point_lc}.", "The {name}: {point_lc}.",
                  "One more thing about the {name}: {point_lc}."),
        "specs": ("Quick specs on the {name}: {specs}.", "The {name} in numbers: {specs}.", "Specs for the {name}: {specs}."),
        "shipping": ("The {name} {parts}.", "On shipping, the {name} {parts}.", "About delivery, the {name} {parts}."),
        "price_list": ("The {name} has a list price of {list_price}, and here it's {price}.",
                       "List price {list_price} for the {name}, and right now it's {price}.",
                       "Regular price {list_price}, and on this stream the {name} is {price}."),
        "price": ("The {name} is {price}.", "You can get the {name} for {price}.", "Price check: the {name} is {price}."),
        "coupon": ("Coupon time on the {name}: {deal}, watch the countdown on screen.",
                   "Grab the coupon for the {name} first: {deal} while the countdown runs.",
                   "There's a coupon on the {name}, {deal}, until the countdown ends."),
        "cta": ("If you want the {name}, tap the cart below to order.", "The {name} is in the cart below; tap it to check out.",
                "If you like the {name}, open the cart below and order."),
        "cta_free": ("Shipping is free on the {name}; tap the cart below to order.",),
        "cta_stock": ("We have {stock} of the {name} in stock; tap the cart below to order.",),
        "faq": ("A common question about the {name}: {q}? {a}", "People ask about the {name}: {q}? {a}",
                "Someone always asks about the {name}: {q}? {a}"),
        "sold_out": ("The {name} is sold out for now.", "The {name} is out of stock, so let's move on."),
        "thanks_gift": ("Thanks {names} and {others} for the gifts!", "Thank you {names} and {others} for the gifts!",
                        "Big thanks to {names} and {others} for the gifts!"),
        "thanks_gift_named": ("Thanks {names} for the gifts!", "Thank you {names} for the gifts!", "Big thanks to {names} for the gifts!"),
        "thanks_gift_anon": ("Thanks to {n} of you for the gifts!", "Thank you {n} friends for the gifts!"),
        "thanks_big": ("Thank you {name} for the {gift}!", "Wow, thanks {name} for the {gift}!", "{name}, thank you for the {gift}!"),
        "thanks_follow": ("Thanks {names} and {others} for the follow!", "Thank you {names} and {others} for following!"),
        "thanks_follow_named": ("Thanks {names} for the follow!", "Thank you {names} for following!"),
        "thanks_follow_anon": ("Thanks to {n} new followers!", "Thank you {n} of you for following!"),
        "greet": ("Welcome {names} and {others}!", "Hi {names} and {others}, welcome in!"),
        "greet_named": ("Welcome {names}!", "Hi {names}, welcome in!"),
        "greet_anon": ("Welcome to the {n} of you who just joined!", "Hi to the {n} new friends here!"),
    },
}

_SEP = {"zh": {"list": "，", "names": "、"}, "en": {"list": ", ", "names": ", "}}


def money(value: str, currency: str, lang: str) -> str:
    if lang == "zh":
        return {"CNY": f"{value}元", "USD": f"{value}美元", "EUR": f"{value}欧元"}.get(currency, f"{value}{currency}")
    return {"CNY": f"{value} yuan", "USD": f"${value}", "EUR": f"€{value}", "GBP": f"£{value}"}.get(currency, f"{value} {currency}")


class _Cite:
    """Collects the facts a slot cites while its fields are read, so text and facts cannot drift apart."""

    def __init__(self, product: Product) -> None:
        self.p = product
        self.facts: list[Fact] = []

    def __call__(self, field: str) -> str:
        f = fact_check.fact(self.p, field)
        if f not in self.facts:
            self.facts.append(f)
        return f.value


def _bare(text: str) -> str:
    return text.strip().rstrip("。.!！?？;；,，、 ")


def _slot(lang: str, key: str, cite: _Cite, **fields: str) -> list[Draft]:
    facts = tuple(cite.facts)
    return [Draft(t.format(**fields), facts, f"{key}/{i}") for i, t in enumerate(T[lang][key])]


def deal_text(coupon: Coupon, product: Product, currency: str, lang: str, cite: _Cite | None = None) -> str:
    """The coupon in words: 满100减20 / 立减20 / 15%的优惠 (zh), "$20 off orders of $100" (en)."""
    cite = cite or _Cite(product)
    if coupon.percent_off is not None:
        pct = cite("coupon.percent_off")
        return f"{pct}%的优惠" if lang == "zh" else f"{pct}% off"
    off = cite("coupon.off")
    if coupon.threshold:
        threshold = cite("coupon.threshold")
        return f"满{threshold}减{off}" if lang == "zh" else f"{money(off, currency, lang)} off orders of {money(threshold, currency, lang)}"
    return f"立减{off}" if lang == "zh" else f"{money(off, currency, lang)} off"


def segment_slots(segment: str, product: Product, currency: str, lang: str, *, coupon_on: bool = True) -> list[list[Draft]]:
    """The slots of one segment for one product ([] when the catalogue has nothing for it)."""
    builder = _BUILDERS[segment]
    return [slot for slot in builder(product, currency, lang, coupon_on) if slot]


def _hook(p: Product, currency: str, lang: str, coupon_on: bool) -> list[list[Draft]]:
    c = _Cite(p)
    return [_slot(lang, "hook", c, name=c("name"))]


def _points(p: Product, currency: str, lang: str, coupon_on: bool) -> list[list[Draft]]:
    slots = []
    for i in range(min(len(p.selling_points), MAX_POINTS)):
        c = _Cite(p)
        name = c("name")
        point = _bare(c(f"selling_points.{i}"))
        if not point:
            continue
        lc = point[0].lower() + point[1:] if point[:2] != point[:2].upper() else point  # "Leak-proof" -> "leak-proof", "IPX4" stays
        slots.append(_slot(lang, "point", c, name=name, point=point, point_lc=lc))
    return slots


def _specs(p: Product, currency: str, lang: str, coupon_on: bool) -> list[list[Draft]]:
    slots = []
    keys = list(p.specs)
    for start in range(0, len(keys), SPECS_PER_LINE):
        c = _Cite(p)
        name = c("name")
        parts = []
        for k in keys[start:start + SPECS_PER_LINE]:
            value = _bare(c(f"specs.{k}"))
            parts.append(f"{k}{value}" if lang == "zh" else f"{k} {value}")
        slots.append(_slot(lang, "specs", c, name=name, specs=_SEP[lang]["list"].join(parts)))
    ship = _shipping(p, lang)
    if ship:
        slots.append(ship)
    return slots


def _shipping(p: Product, lang: str) -> list[Draft]:
    s = p.shipping
    if s is None:
        return []
    c = _Cite(p)
    name = c("name")
    parts = []
    if s.from_:
        parts.append(f"从{c('shipping.from')}发货" if lang == "zh" else f"ships from {c('shipping.from')}")
    if s.days is not None:
        parts.append(f"付款后{c('shipping.days')}天内发出" if lang == "zh" else f"goes out within {c('shipping.days')} days of payment")
    if s.free is not None:
        free = c("shipping.free") == "true"
        parts.append(("包邮" if free else "不包邮") if lang == "zh" else ("ships free" if free else "shipping is not free"))
    if not parts:
        return []
    if lang == "en" and len(parts) > 1:
        joined = ", ".join(parts[:-1]) + " and " + parts[-1]
    else:
        joined = _SEP[lang]["list"].join(parts)
    return _slot(lang, "shipping", c, name=name, parts=joined)


def _price(p: Product, currency: str, lang: str, coupon_on: bool) -> list[list[Draft]]:
    c = _Cite(p)
    name, price = c("name"), money(c("price"), currency, lang)
    if p.list_price is not None and p.list_price > p.price:  # a reveal only from a real, higher list price
        return [_slot(lang, "price_list", c, name=name, price=price, list_price=money(c("list_price"), currency, lang))]
    return [_slot(lang, "price", c, name=name, price=price)]


def _coupon(p: Product, currency: str, lang: str, coupon_on: bool) -> list[list[Draft]]:
    if p.coupon is None or not coupon_on:
        return []
    c = _Cite(p)
    name = c("name")
    return [_slot(lang, "coupon", c, name=name, deal=deal_text(p.coupon, p, currency, lang, c))]


def _cta(p: Product, currency: str, lang: str, coupon_on: bool) -> list[list[Draft]]:
    c = _Cite(p)
    name = c("name")
    drafts = _slot(lang, "cta", c, name=name)
    if p.shipping is not None and p.shipping.free:
        cf = _Cite(p)
        cf("name")
        cf("shipping.free")
        drafts += _slot(lang, "cta_free", cf, name=name)
    if p.stock > 0:
        cs = _Cite(p)
        cs("name")
        drafts += _slot(lang, "cta_stock", cs, name=name, stock=cs("stock"))
    return [drafts]


def _faq(p: Product, currency: str, lang: str, coupon_on: bool) -> list[list[Draft]]:
    slots = []
    for i in range(min(len(p.faq), MAX_FAQ)):
        c = _Cite(p)
        name = c("name")
        q = _bare(c(f"faq.{i}.q"))
        a = c(f"faq.{i}.a").strip()
        if lang == "en" and q:
            q = q[0].lower() + q[1:] if q[:2] != q[:2].upper() else q
        slots.append(_slot(lang, "faq", c, name=name, q=q, a=a))
    return slots


_BUILDERS = {"hook": _hook, "selling_points": _points, "specs": _specs, "price": _price, "coupon": _coupon,
             "cta": _cta, "faq": _faq}


def sold_out(product: Product, lang: str) -> list[Draft]:
    c = _Cite(product)
    name = c("name")
    c("stock")  # 卖完 / sold out is a claim: the stock fact (0) licenses it
    return _slot(lang, "sold_out", c, name=name)


# --- viewers --------------------------------------------------------------------------------------

def batch_texts(kind: str, names: list[str], total: int, lang: str) -> list[str]:
    """Thanks / greeting for a batch: names shown (already safe) out of `total` people."""
    key = {"gift": "thanks_gift", "follow": "thanks_follow", "enter": "greet"}[kind]
    others = total - len(names)
    if not names:
        return [t.format(n=total) for t in T[lang][f"{key}_anon"]]
    if lang == "zh":
        joined = _SEP["zh"]["names"].join(names)
        if others <= 0:
            return [t.format(names=joined) for t in T[lang][f"{key}_named"]]
        return [t.format(names=joined, n=total) for t in T[lang][key]]
    if others <= 0:
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return [t.format(names=joined) for t in T[lang][f"{key}_named"]]
    other_words = "1 other" if others == 1 else f"{others} others"
    return [t.format(names=", ".join(names), others=other_words) for t in T[lang][key]]


def big_gift_texts(name: str, gift: str, count: int, lang: str) -> list[str]:
    if count > 1:
        gift = f"{count}个{gift}" if lang == "zh" else f"{count} {gift}"
    return [t.format(name=name, gift=gift) for t in T[lang]["thanks_big"]]
