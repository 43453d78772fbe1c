"""The scorer on small hand-made cases; every expected number is worked out in the comments."""

from __future__ import annotations

import pytest
from scoring import format_table, keyword_baseline, load_labels, match, position_of, score

from earmark.ai.transcripts import Cue


def seg(start, end, *, file="e1.vtt", kind="host_read", brand="Dormio", codes=(), urls=(), position="mid"):
    return {"source_file": file, "start_s": start, "end_s": end, "kind": kind, "brand": brand,
            "promo_codes": list(codes), "vanity_urls": list(urls), "position": position}


def test_a_perfect_prediction_scores_one_everywhere():
    label = seg(100, 160, codes=["SLEEP20"], urls=["dormio.com/sleep"])
    result = score([dict(label)], [label])
    assert result["tp"] == 1 and result["fp"] == 0 and result["fn"] == 0
    for key in ("segment_precision", "segment_recall", "segment_f1", "brand_accuracy", "kind_accuracy",
                "position_accuracy", "code_f1", "url_f1"):
        assert result[key] == 1.0, key
    assert result["false_on_negatives"] == 0 and result["per_ten_negatives"] == 0.0


def test_two_predictions_over_one_ad_are_one_tp_and_one_fp():
    # both halves of the ad overlap it by all of their own (shorter) span; only one may take it.
    # P = 1/2, R = 1/1, F1 = 2 * 0.5 * 1 / 1.5 = 0.6667
    result = score([seg(100, 130), seg(130, 160)], [seg(100, 160)])
    assert (result["tp"], result["fp"], result["fn"]) == (1, 1, 0)
    assert result["segment_precision"] == 0.5
    assert result["segment_recall"] == 1.0
    assert result["segment_f1"] == 0.6667


def test_half_of_the_shorter_span_is_enough_and_less_is_not():
    label = seg(10, 20)  # 10 s long
    # [15, 40] overlaps it by 5 s, exactly half of the shorter (10 s) span: a match
    assert score([seg(15, 40)], [label])["tp"] == 1
    # [15.5, 40] overlaps by 4.5 s < 5 s: no match, one FP and one FN
    missed = score([seg(15.5, 40)], [label])
    assert (missed["tp"], missed["fp"], missed["fn"]) == (0, 1, 1)
    assert missed["segment_f1"] == 0.0
    # a short prediction inside a long ad: the shorter span is the prediction's, all of it overlaps
    assert score([seg(50, 52)], [seg(0, 300)])["tp"] == 1
    # spans that only touch do not overlap
    assert score([seg(20, 30)], [label])["tp"] == 0


def test_matching_is_optimal_not_greedy():
    # labels A = [0, 10], B = [8, 30]; predictions X = [3, 13], Y = [0, 5].
    # X-A overlaps 7 s (shorter 10), X-B 5 s (shorter 10: exactly half), Y-A 5 s (shorter 5), Y-B none.
    # Greedy by overlap would take X-A first and leave Y and B unmatched; the best assignment is X-B, Y-A.
    predicted, labelled = [seg(3, 13), seg(0, 5)], [seg(0, 10), seg(8, 30)]
    assert match(predicted, labelled) == [(0, 1), (1, 0)]
    result = score(predicted, labelled)
    assert (result["tp"], result["fp"], result["fn"]) == (2, 0, 0)


def test_among_equally_many_pairs_the_larger_overlap_wins():
    # one prediction [0, 10] and two ads it overlaps enough: [0, 10] (IoU 1) and [5, 12] (IoU 5/12)
    assert match([seg(0, 10)], [seg(5, 12), seg(0, 10)]) == [(0, 1)]


def test_segments_in_different_files_never_match():
    result = score([seg(0, 60, file="a.vtt")], [seg(0, 60, file="b.vtt")])
    assert (result["tp"], result["fp"], result["fn"]) == (0, 1, 1)


