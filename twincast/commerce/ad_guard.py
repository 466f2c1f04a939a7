"""The ad-law guard: nothing the clone says may break China's Advertising Law Art. 9 (and Art. 16/17
for health claims, Trademark Law Art. 14 for 驰名商标) or the platforms' banned-word lists.

Every utterance passes `check` before it reaches the voice; operator scripts pass `check_script` at
import so the operator sees what will be rewritten. Each banned term is rewritten to a compliant
phrasing that keeps the sentence grammatical, or removed; a claim that cannot be rephrased (a health
or cure claim for ordinary goods, an official endorsement) drops the whole utterance.

How matching works (why it is fast and hard to evade):
- The text is mapped to a *matching view*: each character NFKC-normalised (full-width ``ＮＯ．１`` ->
  ``no.1``), case-folded, a few traditional characters (價 網 絕 …) and Cyrillic/Greek look-alikes
  mapped, ``0`` next to a Latin letter read as ``o`` (``n0.1``), zero-width characters removed, spaces
  next to Chinese characters removed, separators between two Chinese characters removed (``最 低 价``,
  ``最.低.价``) and spaced-out single letters joined (``c h e a p e s t``). Every view character
  remembers its index in the original, so a match is replaced in the original text and everything
  else (punctuation, spacing) is left exactly as written.
- All terms of both languages are literal keys of one table, found with one precompiled trie regex
  (alternatives factored by prefix, so the engine does not try hundreds of words at each position).
  At a hit every key starting there is tried, longest first; a key holds an ordered list of rules,
  each with optional context conditions (what must / must not come before or after). The first rule
  whose conditions hold wins; an *allow* rule marks a fact that must stay as written. Latin keys need
  word boundaries. Both term sets are always checked (mixed text is common); ``lang`` only decides
  which language's rewrite wins where a key exists in both (``100%``, ``No.1``).

Decisions on edge cases (each has a test):
- ``100%`` / 百分百 / 百分之百 followed by a material (纯棉, 羊毛, 真丝, cotton, wool, silk, …) is a
  composition fact and stays; before anything else it is an absolute claim (100%有效 -> 非常有效,
  "100% safe" -> "safe"). 100%纯天然 is not a material: 纯天然 is rewritten too.
- 最新 / 最新款 is rewritten (新款): it states "newest on the market", which the clone cannot know
  and which Douyin and Taobao list as a 极限词; "new model" says the same thing safely.
- 最 words with a neutral sense stay: 最近, 最终, 最后, 最初, 最早, 最晚, 最迟, 最多, 最少 (a purchase limit
  "每人最多两件" is a fact). 最大/最小/最高/最低 before a specification noun (承重, 容量, 温度, 尺码, 可达 …)
  are the product's own rated limits, not a comparison, and stay. 最高 before a discount (最高减50)
  becomes 最多. Advice-sense 最好 (你最好先量一下) becomes 还是, quality-sense 最好 becomes 很好.
- 最后一件 / 最后X件, 最后一天, "only one left": stock and schedule statements are facts the catalogue
  and run-of-show ground (this guard cannot know stock); only vague urgency with no fact in it is
  rewritten (最后一波, 最后机会, 随时涨价, 错过再等一年, "last chance", "once in a lifetime").
- 第一 alone is ordinal (第一件半价, 第一步, "the first one half price"); it is a rank claim only with a
  domain before it (全网第一, 销量第一, 行业第一 …) or as 第一品牌.
- 唯一 before a limitation (唯一的缺点, 唯一不足) and "the only downside/drawback/catch" are candid
  statements, not uniqueness claims, and stay.
- ``No.1`` followed by a label noun (No.1 线, No.1 色号, No.1 链接) is a numbering, not a rank; elsewhere
  it is a rank claim. Product names are not exempted: a name that is a claim is still heard as one,
  so `check_script` flags it at import and the operator renames the product.
- 绝对值 is maths; 治疗 etc. drop the utterance (no ordinary product may claim them); 医用级/medical-grade
  is a material grade and stays. "cured ham" / "dry-cured" are food; a nail gel that "cures in 60
  seconds under a UV lamp" hardens. "Absolutely!" as an answer becomes "Sure!".
- "best before", "best wishes", "do your best" stay: only claim forms are listed ("the best", "best
  ever", "best-selling", "best price"…). "unique" stays (a description, not "the only").
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    category: str  # "superlative" | "first_only" | "top_grade" | "absolute" | "authority" | "false_urgency" | "medical"
    term: str  # what was found, as written
    replacement: str  # what replaced it ("" when dropped)


@dataclass(frozen=True)
class GuardResult:
    text: str  # the compliant text to speak (may be "" when nothing sayable is left)
    changes: list[Change]
    dropped: bool  # True when the whole utterance must not be spoken


@dataclass(frozen=True)
class _Rule:
    category: str
    replacement: str | None  # None: an allow rule (the span is a fact and stays)
    lang: str = ""  # "zh" | "en": which language's rewrite this is ("" both)
    drop: bool = False
    after: re.Pattern[str] | None = None  # must match right after the key (view text)
    not_after: re.Pattern[str] | None = None
    before: re.Pattern[str] | None = None  # must match right before the key (anchored with $)
    not_before: re.Pattern[str] | None = None
    before_term: bool = False  # applies only where another term starts right after the key
    take: re.Pattern[str] | None = None  # shown with the key in the Change (最 + 强), left as written


# --- the matching view ------------------------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_ALNUM = re.compile(r"[a-z0-9]")
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
# Separators people put between characters to slip past word lists.
_SEPARATORS = frozenset(" \t\n\r\u3000.-_*·•|~/\\、'\"")
# Traditional forms of the characters in our terms (a stream may be typed in either script).
_TRADITIONAL = str.maketrans(
    "價網絕對獨級頂選銷療藥國無險專強萬極癒導領錯過後漲馬僅機會質優熱賣暢歡貴實劃適時氣檢馳標長遠風減腎醫師薦"
    "難搶瘋發廠號紀聖傳統總愛滿確廣軍",
    "价网绝对独级顶选销疗药国无险专强万极愈导领错过后涨马仅机会质优热卖畅欢贵实划适时气检驰标长远风减肾医师荐"
    "难抢疯发厂号纪圣传统总爱满确广军",
)
_LOOKALIKES = str.maketrans("аеорсхуіѕοαν’‘`", "aeopcxyisoav'''")


def _view(text: str) -> tuple[str, list[int]]:
    """The matching view of `text` and, for each view character, its index in `text`."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch in _ZERO_WIDTH:
            continue
        norm = unicodedata.normalize("NFKC", ch).casefold() if ord(ch) > 0x7F or ch.isupper() else ch
        for c in norm.translate(_TRADITIONAL).translate(_LOOKALIKES):
            chars.append(c)
            index.append(i)
    # '0' beside a Latin letter is an 'o' in disguise ("n0.1", "b00st").
    for k, c in enumerate(chars):
        if c == "0" and (
            (k > 0 and "a" <= chars[k - 1] <= "z") or (k + 1 < len(chars) and "a" <= chars[k + 1] <= "z")
        ):
            chars[k] = "o"
    # Drop separator runs that split a word: next to a Chinese character (whitespace) or between two
    # Chinese characters (any separator), or between single Latin letters/digits ("b e s t").
    out_c: list[str] = []
    out_i: list[int] = []
    n = len(chars)
    k = 0
    while k < n:
        if chars[k] not in _SEPARATORS:
            out_c.append(chars[k])
            out_i.append(index[k])
            k += 1
            continue
        j = k
        while j < n and chars[j] in _SEPARATORS:
            j += 1
        run = chars[k:j]
        prev = chars[k - 1] if k > 0 else ""
        nxt = chars[j] if j < n else ""
        prev_cjk = bool(prev) and bool(_CJK.match(prev))
        next_cjk = bool(nxt) and bool(_CJK.match(nxt))
        only_space = all(c.isspace() for c in run)
        if (prev_cjk and next_cjk) or (only_space and (prev_cjk or next_cjk) and prev and nxt):
            k = j
            continue
        if prev and nxt and _lone(chars, k - 1, -1) and _lone(chars, j, 1):
            k = j
            continue
        if only_space:  # any whitespace run reads as one space
            out_c.append(" ")
            out_i.append(index[k])
        else:
            out_c.extend(run)
            out_i.extend(index[k:j])
        k = j
    return "".join(out_c), out_i


