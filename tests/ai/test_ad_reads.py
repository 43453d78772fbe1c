"""The local ad-read detector on small transcripts, one phenomenon each: where a read starts and ends, its
kind, brand, codes, URLs and position, and what is talk rather than an ad."""

from earmark.ai.adreads import Context, detect
from earmark.ai.adreads.brands import Brand, BrandCatalog
from earmark.ai.adreads.classify import position, show_title_said
from earmark.ai.transcripts import Cue, Transcript

CATALOG = BrandCatalog([
    Brand("Harborline VPN", "advertiser", "a-harbor", ("Harbor Line",), ("harborlinevpn.com",)),
    Brand("Dormio", "advertiser", "a-dormio", (), ("dormio.com",)),
    Brand("Lantern Row", "partner_podcast", "a-lantern"),
    Brand("Night Desk", "own_show", "a-own"),
])
CONTEXT = Context(CATALOG, "Night Desk", ("Mara Quinn",))
FILLER = "And that is why the archive matters so much to the town."


def transcript(lines: list[str | tuple[str, str]], step: float = 10.0, pad: int = 20) -> Transcript:
    """Cues of `step` seconds: the lines, then `pad` cues of conversation so positions are mid."""
    cues = []
    for i, line in enumerate([FILLER] * pad + list(lines) + [FILLER] * pad):
        speaker, text = line if isinstance(line, tuple) else ("Mara", line)
        cues.append(Cue(i * step, i * step + step, text, speaker))
    return Transcript(tuple(cues), "vtt", "ep.vtt")


def at(seconds: float, pad: int = 20, step: float = 10.0) -> float:
    return pad * step + seconds


def test_a_host_read_starts_at_the_transition_and_ends_before_the_return():
    reads = detect(transcript([
        "I slept four hours last night.",
        "Speaking of sleep, this episode is supported by Dormio.",
        "I have been sleeping on their mattress for a month and my back thanks me.",
        "Go to dormio dot com slash night and use code S-L-E-E-P twenty for twenty percent off.",
        "Okay, we're back. So, the archive.",
    ]), CONTEXT)
    assert [(r.start_s, r.end_s, r.kind, r.brand, r.advertiser_id, r.promo_codes, r.vanity_urls, r.position)
            for r in reads] == [(at(10), at(40), "host_read", "Dormio", "a-dormio", ("SLEEP20",),
                                 ("dormio.com/night",), "mid")]
    assert reads[0].cta and reads[0].url_mentions == 1
    assert {"this episode is supported", "code S-L-E-E-P twenty"} <= set(reads[0].evidence)


def test_a_brand_said_another_way_is_the_catalog_brand():
    (read,) = detect(transcript([
        "This episode is brought to you by Harbor Line.",
        "Go to harborline V-P-N dot com slash desk for three months free.",
    ]), CONTEXT)
    assert (read.brand, read.advertiser_id, read.vanity_urls) == ("Harborline VPN", "a-harbor",
                                                                  ("harborlinevpn.com/desk",))


def test_an_inserted_spot_cuts_the_host_off_and_never_names_the_show():
    (read,) = detect(transcript([
        ("Mara", "And the thing nobody in town wanted to say was that the boat belonged to"),
        (None, "Switching phone plans should not feel like a hostage negotiation."),
        (None, "Skiffline Mobile gives you unlimited data for thirty dollars a month. "
               "Switch at skiffline dot com."),
        ("Mara", "the mayor's brother, which, come on."),
    ]), CONTEXT)
    assert (read.start_s, read.end_s, read.kind, read.brand) == (at(10), at(30), "dynamic_insert",
                                                                 "Skiffline Mobile")


def test_back_to_back_spots_are_one_segment_each():
    reads = detect(transcript([
        "We'll be right back.",
        ("Announcer", "Your roof gets hours of free power a day. Copperbeam Solar installs it with zero "
                      "down."),
        ("Announcer", "Find out what you could save at copperbeam solar dot com. Copperbeam Solar."),
        ("Announcer", "The water heater always breaks on the worst possible day."),
        ("Announcer", "With Keystep Home Warranty one call gets a pro to your door. First month free at "
                      "keystep home dot com."),
        "Okay, we're back.",
    ]), CONTEXT)
    assert [(r.start_s, r.end_s, r.kind, r.brand, r.vanity_urls) for r in reads] == [
        (at(10), at(30), "produced", "Copperbeam Solar", ("copperbeamsolar.com",)),
        (at(30), at(50), "produced", "Keystep Home Warranty", ("keystephome.com",))]


def test_promotions_of_a_podcast_and_of_the_show_itself():
    reads = detect(transcript([
        "If you like true crime, check out our friends at Lantern Row.",
        "New episodes every Tuesday, wherever you get your podcasts.",
        FILLER, FILLER, FILLER,
        "Before we go, our live tour starts in March.",
        "Tickets are on sale at night desk dot com slash tour.",
    ]), CONTEXT)
    assert [(r.kind, r.brand) for r in reads] == [("cross_promo", "Lantern Row"),
                                                  ("self_promo", "Night Desk")]


def test_talk_about_brands_prices_and_sponsors_is_not_an_ad():
    assert detect(transcript([
        "Our bowling team is sponsored by Gus's Pizza, which is four hundred dollars a season.",
        "This episode isn't sponsored, but I love my Volvo, it cost about thirty thousand dollars.",
        "Where can people find your work?",
        ("Ana", "You can find me at anaruiz dot com, and the book is out in May."),
        "Ad loads keep going up, and every show has its own promo codes now.",
    ]), CONTEXT) == []


def test_position_is_pre_before_a_tenth_and_post_from_nine_tenths():
    assert [position(s, 1000.0) for s in (0.0, 99.9, 100.0, 899.9, 900.0)] == [
        "pre", "pre", "mid", "mid", "post"]


def test_the_show_says_its_name_in_its_opening():
    said = transcript(["Hello and welcome to Bench Minutes, the podcast for hopeless fans. I'm Gus."], pad=0)
    assert show_title_said(said) == "Bench Minutes"
    assert show_title_said(transcript(["This is The Ledger Lane, I'm Priya."], pad=0)) == "The Ledger Lane"
    assert show_title_said(transcript(["It's raining again."], pad=0)) is None


def test_a_brand_named_like_a_word_is_found_only_where_it_is_a_name():
    catalog = BrandCatalog([Brand("On", "advertiser", "a-on", (), ("on.com",)),
                            Brand("Anchor", "advertiser", "a-anchor")])
    said = "Go on, sit on a chair. We drop anchor at noon. This episode is supported by Anchor."
    assert [(m.brand.name, m.word_start) for m in catalog.mentions(said)] == [("Anchor", 16)]
    # an auto-caption with no capitals at all still names it
    assert [m.brand.name for m in catalog.mentions("this episode is supported by anchor")] == ["Anchor"]
