"""Transcript parsers: WebVTT, SRT and JSON segments into cues, speakers and dash splits, round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transcript_text import refused, srt_cue, vtt

from earmark.ai.transcripts import Cue, parse_text, parse_transcript

# WebVTT


def test_vtt_header_blocks_identifiers_settings_and_wrapped_text():
    text = (
        "WEBVTT - Episode 12\nKind: captions\nLanguage: en\n\n"
        "NOTE written by hand\nover two lines\n\n"
        "STYLE\n::cue { color: yellow }\n\n"
        "REGION\nid:fred width:40%\n\n"
        "intro-1\n00:00:01.000 --> 00:00:04.500 align:start position:10%\nWelcome back\nto the show.\n\n"
        "01:02:03.250 --> 01:02:05.000\nAn hour in.\n"
    )
    transcript = parse_text(text, "vtt", "ep12.vtt")
    assert transcript.cues == (
        Cue(1.0, 4.5, "Welcome back to the show.", None),
        Cue(3723.25, 3725.0, "An hour in.", None),
    )
    assert (transcript.format, transcript.source_file) == ("vtt", "ep12.vtt")


def test_vtt_caption_style_times_without_hours():
    cues = parse_text(vtt("00:01.500 --> 01:02.000\nShort episode."), "vtt", "ep").cues
    assert cues == (Cue(1.5, 62.0, "Short episode.", None),)


def test_vtt_voice_tags_name_the_speaker_with_classes_and_without_closing_tag():
    text = vtt(
        "00:00:01.000 --> 00:00:02.000\n<v Ana>Hello there.</v>",
        "00:00:02.000 --> 00:00:04.000\n<v.loud.intro Mark Ruiz>Thanks, Ana\nfor having me.",
    )
    assert parse_text(text, "vtt", "ep").cues == (
        Cue(1.0, 2.0, "Hello there.", "Ana"),
        Cue(2.0, 4.0, "Thanks, Ana for having me.", "Mark Ruiz"),
    )


def test_vtt_voice_tag_on_a_new_line_is_a_speaker_change():
    text = vtt("00:00:10.000 --> 00:00:12.000\n<v Ana>Hi Bob\n<v Bob>Hi Ana")
    assert parse_text(text, "vtt", "ep").cues == (
        Cue(10.0, 11.0, "Hi Bob", "Ana"),
        Cue(11.0, 12.0, "Hi Ana", "Bob"),
    )


def test_vtt_other_tags_and_inline_timestamps_are_removed():
    text = vtt(
        "00:00:01.000 --> 00:00:05.000\n"
        "<c.yellow.bg_blue>Use</c> <i>code</i> <b>EARMARK</b> <u>now</u>\n"
        "<00:00:03.500><lang en>at checkout</lang> <00:04.000>today <ruby>漢<rt>kan</rt></ruby>"
    )
    assert parse_text(text, "vtt", "ep").cues == (
        Cue(1.0, 5.0, "Use code EARMARK now at checkout today 漢", None),
    )


def test_vtt_entities_are_unescaped_after_tags_are_removed():
    text = vtt("00:00:01.000 --> 00:00:02.000\nTom&nbsp;&amp;&nbsp;Jerry &lt;3 &#39;em &gt; &lt;i&gt;")
    assert parse_text(text, "vtt", "ep").cues == (Cue(1.0, 2.0, "Tom & Jerry <3 'em > <i>", None),)


def test_vtt_cue_right_under_the_header_and_a_missing_blank_line_between_cues():
    text = "WEBVTT\n00:00:01.000 --> 00:00:02.000\nFirst\n00:00:02.000 --> 00:00:03.000\nSecond\n"
    assert parse_text(text, "vtt", "ep").cues == (
        Cue(1.0, 2.0, "First", None),
        Cue(2.0, 3.0, "Second", None),
    )


def test_vtt_sound_cues_are_kept_and_empty_cues_dropped():
    text = vtt(
        "00:00:00.000 --> 00:00:02.000\n[MUSIC]",
        "00:00:02.000 --> 00:00:03.000\n<i> </i>",
        "00:00:03.000 --> 00:00:05.000\n♪ upbeat music ♪",
        "00:00:05.000 --> 00:00:06.000\n(laughs)",
    )
    assert parse_text(text, "vtt", "ep").cues == (
        Cue(0.0, 2.0, "[MUSIC]", None),
        Cue(3.0, 5.0, "♪ upbeat music ♪", None),
        Cue(5.0, 6.0, "(laughs)", None),
    )


def test_vtt_with_bom_and_crlf_from_a_file(tmp_path: Path):
    path = tmp_path / "Episode 3.VTT"
    path.write_bytes(b"\xef\xbb\xbfWEBVTT\r\n\r\n00:00:01.000 --> 00:00:02.000\r\nCaf\xc3\xa9 time\r\n\r\n")
    transcript = parse_transcript(path)
    assert transcript.cues == (Cue(1.0, 2.0, "Café time", None),)
    assert (transcript.format, transcript.source_file) == ("vtt", "Episode 3.VTT")


# SRT


def test_srt_indexes_commas_wrapped_lines_and_markup():
    text = (
        "1\n00:00:01,000 --> 00:00:03,500\n<i>Welcome</i> to the\n<font color=\"#ffff00\">show</font>\n\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\n{\\an8}Brought to you &amp; yours\nby <b>Acme</b>\n"
    )
    assert parse_text(text, "srt", "ep.srt").cues == (
        Cue(1.0, 3.5, "Welcome to the show", None),
        Cue(4.0, 6.0, "Brought to you & yours by Acme", None),
    )


def test_srt_without_index_lines_with_dots_bom_and_crlf():
    text = "\ufeff00:00:01.000 --> 00:00:02.000\r\nOne\r\n\r\n\r\n00:00:02.000 --> 00:00:03.250\r\nTwo\r\n"
    assert parse_text(text, "srt", "ep.srt").cues == (
        Cue(1.0, 2.0, "One", None),
        Cue(2.0, 3.25, "Two", None),
    )


def test_srt_missing_blank_line_between_cues_keeps_the_number_out_of_the_text():
    text = "1\n00:00:01,000 --> 00:00:02,000\nHello\n2\n00:00:03,000 --> 00:00:04,000\nWorld\n"
    assert parse_text(text, "srt", "ep.srt").cues == (
        Cue(1.0, 2.0, "Hello", None),
        Cue(3.0, 4.0, "World", None),
    )


def test_srt_timing_line_coordinates_are_ignored():
    cues = srt_cue("Hi", "00:00:01,000 --> 00:00:02,000 X1:100 X2:200 Y1:10 Y2:20")
    assert cues == (Cue(1.0, 2.0, "Hi", None),)


# Speakers


@pytest.mark.parametrize(
    ("text", "speaker", "spoken"),
    [
        ("ANA: Welcome back.", "ANA", "Welcome back."),
        ("Dr. Lee: Thanks.", "Dr. Lee", "Thanks."),
        ("Mark Ruiz: So, anyway", "Mark Ruiz", "So, anyway"),
        ("Jean-Luc O'Brien:Hi", "Jean-Luc O'Brien", "Hi"),
        ("Note: the offer ends Friday", None, "Note: the offer ends Friday"),
        ("Pro Tip: use the code", None, "Pro Tip: use the code"),
        ("10:30 is when we start", None, "10:30 is when we start"),
        ("Speaker 1: hello", None, "Speaker 1: hello"),
        ("Well, Ana: hello", None, "Well, Ana: hello"),
        ("The Los Angeles Lakers: again", None, "The Los Angeles Lakers: again"),
        ("ANA:", None, "ANA:"),
    ],
)
def test_name_prefix_heuristic(text: str, speaker: str | None, spoken: str):
    assert srt_cue(text) == (Cue(1.0, 3.0, spoken, speaker),)


def test_name_prefix_on_its_own_line_names_the_wrapped_cue():
    assert srt_cue("BOB:\nWe are back.") == (Cue(1.0, 3.0, "We are back.", "BOB"),)


def test_dash_lines_split_the_cue_in_proportion_to_their_text():
    # "Hi there." has 9 characters and "Hello!" 6: the 3 s span splits at 3 * 9 / 15 = 1.8 s.
    cues = srt_cue("- Hi there.\n- ANA: Hello!", "00:00:10,000 --> 00:00:13,000")
    assert cues == (Cue(10.0, 11.8, "Hi there.", None), Cue(11.8, 13.0, "Hello!", "ANA"))


def test_dash_split_rounds_to_milliseconds_and_stays_contiguous():
    cues = srt_cue("-A\n-Bc\n- Def", "00:00:00,000 --> 00:00:01,000")
    assert cues == (Cue(0.0, 0.167, "A", None), Cue(0.167, 0.5, "Bc", None), Cue(0.5, 1.0, "Def", None))


def test_dash_part_wrapping_onto_a_line_without_a_dash():
    cues = srt_cue("- BOB: We tried it\nfor a week.\n- Yes.", "00:00:00,000 --> 00:00:02,700")
    assert cues == (Cue(0.0, 2.3, "We tried it for a week.", "BOB"), Cue(2.3, 2.7, "Yes.", None))


def test_single_dash_line_and_broadcast_chevrons_mark_a_new_speaker():
    assert srt_cue("- Yes.") == (Cue(1.0, 3.0, "Yes.", None),)
    assert srt_cue(">> ANA: Back to you.") == (Cue(1.0, 3.0, "Back to you.", "ANA"),)
    assert srt_cue("-5 degrees tonight") == (Cue(1.0, 3.0, "-5 degrees tonight", None),)


def test_dash_part_takes_only_its_own_voice_tag():
    text = vtt("00:00:00.000 --> 00:00:01.000\n<v Ana>- Hi\n- Ho")
    assert parse_text(text, "vtt", "ep").cues == (Cue(0.0, 0.5, "Hi", "Ana"), Cue(0.5, 1.0, "Ho", None))


# JSON segments


def test_json_array_of_segments():
    text = json.dumps([
        {"start": 0, "end": 4.2, "speaker": "Ana", "text": " ANA: Welcome  back. "},
        {"start": 4.2, "end": 6.23456, "speaker": None, "text": "BOB: Thanks."},
        {"start": 6.5, "end": 7, "text": "[MUSIC]"},
        {"start": 7, "end": 8, "text": "   "},
    ])
    assert parse_text(text, "json", "ep.json").cues == (
        Cue(0.0, 4.2, "ANA: Welcome back.", "Ana"),
        Cue(4.2, 6.235, "Thanks.", "BOB"),
        Cue(6.5, 7.0, "[MUSIC]", None),
    )


def test_json_whisper_object_with_segments(tmp_path: Path):
    whisper = {"text": "Hi.", "segments": [{"id": 0, "seek": 0, "start": 1.5, "end": 2.0, "text": " Hi."}],
               "language": "en"}
    path = tmp_path / "ep.JSON"
    path.write_text(json.dumps(whisper, indent=2), encoding="utf-8")
    transcript = parse_transcript(path)
    assert transcript.cues == (Cue(1.5, 2.0, "Hi.", None),)
    assert transcript.format == "json"


@pytest.mark.parametrize(
    ("segment", "line", "reason"),
    [
        ('{"start": 1, "text": "x"}', 3, 'segment 2 has no "end"'),
        ('{"start": "1.0", "end": 2, "text": "x"}', 3, 'segment 2 has a string as its "start"'),
        ('{"start": true, "end": 2, "text": "x"}', 3, 'segment 2 has a boolean as its "start"'),
        ('{"start": -1, "end": 2, "text": "x"}', 3, 'segment 2 has "start": -1'),
        ('{"start": NaN, "end": 2, "text": "x"}', 3, 'segment 2 has "start": NaN'),
        ('{"start": 3, "end": 2, "text": "x"}', 3, "segment 2 ends at 2 s, before it starts at 3 s"),
        ('{"start": 1, "end": 2}', 3, 'segment 2 has no "text"'),
        ('{"start": 1, "end": 2, "text": 7}', 3, 'segment 2 has a number as its "text"'),
        ('{"start": 1, "end": 2, "text": "x", "speaker": 3}', 3, 'segment 2 has a number as its "speaker"'),
        ('"just text"', 3, "segment 2 is a string, not an object"),
    ],
)
def test_json_segment_errors_name_the_segment_and_its_line(segment: str, line: int, reason: str):
    text = '[\n  {"start": 0, "end": 1, "text": "ok"},\n  ' + segment + "\n]\n"
    error = refused(text, "json")
    assert (error.line, error.reason) == (line, reason)


def test_json_error_line_inside_a_pretty_printed_whisper_object():
    segments = [{"start": 0, "end": 1, "text": "a"}, {"start": 1, "end": 2, "text": "b"},
                {"start": 2, "end": 3, "text": None}]
    text = json.dumps({"text": "a b", "segments": segments, "language": "en"}, indent=2)
    error = refused(text, "json")
    # The third segment's "{" is on line 14 of the indented dump.
    assert text.splitlines()[13].strip() == "{"
    assert (error.line, error.reason) == (14, 'segment 3 has null as its "text"')


def test_json_syntax_error_reports_the_decoder_line():
    error = refused('[\n  {"start": 0, "end": 1, "text": "a"},\n  {"start": 1 "end": 2}\n]', "json")
    assert error.line == 3
    assert error.reason.startswith("the file is not valid JSON (Expecting ',' delimiter")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"text": "hi"}', 'the JSON object has no "segments" array'),
        ('{"segments": "hi"}', 'the JSON object\'s "segments" is a string, not an array'),
        ("42", "the JSON document is a number, not an array of segments"),
        ("[" * 100_000, "the JSON is nested too deeply to be segments"),
        ("[]", "the file has no cues with text"),
    ],
)
def test_json_document_errors(text: str, reason: str):
    error = refused(text, "json")
    assert (error.line, error.reason) == (None, reason)


# Round trips and speed


def _clock(ms: int, separator: str) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{separator}{ms % 1000:03d}"


_WORDS = st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.,!?'", min_size=1, max_size=8),
                  min_size=1, max_size=8)
_CUES = st.lists(
    st.tuples(
        st.integers(0, 5000),  # step from the previous cue's start, in ms
        st.integers(0, 8000),  # duration, in ms
        _WORDS,
        st.sampled_from([None, "Ana", "Mark Ruiz", "Dr. Lee", "BOB", "Élodie"]),
        st.integers(0, 8),  # the word the caption wraps before
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(cues=_CUES, crlf=st.booleans())
def test_rendered_cues_parse_back_to_the_same_cues(cues, crlf: bool):
    expected, srt_blocks, vtt_blocks = [], [], ["WEBVTT"]
    start = 0
    for number, (step, duration, words, speaker, wrap) in enumerate(cues, 1):
        start += step
        end = start + duration
        lines = [" ".join(part) for part in (words[:wrap], words[wrap:]) if part]
        expected.append(Cue(start / 1000, end / 1000, " ".join(words), speaker))
        srt_text = "\n".join(lines) if speaker is None else f"{speaker}: " + "\n".join(lines)
        vtt_text = "\n".join(lines) if speaker is None else f"<v {speaker}>" + "\n".join(lines) + "</v>"
        srt_blocks.append(f"{number}\n{_clock(start, ',')} --> {_clock(end, ',')}\n{srt_text}")
        vtt_blocks.append(f"cue-{number}\n{_clock(start, '.')} --> {_clock(end, '.')} line:90%\n{vtt_text}")
    newline = "\r\n" if crlf else "\n"
    for fmt, blocks in (("srt", srt_blocks), ("vtt", vtt_blocks)):
        text = "\n\n".join(blocks).replace("\n", newline)
        assert parse_text(text, fmt, f"ep.{fmt}").cues == tuple(expected)


def test_an_hours_cues_split_at_every_dash():
    # Its speed is measured in bench/ai_bench.py, not timed here.
    blocks = [
        f"{i + 1}\n{_clock(i * 2400, ',')} --> {_clock(i * 2400 + 2300, ',')}\n"
        f"<i>- HOST: And that brings us to number {i},</i>\n- which is &amp; was sponsored"
        for i in range(1500)
    ]
    transcript = parse_text("\n\n".join(blocks), "srt", "hour.srt")
    assert len(transcript.cues) == 3000
    assert transcript.cues[-1] == Cue(3598.948, 3599.9, "which is & was sponsored", None)
