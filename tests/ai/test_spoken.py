"""Spoken promo codes and vanity URLs, read the way a listener would type them."""

import pytest

from earmark.ai.adreads.codes import promo_codes
from earmark.ai.adreads.urls import url_stem, vanity_urls


@pytest.mark.parametrize(("said", "code"), [
    ("use code S-H-O-W twenty at checkout", "SHOW20"),
    ("promo code 'night owl' for 20% off", "NIGHTOWL"),
    ("use code night owl at checkout", "NIGHTOWL"),
    ("use code RUN at checkout", "RUN"),
    ("Use code C-A-S-T thirty five.", "CAST35"),
    ("code SUMMER twenty twenty five", "SUMMER2025"),
    ("use promo code PODCAST fifteen", "PODCAST15"),
    ("enter SAVE20 at checkout", "SAVE20"),
    ("the code is SLEEPY20", "SLEEPY20"),
    ("with code zen, you get a free month", "ZEN"),
    ("there's a presale code, it's rain delay, all one word, RAINDELAY, gets you in", "RAINDELAY"),
    ("use code puddle fifteen for fifteen percent off", "PUDDLE15"),
    ("use code S H O W one hundred", "SHOW100"),
])
def test_a_spoken_code_is_typed_as_the_listener_types_it(said, code):
    assert [c.value for c in promo_codes(said)] == [code]


def test_a_code_spelled_out_after_thats_is_typed_as_spelled():
    said = ("Dispatch Nine listeners get twenty percent off with code FILE NINE, that's F-I-L-E, N-I-N-E, "
            "at tuck.com.")
    assert [c.value for c in promo_codes(said)] == ["FILENINE"]


def test_a_code_repeated_in_another_spelling_is_one_code():
    assert [c.value for c in promo_codes("code SHOW20, that's S-H-O-W two zero")] == ["SHOW20"]


@pytest.mark.parametrize("said", [
    "The code only catches the people who remember the code.",
    "the promo code went viral last week",
    "I wrote the code for the website myself",
    "Last Friday, an internal discount code meant for employees got posted on a deals forum.",
    "Enter the code from the back of the card",
])
def test_talk_about_codes_names_no_code(said):
    assert promo_codes(said) == []


@pytest.mark.parametrize(("said", "url"), [
    ("go to harborline V-P-N dot com slash patch", "harborlinevpn.com/patch"),
    ("visit dormio.com", "dormio.com"),
    ("head to P-L-U-M dot F-M slash deal.", "plum.fm/deal"),
    ("check out https://www.Brand.com/Show/ today", "brand.com/show"),
    ("go to shop dot lumen dot coffee slash twenty", "shop.lumen.coffee/20"),
    ("at lumencoffee dot com forward slash pod and use code", "lumencoffee.com/pod"),
    ("at marrowandmist dot com slash after dark.", "marrowandmist.com/afterdark"),
    ("tuckbox dot kids slash small hours", "tuckbox.kids/smallhours"),
    ("the site harborline dot co dot uk", "harborline.co.uk"),
    ("Compare at corella dot com dot au.", "corella.com.au"),
    ("Sign up at sillypoint dot in forward slash watchalong.", "sillypoint.in/watchalong"),
    ("Thimble and Tine, thimble and tine dot com, and use the code", "thimbleandtine.com"),
])
def test_a_spoken_url_is_written_lower_case_without_scheme_or_www(said, url):
    assert [u.value for u in vanity_urls(said)] == [url]


@pytest.mark.parametrize("said", ["email me at ana@site.com", "Dr. Lee said so", "connect the dots today"])
def test_what_is_not_a_url_gives_none(said):
    assert vanity_urls(said) == []


def test_the_name_a_url_spells_skips_country_domains_and_platforms():
    assert [url_stem(u) for u in ("harborlinevpn.com/patch", "shop.lumen.coffee", "corella.com.au",
                                  "patreon.com/thelonglunch", "pintsize.co.uk")] == [
        "harborlinevpn", "lumen", "corella", "thelonglunch", "pintsize"]