def test_the_episode_id_is_the_key_when_there_is_no_source_file():
    predicted = {k: v for k, v in seg(0, 60).items() if k != "source_file"} | {"episode_id": "e1"}
    labelled = {k: v for k, v in seg(0, 60).items() if k != "source_file"} | {"episode_id": "e1"}
    assert score([predicted], [labelled])["tp"] == 1


def test_brand_kind_and_position_are_judged_on_matched_pairs_only():
    labelled = [seg(0, 60, brand="Harbor Line VPN", kind="host_read", position="pre"),
                seg(600, 660, brand="Dormio", kind="produced", position="mid"),
                seg(900, 960, brand="Tallowmere", kind="dynamic_insert", position="post")]
    predicted = [seg(0, 60, brand="harborline-vpn", kind="host_read", position="pre"),   # brand, kind, pos
                 seg(600, 660, brand="Dormia", kind="host_read", position="mid"),        # position only
                 seg(2000, 2060, brand="Tallowmere", kind="dynamic_insert", position="post")]  # unmatched
    result = score(predicted, labelled)
    assert (result["tp"], result["fp"], result["fn"]) == (2, 1, 1)
    assert result["brand_accuracy"] == 0.5      # 1 of 2 pairs
    assert result["kind_accuracy"] == 0.5       # 1 of 2
    assert result["position_accuracy"] == 1.0   # 2 of 2


def test_code_and_url_micro_scores():
    labelled = [seg(0, 60, codes=["SHOW20", "NIGHTOWL"], urls=["dormio.com/sleep"]),
                seg(600, 660, codes=["RUN"], urls=["plinthwise.com"])]     # missed by the analyzer
    predicted = [seg(0, 60, codes=["show-20", "SHOW2O"], urls=["https://www.Dormio.com/sleep/"]),
                 seg(1200, 1260, codes=["FREE"], urls=[])]               # matches no ad
    result = score(predicted, labelled)
    # codes: the pair shares SHOW20 (tp 1); SHOW2O is an fp, NIGHTOWL an fn; FREE (unmatched) an fp,
    # RUN (missed ad) an fn: tp 1, fp 2, fn 2 -> P = R = F1 = 1/3
    assert (result["code_tp"], result["code_fp"], result["code_fn"]) == (1, 2, 2)
    assert result["code_precision"] == result["code_recall"] == result["code_f1"] == 0.3333
    # URLs: the pair's URL matches once normalised (tp 1); plinthwise.com is an fn: P = 1, R = 1/2,
    # F1 = 2 * 1 * 0.5 / 1.5 = 0.6667
    assert (result["url_tp"], result["url_fp"], result["url_fn"]) == (1, 0, 1)
    assert result["url_precision"] == 1.0 and result["url_recall"] == 0.5 and result["url_f1"] == 0.6667


def test_false_positives_on_hard_negatives():
    labelled = [seg(0, 60)]
    negatives = [{"source_file": "e1.vtt", "start_s": s, "end_s": e, "kind": "brand_opinion"}
                 for s, e in ((300, 340), (500, 540), (700, 740), (0, 30))]
    predicted = [
        seg(305, 335),    # inside the first negative, matches no ad: counted
        seg(310, 320),    # the same negative again: also counted (it is another false segment)
        seg(530, 600),    # overlaps the second by 10 s, less than half of 40 s: not counted
        seg(0, 60),       # overlaps the fourth negative but is matched to the ad: not counted
        seg(1000, 1060),  # a false positive away from any negative: not counted here
        seg(700, 740, file="other.vtt"),  # another file's span
    ]
    result = score(predicted, labelled, negatives)
    assert result["false_on_negatives"] == 2
    assert result["per_ten_negatives"] == 5.0   # 10 * 2 / 4
    assert result["negatives"] == 4
    assert (result["tp"], result["fp"], result["fn"]) == (1, 5, 0)