def _lone(chars: list[str], k: int, step: int) -> bool:
    """chars[k] is one Latin letter/digit standing alone between separators (a spaced-out word)."""
    if not ("a" <= chars[k] <= "z" or "0" <= chars[k] <= "9"):
        return False
    nb = k + step
    return nb < 0 or nb >= len(chars) or chars[nb] in _SEPARATORS


# --- the term table ---------------------------------------------------------------------------------

_TABLE: dict[str, list[_Rule]] = {}


def _re(pattern: str | None, anchor_end: bool = False) -> re.Pattern[str] | None:
    """Compile a context condition; `before` ones are anchored at the key's start (searched with endpos)."""
    if pattern is None:
        return None
    return re.compile(f"(?:{pattern})$" if anchor_end else pattern)


def _add(category: str, terms: str, replacement: str | None, lang: str = "", drop: bool = False,
         after: str | None = None, not_after: str | None = None, before: str | None = None,
         not_before: str | None = None, take: str | None = None, before_term: bool = False) -> None:
    """Add one rule to every term of `terms` ("|"-separated, written as people write them)."""
    rule = _Rule(category, replacement, lang, drop, _re(after), _re(not_after), _re(before, True),
                 _re(not_before, True), before_term, _re(take))
    for term in terms.split("|"):
        key, _ = _view(term.strip())
        if key:
            _TABLE.setdefault(key, []).append(rule)


def _allow(terms: str, after: str | None = None, not_before: str | None = None,
           before: str | None = None) -> None:
    _add("allow", terms, None, after=after, not_before=not_before, before=before)


