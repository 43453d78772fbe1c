"""What each cue says about being part of an ad: the phrases of ad reads (openers, calls to action, offers,
legal tags, music beds, promotion of a podcast or of the show itself), the phrases that return to the
conversation, spoken codes and URLs, and the shape of the cue (does it end a sentence, does it start one).

The lexicon is the language of the genre, not of any one set of transcripts: sponsor transitions ("this
episode is brought to you by", "support for the show comes from"), direct-response calls to action ("go
to", "use code", "at checkout", "free trial") and the legal tags of produced spots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from earmark.ai.adreads.codes import promo_codes
from earmark.ai.adreads.spoken import Spoken, each_once
from earmark.ai.adreads.urls import vanity_urls
from earmark.ai.content.speech import is_sound


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# A sponsor transition: the ad begins in this cue.
OPENER = _any(
    r"\b(?:this|today's|the|our|that) (?:episode|show|podcast|hour|segment|portion|week's episode|content)"
    r"(?: of [\w' ]{1,40})? (?:is|was|has been|comes to you|is also|was also) "
    r"(?:(?:also|once again|again|proudly|generously) )?"
    r"(?:brought to you|sponsored|supported|presented|made possible|powered|underwritten|funded)",
    r"\b(?:support|funding) (?:for|of) (?:this|the|today's|our) [\w' ]{0,40}?"
    r"(?:comes|is provided|came) from\b",
    r"\b(?:this|today's|our) (?:episode's |show's )?(?:sponsor|partner)s? (?:is|are|today)\b",
    r"\b(?:brought to you|sponsored|supported|presented) by\b",
    r"\b(?:a )?(?:quick |short )?(?:word|message|break) from (?:our|today's|this week's|one of our) "
    r"(?:sponsors?|partners?)\b",
    r"^\W*(?:\w+,? )?(?:first|now|but first|and now|okay|ok),? (?:a|one) (?:quick |short )?"
    r"(?:word|message) from\b",
    r"\b(?:our|today's|this week's|the episode's) (?:first |next |other |second |third |final |last )?"
    r"(?:sponsor|partner)\b",
    r"\bthanks? (?:again )?(?:to|you,?) [\w'&. -]{1,40}? for (?:sponsoring|supporting|partnering)\b",
    r"\b(?:a )?(?:big )?thank(?:s| you) to (?:our|today's) sponsors?\b",
    r"\bit's? (?:ad|sponsor) time\b",
    r"\b(?:i|we) (?:also |just )?(?:want|wanted|need|have) to tell you (?:all )?about\b",
    r"\blet me tell you about\b",
    # a promo for another podcast read by its own host
    r"\b(?:i'm|i am|this is|my name is) [\w .'-]{2,40}?,? (?:and )?(?:i'm |i am )?(?:the )?"
    r"(?:co-?)?host of\b",
)
# The host steps out of the conversation to promote something of the show's or a friend's.
SOFT_OPENER = _any(
    r"\bbefore we (?:go|wrap|get started|begin|dive in|start|get into it|jump in|say goodbye)\b",
    r"\b(?:quick|one|a) (?:more |last |final )?(?:thing|reminder|announcement|note|plug|housekeeping)\b",
    r"\bif you (?:like|love|enjoy|liked|loved|enjoyed|dig|are into|'re into)\b",
    r"\b(?:i|we) (?:also )?(?:want|wanted|have) to (?:tell|recommend) you\b",
    r"\bour (?:friends|pals) (?:at|over at)\b", r"\byou should (?:check out|listen to)\b",
    r"^\W*(?:that's|that is|and that's) (?:the|our|it for the) (?:show|episode)\b",
    r"\bif you (?:want|wanna|would like) to (?:support|help) (?:the|this|our)\b",
    r"\b(?:hey|hi),? (?:listeners|everyone|everybody|folks|friends)\b",
    r"\b(?:big|some|exciting) news\b",
    r"^\W*(?:are you|do you|have you ever|ever (?:wish|wonder|feel)|tired of|sick of|fed up|imagine|meet|"
    r"introducing|what if|looking for|let's face it|you know that feeling|is your|are your|does your|"
    r"did you know|planning a)\b",
    r"^\W*(?:hi|hey|hello),? (?:i'm|it's|this is) [A-Z]",
)
# Words that make an opener phrase not one ("this episode isn't sponsored", "our team is sponsored by").
NOT_AN_OPENER = _any(
    r"\b(?:isn't|is not|wasn't|was not|not|never|nobody|no one|aren't|without)\b[\w' ,]{0,25}"
    r"(?:sponsored|brought to you|supported|sponsor)",
    r"\b(?:team|league|club|tournament|race|marathon|festival|conference|stadium|jersey|bowling|softball|"
    r"little league|contest|study|research|expedition|concert|tour|event|game)s?\b[\w' ]{0,30}"
    r"\b(?:is|was|are|were|got|gets|being) (?:\w+ )?(?:sponsored|supported|presented)",
    r"\b(?:if|would|could|should|might|maybe|imagine|pretend|wish|hypothetically|offered|offer|asked|"
    r"wanted|want|never)\b[\w' ,]{0,30}(?:sponsor|brought to you)",
    r"\bsponsored (?:content|posts?|episodes?|by (?:a|an|some|the) (?:company|brand|bank|beer|car))\b",
)
# Said outside an ad about one: a recommendation that is explicitly unpaid.
NOT_AN_AD = _any(
    r"\b(?:not|isn't|wasn't|never|no) (?:a |an )?(?:sponsor(?:ship|ed|ing)?|ad|advert(?:isement)?|paid (?:ad|"
    r"promotion|endorsement)|promotion)\b",
    r"\b(?:nobody|no one|they didn't|nobody's) (?:paid|pay|paying) (?:us|me)\b",
    r"\bnot (?:being )?paid (?:to|for)\b",
)
# Talk about advertising itself (a guest on buying ads, hosts on ad loads): an ad never calls itself that.
ABOUT_ADS = _any(
    # ("without ads", "no adverts" and "ad-free" are a membership's selling point, not talk about ads)
    r"(?<!without )(?<!no )(?<!free of )"
    r"\b(?:ads|adverts|advertis(?:ing|ers?|ements?)|"
    r"ad (?:reads?|loads?|spend|budgets?|rates?|buys?|sales)|promo codes|vanity urls?|sponsorships|cpms?|"
    r"attribution|impressions|"
    r"host[- ]read ads?|(?:bought|buy|buying|ran|run|running) (?:host-read |podcast |radio )?ads)\b",
)
# Reporting: a news story names a company's code or site in the third person ("the company said").
NEWS = re.compile(r"\b(?:said|says|told (?:us|reporters|the)|reported|according to|announced|"
                  r"spokes(?:person|man|woman)|the company)\b", re.IGNORECASE)
# The host asks a guest where to find them: what the guest says next is their own plug, not an ad.
GUEST_PLUG_ASKED = _any(
    r"\bwhere (?:can|do|should|would) (?:people|listeners|folks|everyone|we|they|our listeners) "
    r"(?:find|follow|get|buy|see|read|hear|support)\b",
    r"\bhow (?:can|do|should) (?:people|listeners|folks|we) (?:find|follow|support|reach)\b",
    r"\b(?:tell|remind) (?:people|us|everyone|listeners) where\b",
)
# Credits and sign-offs end a show's self-promotion; they are the show, not an ad.
CREDITS = _any(
    r"\b(?:produced|edited|mixed|engineered|executive produced|our producer is|music is) by\b",
    r"\b(?:see|talk to|catch) you (?:next|all next|again|soon|then)\b",
    r"\b(?:thanks|thank you) (?:so much |all |again )?for (?:listening|tuning in|joining us)\b",
)
RETURN = _any(
    r"^\W*(?:(?:okay|ok|alright|all right|and|so|right)[,.!]?\s+)*(?:we're|we are|and we're) back\b",
    r"\bback to (?:the|our|my|today's) (?:show|episode|conversation|interview|story|program|discussion|"
    r"game|list|question|topic|chat)\b",
    r"\bwhere (?:were we|was i)\b",
    r"\b(?:let's|lets|let us) get (?:back|back into it|into it)\b",
    r"\b(?:and )?now,? back to\b",
    r"^\W*(?:so,? )?anyway\b",
    r"\bas i was saying\b",
    r"\bwelcome back\b",
)
# The host announces a break that produced or inserted spots fill.
BREAK = _any(
    r"\b(?:we'll|we will|i'll|be) (?:be )?right back\b",
    r"\b(?:take|taking) (?:a|our) (?:quick |short |little )?break\b", r"\b(?:a )?(?:quick|short) break\b",
    r"\bafter (?:this|the|these|a) (?:quick |short )?(?:break|messages?|word)\b",
    r"\bback (?:right )?after (?:this|these)\b",
    r"\bstick around\b",
    r"\bdon't go (?:anywhere|away)\b",
)
# "Go to" and "visit" ask for a visit when a place on the web follows ("go to bed" does not).
_DESTINATION = (r"(?:(?:\S+ ){0,3}\S*(?:\.[a-z]{2,}\b| dot )|the (?:link|website|site|app)|"
                r"our (?:website|site))")
CTA = _any(
    r"\b(?:go|head|hop|swing|jump) (?:on )?(?:over )?to " + _DESTINATION,
    r"\bvisit " + _DESTINATION,
    r"\b(?:use|enter|apply|with) (?:the |my |our |promo |offer |discount )*code\b",
    r"\bpromo code\b",
    r"\bat checkout\b",
    r"\bsign(?:ing)? up\b",
    r"\bdownload (?:the |it |[\w]+ )?(?:app|today|now|for free)\b",
    r"\b(?:app store|google play|play store)\b",
    r"\bsearch (?:for )?[\w' ]{1,30} (?:in|on|wherever)\b",
    r"\bfree trial\b",
    r"\btry (?:it|them|\w+) (?:free|for free|today|risk[- ]free)\b",
    r"\b(?:learn more|get started|order now|order today|shop now|book (?:a|your) (?:demo|call)|"
    r"claim (?:your|the) (?:offer|deal))\b",
    r"\b(?:wherever|where) you (?:get|listen to|find|stream|download) (?:your |all your |great |our )?"
    r"(?:podcasts?|shows?|audio)\b",
    r"\bwherever you listen\b",
    r"\b(?:subscribe|follow) (?:to |on )?(?:[\w' ]{1,30} )?(?:on|wherever|in|now|today)\b",
    r"\b(?:link|links) (?:is |are )?in (?:the|our) (?:show ?notes|description|episode notes)\b",
    r"\bclick the link\b",
    r"\bcheck (?:it|them|\w+) out (?:at|on|wherever|today|now)\b",
    r"\bcall\s+\d",
    r"\b(?:hit|click|tap|smash|press) (?:that|the) (?:join|subscribe|like|bell|follow|link|membership)\b",
    r"\bjoin button\b",
    r"\bget (?:a|your) (?:free |no-obligation )?quote\b",
    r"\b(?:find out|learn|read) more (?:at|on)\b",
    r"\b(?:apply|order|shop|book|register)(?: online| now| today)? at\b",
    r"\bcheck (?:if|whether) you can get\b",
    r"\btext\s+\w+\s+to\b",
)
# A call to action that asks for a code to be used (not "promo code" said in passing).
ASK = re.compile(r"\b(?:use|enter|apply|with|redeem|type)\b", re.IGNORECASE)
APP_STORE = _any(r"\b(?:in|on|from) the (?:app store|play store|google play)\b",
                 r"\b(?:app store|google play)\b.{0,30}\b(?:download|search|get)\b",
                 r"\b(?:download|search for|search|get) [\w' ]{1,30} (?:in|on|from) (?:the )?"
                 r"(?:app store|google play|play store)")
OFFER = _any(
    r"\b\d{1,3}\s?(?:%|percent) off\b", r"\b(?:save|saving|get|take) (?:up to )?\d{1,3}\s?(?:%|percent)",
    r"\b(?:ten|fifteen|twenty|twenty[- ]five|thirty|forty|fifty|sixty|seventy|eighty) percent off\b",
    r"\bfree (?:shipping|trial|month|gift|week|box|bag|sample|consultation|delivery|for|quote)\b",
    r"\bfree to (?:download|try|play|join|start|use)\b", r"\bno[- ](?:obligation|lock-in|contracts?)\b",
    # "your first month free", "off your first order": an offer; "in the first month" alone is talk
    r"\b(?:first|1st) (?:month|order|box|week|year|purchase|delivery|session|pair|bag|case)s? "
    r"(?:free|is free|for free|on us|for (?:just |only )?(?:\$|\d|one|a ))",
    r"\boff (?:your|the) (?:first|1st)\b",
    r"\b(?:\d+\s?(?:%|percent) discount|discount (?:of|code)|exclusive (?:offer|deal)|"
    r"special (?:offer|deal)|limited time|risk[- ]free|money[- ]back|satisfaction guarantee|no commitment|"
    r"cancel anytime|save \$?\d)\b",
    r"\$\d+(?:\.\d\d)? (?:off|credit)\b",
)
LEGAL = _any(
    r"\b(?:terms|conditions|restrictions|exclusions|fees) (?:and conditions )?(?:may )?apply\b",
    r"\bsee (?:site|website|\w+\.com|store|app) for (?:full )?(?:details|terms)\b",
    r"\bnot available (?:in all (?:states|areas|regions)|everywhere)\b",
    r"\b(?:taxes and fees|fees) (?:extra|may apply|apply)\b", r"\bspeeds may\b",
    r"\b(?:savings|rates|prices|results|coverage) (?:may )?var(?:y|ies)\b", r"\bnew customers only\b",
    r"\bin-app purchases\b", r"^\W*warning:", r"\bsubject to (?:approval|eligibility|status|credit)\b",
    r"\b(?:is|are) (?:authori[sz]ed and )?regulated by\b", r"\beligibility (?:criteria|rules) apply\b",
    r"\bwaiting periods\b",
    r"\bmember fdic\b",
    r"\bvoid where prohibited\b",
    r"\b(?:offer|deal) (?:valid|ends|expires|available)\b",
    r"\bwhile supplies last\b",
    r"\bno purchase necessary\b",
    r"\bconsult (?:your|a) (?:doctor|physician)\b",
    r"\bnot been evaluated by the (?:fda|food and drug)\b",
    r"\b(?:paid for by|individual results may vary|results may vary|licensed in)\b",
)
MUSIC = re.compile(r"[♪♫]|[\[(](?:[\w -]*\b)?(?:music|jingle|sting|theme|chime|beat|sfx|sound effect)"
                   r"s?(?:\b[\w -]*)?[\])]", re.IGNORECASE)
PODCAST = _any(
    r"\bpodcasts?\b", r"\bnew episodes?\b", r"\bepisodes? (?:drop|come out|every)\b",
    r"\b(?:apple podcasts|spotify|pocket casts|overcast|stitcher|youtube music|amazon music|"
    r"iheart(?:radio)?)\b",
    r"\bwherever you (?:listen|get)\b", r"\bhosted by\b", r"\bseason (?:\w+ )?(?:is|of)\b",
    r"\b(?:a|the|my|our) (?:new )?show (?:called|about|where)\b", r"\blisten (?:to|now|and follow)\b",
    r"\b(?:i've|i have|we've) been (?:listening to|hooked on|obsessed with|bingeing)\b",
    r"\bthe hosts?\b", r"\bon our network\b", r"\bevery (?:episode|week),? (?:the |she |he |they )",
)
SELF = _any(
    # each in the show's voice: "a mug" or "tickets" alone are conversation (a potter's mugs, a concert)
    r"\bpatreon\b", r"\bmemberships?\b", r"\bbecome (?:a|an) (?:\w+ ){0,3}(?:member|supporter|patron)s?\b",
    r"\bmembers? (?:get|also get|only|can|will)\b", r"\bsubscribers? (?:get|only)\b", r"\bmerch(?:andise)?\b",
    r"\b(?:our|the show's|official) (?:new )?(?:t-?shirts?|hoodies?|mugs?|tote bags?|stickers|posters)\b",
    r"\b(?:our|the) (?:live |first |big |\w+ )?tour\b", r"\btickets (?:are|go|went) on sale\b",
    r"\b(?:get|grab|buy) (?:your )?tickets\b", r"\btickets (?:at|for)\b", r"\blive shows?\b",
    r"\bnewsletter\b", r"\bbonus (?:episodes?|feed|content|show)\b", r"\bad[- ]free\b",
    r"\bwithout (?:ads|adverts)\b", r"\bsupport(?:ing)? (?:the|this|our) (?:show|podcast|pod|channel)\b",
    r"\b(?:discord|substack|supercast)\b", r"\b(?:our|the show's) (?:store|shop|club|community|book)\b",
    r"\bearly access\b", r"\bjoin (?:the|our) (?:club|community|crew|family|list)\b",
    r"\bpremium (?:feed|tier|subscription)\b",
)
FIRST_SINGULAR = re.compile(r"\b(?:i|i've|i'm|i'd|i'll|my|me|mine)\b", re.IGNORECASE)
FIRST_PERSON = re.compile(r"\b(?:i|i've|i'm|i'd|i'll|my|me|we've|we|our|us)\b", re.IGNORECASE)
_RESUMING = ("...", "…", "-", "—", "–")  # a cue that starts like this picks up a cut-off sentence
SENTENCE_END = re.compile(r"[.?!…\"”')\]♪]\s*$")  # a cue ending in "—" or a bare word was cut off


@dataclass
class CueFeatures:
    opener: str | None = None  # the phrase, when the cue opens an ad read
    soft_opener: bool = False  # a phrase that may open a promotion or a spot
    ret: bool = False  # the cue returns to the conversation
    not_an_ad: bool = False  # the speaker says what they mention is not a paid ad
    credits: bool = False
    about_ads: bool = False
    asks_guest: bool = False  # the host asks where people can find the guest
    news: bool = False  # reported speech about a company
    app_store: bool = False  # "search X in the App Store": an app-install ad's call to action
    break_: bool = False  # the host announces a break
    cta: list[str] | None = None
    offer: bool = False
    legal: bool = False
    music: bool = False
    only_music: bool = False  # a cue that is nothing but a music cue: a bed, a jingle
    only_sound: bool = False  # nothing spoken at all ("[crosstalk]", "(laughs)", a music cue)
    spills: bool = False  # a code or URL that starts here ends in the next cue
    podcast: int = 0
    self_promo: int = 0
    first_person: int = 0
    first_singular: int = 0
    codes: list[Spoken] | None = None
    urls: list[Spoken] | None = None
    ends_sentence: bool = True
    cut_off: bool = False  # ends in a dash or an ellipsis: the speaker was interrupted
    resumes: bool = False  # starts with a dash or an ellipsis: a cut-off sentence goes on
    bare_end: bool = False
    starts_lower: bool = False

    @property
    def anchor(self) -> bool:
        """Something only an ad does: a code, a URL, or a call to action with an offer or a legal tag."""
        return bool(self.codes or self.urls or self.app_store or (self.cta and (self.offer or self.legal)))


def cue_features(text: str, before: str = "", after: str = "") -> CueFeatures:
    """The cue's features; `before` and `after` are the neighbouring cues' text, so that a code or URL
    wrapped over two cues ("use code S-H-O-W" / "twenty at checkout") is read whole, and belongs to the cue
    it starts in."""
    f = CueFeatures()
    opener = OPENER.search(text)
    if opener and not NOT_AN_OPENER.search(text):
        f.opener = opener.group(0)
    f.soft_opener = bool(SOFT_OPENER.search(text))
    f.ret = bool(RETURN.search(text))
    f.not_an_ad = bool(NOT_AN_AD.search(text))
    f.credits = bool(CREDITS.search(text))
    f.about_ads = bool(ABOUT_ADS.search(text))
    f.asks_guest = bool(GUEST_PLUG_ASKED.search(text))
    f.news = bool(NEWS.search(text))
    f.app_store = bool(APP_STORE.search(text))
    f.break_ = bool(BREAK.search(text))
    ctas = [m.group(0) for m in CTA.finditer(text)]
    f.cta = ctas or None
    f.offer = bool(OFFER.search(text))
    f.legal = bool(LEGAL.search(text))
    f.music = bool(MUSIC.search(text))
    f.podcast = len(PODCAST.findall(text))
    f.self_promo = len(SELF.findall(text))
    f.first_person = len(FIRST_PERSON.findall(text))
    f.first_singular = len(FIRST_SINGULAR.findall(text))
    f.codes, f.spills = _said_here(promo_codes, text, before, after)
    urls, spills = _said_here(vanity_urls, text, before, after)
    f.urls, f.spills = urls, f.spills or spills
    stripped = text.strip()
    f.ends_sentence = bool(SENTENCE_END.search(stripped)) or f.music
    f.only_music = f.music and len(MUSIC.sub("", text).strip()) == 0
    f.only_sound = is_sound(text)
    f.starts_lower = bool(stripped) and (stripped[0].islower() or stripped.startswith(_RESUMING))
    f.resumes = stripped.startswith(_RESUMING)
    f.cut_off = stripped.endswith(("—", "–", "--", " -", "...", "…"))
    f.bare_end = bool(stripped) and stripped[-1].isalnum()  # no punctuation at all: cut, or a wrapped line
    return f


def _said_here(read, text: str, before: str, after: str) -> tuple[list[Spoken] | None, bool]:
    """What `read` finds in the cue with its neighbours around it, keeping what starts in the cue."""
    offset = len(before) + 1 if before else 0
    window = (before + " " if before else "") + text + (" " + after if after else "")
    here = [s for s in read(window, unique=False) if offset <= s.start < offset + len(text)]
    here = each_once(here)
    return here or None, any(s.end > offset + len(text) for s in here)