def test_empty_inputs():
    nothing = score([], [])
    assert nothing["segment_f1"] == 1.0 and nothing["code_f1"] == 1.0 and nothing["brand_accuracy"] == 0.0
    only_labels = score([], [seg(0, 60, codes=["A"])])
    assert only_labels["segment_precision"] == 0.0 and only_labels["segment_recall"] == 0.0
    assert only_labels["code_f1"] == 0.0 and only_labels["per_ten_negatives"] == 0.0


def test_ratios_are_plain_rounded_floats():
    result = score([seg(0, 10), seg(20, 30), seg(40, 50)], [seg(0, 10)])
    assert result["segment_precision"] == 0.3333
    assert all(type(v) in (float, int) for v in result.values())


def test_position_rule():
    assert position_of(99.9, 1000) == "pre"
    assert position_of(100.0, 1000) == "mid"
    assert position_of(899.9, 1000) == "mid"
    assert position_of(900.0, 1000) == "post"


def test_keyword_baseline():
    cues = [
        Cue(0, 10, "This episode is SPONSORED by Dormio."),          # flagged
        Cue(10, 20, "Go to dormio.com/sleep for ten percent off."),   # flagged, merged with the first
        Cue(20, 30, "Anyway, back to the show."),
        Cue(30, 40, "It was brought to you by nobody, honestly."),    # flagged: a lone cue
        Cue(40, 50, "My sponsorship of the bowling team..."),         # flagged ("sponsor" inside)
        Cue(50, 90, "Nothing here."),
        Cue(90, 100, "Use code NIGHT at checkout."),                  # flagged, at 90 % of 100 s: post
    ]
    predicted = keyword_baseline(cues, "e1.vtt")
    assert [(p["start_s"], p["end_s"], p["position"]) for p in predicted] == [
        (0.0, 20.0, "pre"), (30.0, 50.0, "mid"), (90.0, 100.0, "post")]
    assert all(p["kind"] == "host_read" and p["brand"] == "" and p["promo_codes"] == []
               and p["vanity_urls"] == [] and p["source_file"] == "e1.vtt" for p in predicted)
    assert keyword_baseline([], "e1.vtt") == []
    # dicts work as well as cue objects
    assert keyword_baseline([{"start_s": 0, "end_s": 5, "text": "promo code X"}], "x")[0]["end_s"] == 5.0


def test_format_table():
    table = format_table({"keyword": score([seg(0, 60)], [seg(0, 60)]), "none": score([], [seg(0, 60)])})
    lines = table.splitlines()
    assert lines[0] == ("| analyzer | segment P | segment R | segment F1 | brand acc | kind acc"
                        " | position acc | code F1 | URL F1 | false/10 negatives |")
    assert lines[1] == "|---|" + "---:|" * 9
    assert lines[2] == "| keyword | " + "1.000 | " * 8 + "0.000 |"
    assert lines[3].startswith("| none | 0.000 | 0.000 | 0.000 | 0.000 |")
    assert len(lines) == 4


def test_load_labels_flattens_transcripts():
    data = {"part": "p1", "transcripts": [
        {"file": "p1-e01.vtt", "episode_id": "p1-e01", "ads": [seg(0, 60, file="ignored")],
         "hard_negatives": [{"start_s": 100, "end_s": 130, "kind": "price_talk"}]},
        {"file": "p1-e02.srt", "episode_id": "p1-e02", "ads": [], "hard_negatives": []}]}
    ads, negatives = load_labels(data)
    assert [a["source_file"] for a in ads] == ["p1-e01.vtt"] and ads[0]["episode_id"] == "p1-e01"
    assert negatives == [{"start_s": 100, "end_s": 130, "kind": "price_talk", "source_file": "p1-e01.vtt",
                          "episode_id": "p1-e01"}]


@pytest.mark.parametrize("brand", ["Harbor Line", "harbor-line", "HARBORLINE", " harbor line! "])
def test_brands_compare_ignoring_case_and_punctuation(brand):
    assert score([seg(0, 60, brand=brand)], [seg(0, 60, brand="Harbor Line")])["brand_accuracy"] == 1.0