# A plural noun next ("the best shoes"): words ending in s that are not plurals are listed.
_PLURAL_AFTER = r" (?!(?:is|was|has|this|its|us|yes|his|as|does|thus|plus|bonus|less|unless)\b)[a-z]+s\b(?! of\b)"


def _en_the(category: str, terms: str, adjective: str) -> None:
    """"the <superlative>" needs its article changed: before a plural noun the adjective alone,
    before another word a/an + adjective, at the end the adjective alone ("it's great")."""
    article = "an" if adjective[0] in "aeiou" else "a"
    _add(category, terms, adjective, "en", after=_PLURAL_AFTER)
    _add(category, terms, f"{article} {adjective}", "en", after=r" [a-z]")
    _add(category, terms, adjective, "en")


_WORD_AFTER = r" [a-z]"
_CJK_AFTER = r"[\u3400-\u9fff]"

# Materials: "100%" before one of them states composition.
_MATERIALS_ZH = (
    "纯棉|棉|全棉|精梳棉|长绒棉|有机棉|羊毛|绵羊毛|美利奴|羊绒|山羊绒|真丝|桑蚕丝|蚕丝|丝|亚麻|苎麻|麻|涤纶|聚酯|锦纶|尼龙|氨纶"
    "|粘胶|莫代尔|天丝|竹纤维|纤维|牛皮|羊皮|真皮|头层|皮|鹅绒|鸭绒|白鹅绒|羽绒|纯铜|铜|不锈钢|钛|纯钛|铝|硅胶|乳胶|天然乳胶|纯银|银"
    "|足金|黄金|金|铂金|原浆|原汁|果汁|纯果汁|可可|阿拉比卡|牛肉|猪肉|木|实木|榉木|橡木|胡桃木|再生|回收|有机"
)
_MATERIALS_EN = (
    "cotton|organic cotton|wool|merino|cashmere|silk|mulberry silk|linen|hemp|polyester|nylon|spandex|rayon"
    "|viscose|modal|lyocell|tencel|bamboo|leather|down|goose down|duck down|alpaca|mohair|acrylic|juice"
    "|arabica|robusta|beef|pork|wood|oak|walnut|copper|stainless|titanium|aluminium|aluminum|silver|gold"
    "|sterling|silicone|latex|recycled|cocoa|cacao|pure cotton|pure silk|pure wool"
)
# Specification nouns: 最大承重, 最高温度 … are the product's rated limits.
_SPEC_ZH = (
    "承重|载重|容量|功率|电流|电压|温度|水温|转速|速度|尺寸|尺码|码数|号|码|长度|宽度|高度|深度|重量|负载|负荷|压力|扭矩|亮度"
    "|分辨率|流量|风量|吸力|续航|像素|存储|内存|支持|可达|能达|达到|可以|可|能|约|不超过|为|起订|起购|起送|消费|档|挡|倍率|刷新率"
)
_ADVICE_ZH = (
    "先|别|不要|不用|提前|还是|尽快|再|按|根据|参考|咨询|联系|问|量|试|在|等|放|避免|及时|多|用温水|用冷水|用手|手洗|冷藏"
    "|冷冻|密封|阴干|搭配|选|拍|收藏|关注|看一下|看看|对照|备注|留言"
)
_LABEL_NOUNS = "色号|色|号|线|链接|口味|款式|楼|层|窗口|店|仓|车|位"

# -- superlatives (Art. 9(3) 最高级) --
_allow("最近|最终|最后|最初|最早|最晚|最迟|最多|最少|最末|最起码|最好不过")
_add("superlative", "最最", "", after="最")  # emphatic repetition: drop one, the next is judged alone
_add("superlative", "最", "", after="最")
_add("superlative", "最", "", before_term=True)  # 最完美: 完美 is rewritten on its own (很好), not 很很好
_add("superlative", "最", "很", after=_CJK_AFTER, take=_CJK_AFTER)  # any other 最 + adjective: 最强 -> 很强
_add("superlative", "最", "很", after="[a-z]")  # 最nice -> 很nice
_add("superlative", "最", "")  # a dangling 最 is still heard as a superlative
_add("superlative", "最好", "还是", after=_ADVICE_ZH)
_add("superlative", "最好", "很好")
_add("superlative", "最佳", "很好的", after=_CJK_AFTER, not_after="的")
_add("superlative", "最佳", "很好")
_add("superlative", "最佳选择|最优选择|最好的选择|最佳之选", "好选择")
_add("superlative", "最低价|全网最低价|史上最低价|全网最低价格|最低价格|全年最低价|历史最低价|最低折扣价", "优惠价")
_add("superlative", "全网最低|史上最低|历史最低|全年最低|全网底价|地板价|跳楼价|最低折扣", "很优惠")
_add("superlative", "最低只要|最低只需|最低仅需", "只要")
_add("superlative", "最低仅|最低到手", "到手")
_add("superlative", "最便宜|全网最便宜|史上最便宜|最实惠", "很实惠")
_add("superlative", "最划算", "很划算")
_add("superlative", "最优惠", "很优惠")
_add("superlative", "最优质", "优质")
_add("superlative", "最优秀", "很优秀")
_add("superlative", "最优选", "优选")
_add("superlative", "最优", "很好")
_add("superlative", "最新款", "新款")
_add("superlative", "最新", "新", after=_CJK_AFTER)
_add("superlative", "最新", "新款")
_add("superlative", "最先进", "先进")
_add("superlative", "最先", "优先")
_add("superlative", "最高级|最高档|最高端", "高端")
_add("superlative", "最顶级", "高品质")
_add("superlative", "最热销|最畅销|最热卖", "热销")
_add("superlative", "最正宗", "正宗")
_add("superlative", "最具", "很有")
_add("superlative", "最大化", "充分")
_add("superlative", "最小化", "尽量减少")
_add("superlative", "最大限度|最大程度", "很大程度")
_allow("最大|最小|最低", after=_SPEC_ZH)
_allow("最高", after=_SPEC_ZH)
_add("superlative", "最高", "最多", after="可?(?:立?减|省|返|抵|优惠|补贴|赠|送|领)")
_add("superlative", "最快", "快的话", after="(?:今天|明天|后天|当天|次日|隔天|[0-9一二三两四五六七]+(?:天|小时|个小时))")
_add("superlative", "最爱", "心头好", not_after=_CJK_AFTER)
_add("superlative", "之最", "中的佼佼者")
_add("superlative", "史无前例|前所未有|空前绝后|绝无仅有", "少见")
_add("superlative", "无与伦比|无可比拟|独步天下|举世无双|遥遥领先", "出色")
_add("superlative", "无敌", "很强")
_add("superlative", "极佳", "很好")
_add("superlative", "秒杀全网|碾压全网|吊打全网", "很有优势")

_allow("the best of both worlds|the best is yet to come|all the best|the best of luck|best of luck|at its best|"
       "at best|do your best|try your best|best wishes|best regards|best before")  # idioms, not claims
_en_the("superlative", "the best|the very best|the best ever|the best-ever|the world's best|the best in the world",
        "great")
_add("superlative", "best ever|best-ever|world's best|best in the world|best on the market|best in class|"
     "best-in-class", "great", "en")
for _part in ("looking", "tasting", "performing", "rated", "loved", "smelling", "fitting", "reviewed", "value"):
    _add("superlative", f"best-{_part}", f"great-{_part}", "en")
    _add("superlative", f"the best-{_part}", f"a great-{_part}", "en")
for _noun in ("price", "prices", "deal", "deals", "value", "quality", "choice", "buy", "offer", "selection"):
    _add("superlative", f"best {_noun}", f"great {_noun}", "en")
_add("superlative", "the lowest price ever|the lowest price|the best price|the best price ever", "a great price", "en")
_add("superlative", "the lowest prices ever|the lowest prices|the best prices", "great prices", "en")
_add("superlative", "lowest price ever|lowest price|lowest-ever price", "great price", "en")
_add("superlative", "lowest prices ever|lowest prices|lowest-ever prices", "great prices", "en")
_add("superlative", "lowest ever|lowest-ever|all-time low", "very low", "en")
_en_the("superlative", "the lowest", "very low")
_add("superlative", "lowest", "low", "en")
_en_the("superlative", "the cheapest|the cheapest ever", "very affordable")
_add("superlative", "cheapest ever|cheapest", "very affordable", "en")
_add("superlative", "cheaper than anywhere else|cheaper than anywhere", "good value", "en")
_en_the("superlative", "the most popular", "really popular")
_add("superlative", "most popular", "really popular", "en")
for _adj in ("effective", "advanced", "powerful", "comfortable", "affordable", "trusted", "loved", "durable",
             "beautiful", "reliable", "innovative", "luxurious", "complete", "authentic"):
    _en_the("superlative", f"the most {_adj}", f"really {_adj}")
    _add("superlative", f"most {_adj}", f"really {_adj}", "en")
_add("superlative", "unbeatable|unrivaled|unrivalled|unmatched|unparalleled|second to none|unsurpassed",
     "excellent", "en")
_en_the("superlative", "the ultimate", "great")
_add("superlative", "an ultimate|an unbeatable", "a great", "en")

# -- first / only (Art. 9(3) 第一, 唯一, 首个) --
_RANK_DOMAINS = (
    "全网|全国|全球|世界|全世界|全省|全市|亚洲|中国|国内|国际|行业|业内|同行|同类|品类|类目|天下|宇宙|淘宝|抖音|快手"
    "|平台|全平台|京东|天猫|直播间|全品类|细分|赛道"
)
_FIRSTS = ("第一", "第1", "no.1", "no1", "no. 1", "top1", "top 1", "#1", "NO1")
_SALES = "销量|销售|销售额|销冠|卖货|成交|成交量"
_RANKS = "排名|排行|排行榜|榜单|榜首|排位"


def _with_firsts(prefixes: str) -> str:
    return "|".join(p + f for p in prefixes.split("|") for f in _FIRSTS)


_add("first_only", _with_firsts(_SALES), "卖得很好")
_add("first_only", _with_firsts("人气"), "人气很高")
_add("first_only", _with_firsts("口碑"), "口碑很好")
_add("first_only", _with_firsts(_RANKS), "排名靠前")
_add("first_only", _with_firsts(_RANK_DOMAINS), "热门之选", before="是")
_add("first_only", _with_firsts(_RANK_DOMAINS), "很受欢迎")
_add("first_only", "全网销量第一|全国销量第一|全球销量第一|行业销量第一|全网销量no.1", "卖得很好")
_add("first_only", "第一品牌|领导品牌|领导者|领军品牌|领军者|龙头品牌|领先品牌", "知名品牌")
_add("first_only", "销量冠军|销售冠军|销冠|销冠款|爆款之王|卖货王", "热卖款")
_add("first_only", "销量领先", "销量不错")
_allow("|".join(f for f in _FIRSTS if not _CJK.match(f)), after=" ?(?:" + _LABEL_NOUNS + ")")
_add("first_only", "|".join(f for f in _FIRSTS if not _CJK.match(f)), "热门之选", "zh", before="是")
_add("first_only", "|".join(f for f in _FIRSTS if not _CJK.match(f)), "热门", "zh")
_add("first_only", "唯一", "", after="一")  # 唯一一款 -> 一款
_allow("唯一", after="的?(?:缺点|不足|缺陷|问题|遗憾|缺憾|毛病|要求|条件|区别|差别|不同)")
_add("first_only", "唯一", "难得", after="的")
_add("first_only", "唯一", "少有")
_add("first_only", "独一无二|无可替代|独树一帜", "很有特色")
_add("first_only", "首选", "优选", after=_CJK_AFTER)
_add("first_only", "首选|第一选择|不二之选|不二选择", "好选择")
_add("first_only", "独家|全网独家|独家专供|全网独有|独有", "特色")
for _unit in "个款家":
    _add("first_only", "|".join(f"{d}{f}{_unit}" for d in "全网|全球|全国|国内|业内|行业|世界|全世界|中国|亚洲".split("|")
                                for f in ("首", "第一")), "一" + _unit)
    _add("first_only", "首" + _unit, "一" + _unit)
_add("first_only", "首发|全球首发|全网首发|国内首发|全国首发|世界首发|独家首发", "上新")
_add("first_only", "首创|独创|全球首创|国内首创|行业首创", "创新")

_en_the("first_only", "the number one|the number 1|the no.1|the no. 1|the #1|the no1|the top1", "popular")
_add("first_only", "number one|number 1|no.1|no. 1|no1|#1|top1|top 1", "popular", "en", after=_WORD_AFTER)
_add("first_only", "number one|number 1|no.1|no. 1|no1|#1|top1|top 1", "a popular choice", "en")
_add("first_only", "#1-rated|#1 rated|no.1-rated|no.1 rated|number one rated|number-one-rated", "highly rated", "en")
_add("first_only", "#1 best-selling|#1 bestselling|number one best-selling|no.1 best-selling|#1 best selling",
     "popular", "en")
_add("first_only", "best-selling|bestselling|best selling|top-selling|top selling", "popular", "en")
_add("first_only", "best seller|best-seller|bestseller|top seller", "popular pick", "en")
_add("first_only", "best sellers|best-sellers|bestsellers|top sellers", "popular picks", "en")
_allow("the only one|the only ones", after=" left")
_allow("the only", after=" (?:downside|drawback|catch|con|cons|problem|issue|thing i'd change|difference|"
       "one left|ones left|size left|colou?r left|pair left|requirement|condition)")
_add("first_only", "the only one", "one", "en", after=r" (?:that|which|who|with|to|you)\b")
_add("first_only", "the only one", "a great one", "en")
_add("first_only", "the only", "a", "en", after=r" [bcdfghj-np-tv-z]")
_add("first_only", "the only", "an", "en", after=_WORD_AFTER)
_add("first_only", "the only", "a good choice", "en")
_add("first_only", "an exclusive", "a special", "en")
_add("first_only", "exclusive|exclusively available", "special", "en")
_add("first_only", "exclusively", "specially", "en")
_en_the("first_only", "the world's first|the first ever|the first-ever|the industry's first", "new")
_add("first_only", "world's first|first-ever|first ever|industry-first|industry first", "new", "en")
_add("first_only", "one of a kind|one-of-a-kind", "distinctive", "en")
_en_the("first_only", "the market leader|the industry leader|the leading brand", "well-known brand")
_add("first_only", "market leader|industry leader", "well-known brand", "en")
_add("first_only", "market-leading|industry-leading", "well-known", "en")

# -- top grade (Art. 9(3) 国家级, 最高级, 最佳) --
_add("top_grade", "国家级", "高标准")
_add("top_grade", "世界级|国际级|全球级|殿堂级|大师级|专家级", "高水准")
_add("top_grade", "宇宙级|史诗级|神级|神器|封神|逆天", "出色")
_add("top_grade", "顶级|超顶级|顶配级", "高品质")
_add("top_grade", "顶尖|巅峰|极致|超极致", "出色")
_add("top_grade", "极品", "精品")
_add("top_grade", "至尊", "精选")
_add("top_grade", "王牌", "主打")
_add("top_grade", "完美|完美无瑕|完美无缺|十全十美", "很好")
_add("top_grade", "一流|超一流|顶流", "优秀")
_add("top_grade", "终极", "进阶")
_add("top_grade", "金牌", "优质")
_add("top_grade", "world-class|world class|top-grade|top grade|top-tier|top tier|top-notch|top notch|"
     "god-tier|state-level|national-level|premium-grade", "excellent", "en")
_add("top_grade", "military-grade|military grade", "durable", "en")
_add("top_grade", "supreme", "great", "en")
_add("top_grade", "perfect|flawless|legendary", "great", "en")
_add("top_grade", "an ultimate|an unbeatable", "a great", "en")
_add("top_grade", "ultimate", "great", "en")

# -- absolute (Art. 9(3), 4(1) 绝对化, 虚假) --
_allow("100%|100 %|百分百|百分之百|百分之一百", after=" ?(?:" + _MATERIALS_ZH + "|" + _MATERIALS_EN + r")(?![a-z])")
_add("absolute", "100%的|百分百的|百分之百的", "很多", "zh", not_after="[纯真正]")
_add("absolute", "100%正品|百分百正品|百分之百正品", "正品", "zh")
_add("absolute", "100%|百分百|百分之百|百分之一百", "非常", "zh", after=_CJK_AFTER)
_add("absolute", "100%|百分百|百分之百|百分之一百", "", "zh")
_add("absolute", "100% of the|100 percent of the|a hundred percent of the|one hundred percent of the", "most of the",
     "en")
_add("absolute", "100% of|100 percent of|a hundred percent of|one hundred percent of", "most", "en")
_add("absolute", "100%|100 percent|a hundred percent|one hundred percent|100 per cent", "", "en")
_add("absolute", "绝对正品", "正品")
_add("absolute", "绝对", "真的", not_after="值")
_add("absolute", "万能", "多用途")
_add("absolute", "永久", "长久")
_add("absolute", "永不", "不容易")
_add("absolute", "零风险|无风险|0风险", "低风险")
_add("absolute", "无副作用|零副作用|0副作用|没有副作用|毫无副作用", "温和")
_add("absolute", "纯天然|100%纯天然|百分百纯天然", "天然")
_add("absolute", "根治|一次根治|彻底根治|永不复发", "", drop=True)
_add("absolute", "guaranteed results|results guaranteed", "good results", "en")
_add("absolute", "guaranteed to work", "designed to work", "en")
_add("absolute", "works every time|never fails", "works reliably", "en")
_add("absolute", "forever|for ever", "for a long time", "en")
_add("absolute", "permanently", "lastingly", "en")
_add("absolute", "permanent", "long-lasting", "en")
_add("absolute", "risk-free|risk free|zero risk|zero-risk|no risk", "low-risk", "en")
_add("absolute", "completely safe|totally safe|absolutely safe|100% safe", "safe", "en")
_add("absolute", "absolutely", "sure", "en", after=r"\s*(?:[!.,?]|$)")  # the answer "Absolutely!" means yes
_add("absolute", "absolutely", "really", "en")
_add("absolute", "miracle", "remarkable", "en")
_add("absolute", "instant results", "quick results", "en")
_add("absolute", "no side effects|no side-effects|zero side effects|without side effects|without any side effects",
     "", "en", drop=True)

# -- authority (Art. 9(2) 国家机关/工作人员, Art. 11; Trademark Law Art. 14) --
_add("authority", "特供|专供|国家特供|军队特供|部队特供|中南海特供|特贡", "")
_add("authority", "免检|国家免检|质量免检", "")
_add("authority", "驰名商标|中国驰名商标|国家驰名商标", "品牌")
_add("authority", "御用|宫廷御用|皇家御用|皇室御用", "")
_add("authority", "国家领导人推荐|领导人推荐|主席推荐|总理推荐|领导人同款|国家领导人同款|央视推荐|央视上榜|央视报道|"
     "国宴专用|国宴指定|国宴特供|人民大会堂指定|人民大会堂专用|国家机关推荐|国家机关专供|政府推荐|政府指定|"
     "专家推荐|医生推荐|院士推荐|教授推荐|卫健委推荐|国家认证推荐", "", drop=True)
_add("authority", "fda approved|fda-approved|government approved|government-approved|state-approved|"
     "endorsed by the government|doctor recommended|doctor-recommended|recommended by doctors|"
     "dermatologist recommended|dermatologist-recommended|as seen on cctv|clinically proven", "", "en", drop=True)
_add("authority", "inspection-free|inspection exempt|inspection-exempt", "", "en")
_add("authority", "well-known trademark", "brand", "en")

# -- false urgency (Art. 4, 28: 虚假; platform rules on 虚假营销) --
_add("false_urgency", "仅此一次|一年仅此一次|一年就这一次|仅此一天", "本场")
_add("false_urgency", "最后一波|仅此一波", "这一波")
_add("false_urgency", "最后机会|最后的机会|最后一次机会", "好机会")
_add("false_urgency", "最后疯抢|最后疯狂", "欢迎下单")
_add("false_urgency", "随时涨价|马上涨价|马上就涨价|立马涨价|下播就涨价|下播涨价|明天就涨价|明天涨价|马上恢复原价|随时恢复原价",
     "价格以页面为准")
_add("false_urgency", "错过再等一年|错过等一年|错过今天再等一年|错过就没有了|错过不再|过了这村没这店|过时不候|错过后悔", "喜欢就别错过")
_add("false_urgency", "千载难逢", "难得")
_add("false_urgency", "抢疯了", "很受欢迎")
_add("false_urgency", "卖疯了", "卖得很好")
_add("false_urgency", "手慢无|再不抢就没了|再不买就没了|不买后悔|不买就亏了|今天不买明天后悔", "喜欢就下单")
_add("false_urgency", "last chance|final chance", "a good chance", "en")
_add("false_urgency", "goes up any minute|go up any minute|will go up any minute|is going up any minute|"
     "going up any minute|goes up soon|go up soon|will go up soon", "may change", "en")
_add("false_urgency", "once in a lifetime|once-in-a-lifetime", "rare", "en")
_add("false_urgency", "now or never", "a good time to buy", "en")
_add("false_urgency", "will never come back|will never be this low again|never this cheap again", "is for this stream",
     "en")
_add("false_urgency", "before it's too late|before it is too late", "", "en")

# -- medical claims for ordinary goods (Art. 17: only medicines and devices may claim them) --
_MEDICAL_ZH = (
    "治疗|治愈|药用|包治|包治百病|疗效|治病|药到病除|抗癌|防癌|抗肿瘤|降血压|降血糖|降血脂|降三高|消炎|祛病|延年益寿"
    "|增强免疫力|提高免疫力|减肥|排毒|壮阳|补肾|处方|药妆|治失眠|治脱发"
)
_add("medical", _MEDICAL_ZH, "", drop=True)
# Resins, nail gels and glues "cure" (harden): "cures in 60 seconds under a UV lamp" is a spec.
_allow("cure|cures|cured", after=r" (?:in [0-9]|(?:under|time|with (?:a |an |the )?(?:uv|led)|fully|completely)\b)")
_allow("cure|cures|cured", before=r"(?:uv|led|dry|salt|fully)[- ]")
_DISEASES_EN = ("acne|eczema|psoriasis|cancer|diabetes|insomnia|arthritis|hair loss|high blood pressure|depression"
                "|infection|infections|anxiety|obesity|rosacea|dermatitis|the flu|colds|covid")
_add("medical", "|".join(f"{v} {d}" for v in ("treats", "treat", "heals", "heal", "cures", "cure", "prevents",
                                                   "prevent", "fights", "reverses")
                         for d in _DISEASES_EN.split("|")), "", "en", drop=True)
_add("medical", "cures|cure|medicinal|therapeutic|miracle cure|anti-cancer|anticancer|lowers blood pressure|"
     "lowers blood sugar|boosts immunity|boost your immune system|immune-boosting|detoxifies|weight loss guaranteed",
     "", "en", drop=True)
_add("medical", "cured", "", "en", drop=True, not_after=r" (?:ham|meat|meats|bacon|salmon|sausage|pork|beef|fish|egg|"
     r"eggs|duck|lamb|olives)\b", not_before=r"(?:dry|salt|sugar|smoke|air)[- ]?")


def _trie_pattern(words: list[str]) -> str:
    """One regex alternation factored by common prefixes (a trie), so matching costs ~ text length."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        ends = "" in node
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if ends else body

    return build(trie)


_FINDER = re.compile(_trie_pattern(sorted(_TABLE)))
_KEY_LENGTHS = sorted({len(k) for k in _TABLE}, reverse=True)


def _boundary_ok(view: str, start: int, end: int) -> bool:
    """Latin keys are whole words: "no.1" must not match inside "no.10", "cure" inside "secure"."""
    if _LATIN_ALNUM.match(view[start]) and start > 0 and _LATIN_ALNUM.match(view[start - 1]):
        return False
    if _LATIN_ALNUM.match(view[end - 1]) and end < len(view) and _LATIN_ALNUM.match(view[end]):
        return False
    if "a" <= view[end - 1] <= "z" and view[end:end + 1] == "-" and "a" <= view[end + 1:end + 2] <= "z":
        return False  # "the best-ever": a hyphen joins words, so "the best" is not the whole word here
    return True


def _rule_applies(rule: _Rule, view: str, start: int, end: int) -> bool:
    if rule.after is not None and not rule.after.match(view, end):
        return False
    if rule.not_after is not None and rule.not_after.match(view, end):
        return False
    if rule.before is not None and not rule.before.search(view, max(0, start - 12), start):
        return False
    if rule.not_before is not None and rule.not_before.search(view, max(0, start - 12), start):
        return False
    if rule.before_term and not _FINDER.match(view, end):
        return False
    return True


def _pick(rules: list[_Rule], lang: str, view: str, start: int, end: int) -> _Rule | None:
    """The first applicable rule, the caller's language first where both languages rewrite a key."""
    applicable = [r for r in rules if _rule_applies(r, view, start, end)]
    if not applicable:
        return None
    for rule in applicable:
        if rule.lang in ("", lang) or rule.replacement is None:
            return rule
    return applicable[0]


def _match_case(written: str, replacement: str) -> str:
    """"The best" -> "A great". Never all capitals: engines spell shouted words letter by letter."""
    if not replacement or not replacement[0].isascii():
        return replacement
    if written[:1].isupper():
        return replacement[0].upper() + replacement[1:]
    return replacement


_SPACE_RUN = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+(?=[,.!?;:，。！？；：、)）])")
_SAYABLE = re.compile(r"[\w\u3400-\u9fff]")


def check(text: str, lang: str) -> GuardResult:
    """Rewrite `text` so that it says nothing Art. 9 or the platforms ban; lang "zh" | "en"."""
    view, index = _view(text)
    pieces: list[str] = []
    changes: list[Change] = []
    dropped = False
    last = 0  # next original index not yet copied
    pos = 0
    while True:
        hit = _FINDER.search(view, pos)
        if hit is None:
            break
        start = hit.start()
        chosen: tuple[_Rule, int] | None = None
        for length in _KEY_LENGTHS:
            end = start + length
            if end > len(view) or view[start:end] not in _TABLE or not _boundary_ok(view, start, end):
                continue
            rule = _pick(_TABLE[view[start:end]], lang, view, start, end)
            if rule is not None:
                chosen = (rule, end)
                break
        if chosen is None:
            pos = start + 1
            continue
        rule, end = chosen
        if rule.replacement is None:  # a fact that stays as written
            pos = end
            continue
        o_start, o_end = index[start], index[end - 1] + 1
        if o_start < last:  # overlaps a rewrite already made (cannot happen with left-to-right scanning)
            pos = end
            continue
        written = text[o_start:o_end]
        replacement = _match_case(written, rule.replacement)
        pieces.append(text[last:o_start])
        pieces.append(replacement)
        last = o_end
        pos = end
        # `take`: the change is reported with the word it belongs to (最强 -> 很强), but the next
        # character stays in the scan, so a term starting there (最完美: 完美) is still judged.
        shown, shown_as = written, replacement
        if rule.take is not None and not _FINDER.match(view, end):
            taken = rule.take.match(view, end)
            if taken is not None and taken.end() > end:
                tail = text[o_end:index[taken.end() - 1] + 1]
                shown, shown_as = written + tail, replacement + tail
        changes.append(Change(rule.category, shown, "" if rule.drop else shown_as))
        log.info("ad guard: %s %r -> %r%s", rule.category, shown, shown_as,
                 " (utterance dropped)" if rule.drop else "")
        dropped = dropped or rule.drop
    if not changes:
        return GuardResult(text, [], False)
    if dropped:
        return GuardResult("", changes, True)
    pieces.append(text[last:])
    out = _SPACE_BEFORE_PUNCT.sub("", _SPACE_RUN.sub(" ", "".join(pieces))).strip()
    first_alpha = next((c for c in text if c.isalpha()), "")
    if out[:1].islower() and first_alpha.isupper() and text.lstrip()[:1] != out[:1]:
        out = out[0].upper() + out[1:]  # "100% Safe!" -> "Safe!", not "safe!"
    if not _SAYABLE.search(out):
        log.info("ad guard: nothing sayable left, utterance dropped")
        return GuardResult("", changes, True)
    return GuardResult(out, changes, False)


def check_script(lines: list[str], lang: str) -> list[str]:
    """Warnings for an operator script at import, one per change: "line 3: 全网最低价 -> 优惠价 (superlative)"."""
    warnings: list[str] = []
    for number, line in enumerate(lines, 1):
        result = check(line, lang)
        for change in result.changes:
            if result.dropped and not change.replacement:
                target = "(line not spoken)" if _is_drop(change, lang) else "(removed)"
            else:
                target = change.replacement or "(removed)"
            warnings.append(f"line {number}: {change.term} -> {target} ({change.category})")
    return warnings


def _is_drop(change: Change, lang: str) -> bool:
    view, _ = _view(change.term)
    return any(r.drop for r in _TABLE.get(view, []))


def banned_terms() -> list[tuple[str, str]]:
    """Every (term, category) the guard rewrites or drops, as matched (for tests and documentation)."""
    out = []
    for key, rules in sorted(_TABLE.items()):
        cats = [r.category for r in rules if r.replacement is not None]
        if cats:
            out.append((key, cats[0]))
    return out
