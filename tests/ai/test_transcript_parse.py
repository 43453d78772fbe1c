"""Transcript parsers: WebVTT, SRT and JSON segments into cues, and the files they refuse whole."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earmark.ai.transcripts import FORMATS, Cue, TranscriptParseError, parse_text, parse_transcript


def vtt(*blocks: str) -> str:
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


def srt_cue(text: str, timing: str = "00:00:01,000 --> 00:00:03,000") -> tuple[Cue, ...]:
    return parse_text(f"1\n{timing}\n{text}\n", "srt", "ep.srt").cues


def refused(text: str, fmt: str, source_file: str = "ep") -> TranscriptParseError:
    with pytest.raises(TranscriptParseError) as info:
        parse_text(text, fmt, source_file)
    return info.value


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


# Refused files


def test_error_message_is_one_actionable_sentence():
    blocks = [f"00:00:0{i}.000 --> 00:00:0{i + 1}.000\nCue {i}" for i in range(3)]
    text = "\n\n".join(["WEBVTT\nKind: captions", *blocks, "backwards\n00:02.000 --> 00:01.000\nOops"])
    error = refused(text, "vtt", "episode12.vtt")
    assert str(error) == (
        "episode12.vtt line 14: the end time 00:01.000 is before the start 00:02.000; fix the cue's timing."
    )
    assert (error.source_file, error.line) == ("episode12.vtt", 14)


@pytest.mark.parametrize(
    ("text", "fmt", "line", "reason"),
    [
        ("1\n00:00:01,000 --> 00:0a:02,000\nHi\n", "srt", 2, "the end time '00:0a:02,000' is not a time"),
        ("1\n00:00:01 --> 00:00:02\nHi\n", "srt", 2, "the start time 00:00:01 has no milliseconds"),
        ("1\n00:00:01,000 00:00:02,000\nHi\n", "srt", 2, "the timing line has no '-->' between"),
        ("00:00:01,000 - 00:00:02,000\nHi\n", "srt", 1, "the timing line has no '-->' between"),
        ("1\n00:00:01,000 -->\nHi\n", "srt", 2, "the timing line has no end time after '-->'"),
        ("1\n00:61:00,000 --> 01:00:00,000\nHi\n", "srt", 2, "the start time 00:61:00,000 has 61 minutes"),
        ("1\n00:00:01,000 --> 00:00:75,000\nHi\n", "srt", 2, "the end time 00:00:75,000 has 75 seconds"),
        ("1\n00:00:01,000 --> 00:00:02,000\nHi\n\nthere\n", "srt", 5, "'there' is outside any cue"),
        ("1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n", "srt", 5, "cue 2 has no timing line after"),
        ("Intro\n00:00:01,000 --> 00:00:02,000\nHi\n", "srt", 1, "'Intro' stands where a cue number belongs"),
        ("Hello\n\n00:00:01.000 --> 00:00:02.000\nHi\n", "vtt", 1, "does not start with the WEBVTT header"),
        ("WEBVTTX\n\n00:00:01.000 --> 00:00:02.000\nHi\n", "vtt", 1, "does not start with the WEBVTT header"),
        (vtt("00:01.000 --> 00:02.000\nHi", "Stray words"), "vtt", 6, "'Stray words' is outside any cue"),
        (vtt("00:01.000 --> 00:02.000 --> 00:03.000"), "vtt", 3, "the timing line has more than one '-->'"),
        (vtt("00:01.000 --> 00:02.000\nHi", "00:01.000 00:02.000\nHo"), "vtt", 6, "no '-->' between"),
    ],
)
def test_malformed_captions_are_refused_with_their_line(text: str, fmt: str, line: int, reason: str):
    error = refused(text, fmt)
    assert error.line == line
    assert reason in error.reason


def test_cue_starting_more_than_a_second_before_an_earlier_one_is_refused():
    text = vtt(
        "00:00:10.000 --> 00:00:12.000\nLater",
        "00:00:08.999 --> 00:00:09.500\nMuch earlier",
    )
    error = refused(text, "vtt")
    assert error.line == 6
    assert error.reason == (
        "the cue starts at 00:00:08.999, more than a second before an earlier cue's start 00:00:10.000"
    )


def test_small_step_back_is_sorted_and_overlaps_are_kept():
    text = vtt(
        "00:00:10.000 --> 00:00:13.000\nRolling one",
        "00:00:09.000 --> 00:00:11.000\nRolling two",
        "00:00:12.000 --> 00:00:14.000\nThree",
    )
    assert parse_text(text, "vtt", "ep").cues == (
        Cue(9.0, 11.0, "Rolling two", None),
        Cue(10.0, 13.0, "Rolling one", None),
        Cue(12.0, 14.0, "Three", None),
    )


def test_unknown_suffix_names_the_accepted_ones(tmp_path: Path):
    path = tmp_path / "ep.txt"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(TranscriptParseError) as info:
        parse_transcript(path)
    assert str(info.value) == (
        "ep.txt: '.txt' is not a transcript format; name the file with one of .vtt, .srt, .json."
    )
    assert FORMATS == (".vtt", ".srt", ".json")


def test_unknown_format_name_in_parse_text():
    assert refused("x", "ass").reason == "'ass' is not a transcript format"


def test_non_utf8_bytes_are_refused_with_their_line(tmp_path: Path):
    path = tmp_path / "ep.srt"
    path.write_bytes(b"1\r\n00:00:01,000 --> 00:00:02,000\r\nCaf\xe9\r\n")
    with pytest.raises(TranscriptParseError) as info:
        parse_transcript(path)
    assert (info.value.line, info.value.reason) == (3, "the byte 0xe9 is not UTF-8")
    assert str(info.value).endswith("save the file as UTF-8.")


def test_missing_file_is_refused(tmp_path: Path):
    with pytest.raises(TranscriptParseError) as info:
        parse_transcript(tmp_path / "gone.vtt")
    assert info.value.line is None
    assert info.value.reason == "the file cannot be read (No such file or directory)"


@pytest.mark.parametrize(
    ("text", "fmt", "reason"),
    [
        ("\ufeff \r\n\n", "srt", "the file is empty"),
        ("", "json", "the file is empty"),
        ("WEBVTT\n\nNOTE only a comment\n", "vtt", "the file has no cues with text"),
        ("1\n00:00:01,000 --> 00:00:02,000\n<i></i>\n", "srt", "the file has no cues with text"),
    ],
)
def test_files_without_cues_are_refused(text: str, fmt: str, reason: str):
    error = refused(text, fmt)
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


# Text the database cannot store, times past any episode, files too large to be a transcript


@pytest.mark.parametrize(
    ("text", "fmt", "line", "reason"),
    [
        (vtt("00:01.000 --> 00:02.000\nHel\x00lo"), "vtt", 4, "the line holds U+0000 at column 4"),
        ("1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:02,000 --> 00:00:03,000\n\x00\n", "srt", 7,
         "the line holds U+0000 at column 1"),
        ("1\n00:00:01,000 --> 00:00:02,000\n<v \ud800>Hi\n", "srt", 3, "the line holds U+D800 at column 4"),
        ('[{"start": 0, "end": 1, "text": "a"},\n\x00]', "json", 2, "the line holds U+0000 at column 1"),
    ],
)
def test_unstorable_characters_in_the_text_are_refused_with_their_line(text: str, fmt: str, line: int,
                                                                        reason: str):
    error = refused(text, fmt)
    assert (error.line, error.reason) == (line, reason + ", which the database cannot store as text")


def test_a_raw_nul_byte_in_a_caption_file_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "ep.srt"
    path.write_bytes(b"1\r\n00:00:01,000 --> 00:00:02,000\r\nHi \x00there\r\n")
    with pytest.raises(TranscriptParseError) as info:
        parse_transcript(path)
    assert (info.value.line, info.value.reason) == (
        3, "the line holds U+0000 at column 4, which the database cannot store as text")


@pytest.mark.parametrize(
    ("segment", "reason"),
    [
        (r'{"start": 1, "end": 2, "text": "Hi\u0000"}', 'segment 2 has a "text" holding U+0000'),
        (r'{"start": 1, "end": 2, "text": "\ud800 Hi"}', 'segment 2 has a "text" holding U+D800'),
        (r'{"start": 1, "end": 2, "text": "Hi", "speaker": "A\udfffa"}',
         'segment 2 has a "speaker" holding U+DFFF'),
    ],
)
def test_json_escapes_the_database_cannot_store_are_refused_with_the_segment_line(segment: str, reason: str):
    text = '[\n  {"start": 0, "end": 1, "text": "ok"},\n  ' + segment + "\n]\n"
    error = refused(text, "json")
    assert (error.line, error.reason) == (3, reason + ", which the database cannot store as text")
    assert error.fix.startswith("remove the \\u")


def test_a_lone_surrogate_in_an_ignored_json_field_is_no_problem():
    text = r'[{"start": 0, "end": 1, "text": "ok", "words": ["\ud800"]}]'
    assert parse_text(text, "json", "ep").cues == (Cue(0.0, 1.0, "ok", None),)


@pytest.mark.parametrize(
    ("segment", "reason"),
    [
        ('{"start": 0, "end": 1e306, "text": "x"}', 'segment 2 has "end": 1e+306, more than 48 hours'),
        ('{"start": 172801, "end": 172802, "text": "x"}',
         'segment 2 has "start": 172801, more than 48 hours'),
        ('{"start": 0, "end": Infinity, "text": "x"}', 'segment 2 has "end": Infinity'),
    ],
)
def test_json_times_must_be_finite_and_within_48_hours(segment: str, reason: str):
    text = '[\n  {"start": 0, "end": 1, "text": "ok"},\n  ' + segment + "\n]\n"
    error = refused(text, "json")
    assert (error.line, error.reason) == (3, reason if "Infinity" in reason else reason + " into the episode")


def test_json_time_of_exactly_48_hours_is_kept():
    text = '[{"start": 172799.5, "end": 172800, "text": "late"}]'
    assert parse_text(text, "json", "ep").cues == (Cue(172799.5, 172800.0, "late", None),)


@pytest.mark.parametrize(
    ("timing", "reason"),
    [
        ("48:00:00,000 --> 48:00:00,001", "the end time 48:00:00,001 is more than 48 hours into the episode"),
        ("9" * 5000 + ":00:00,000 --> 00:00:01,000",
         "the start time 99999999999999999999… is more than 48 hours into the episode"),
    ],
)
def test_caption_times_past_48_hours_are_refused(timing: str, reason: str):
    error = refused(f"1\n{timing}\nHi\n", "srt")
    assert (error.line, error.reason) == (2, reason)


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(tmp_path: Path):
    from earmark.ai.transcripts.parse import MAX_TRANSCRIPT_BYTES

    path = tmp_path / "huge.vtt"
    with path.open("wb") as f:  # sparse: no disk is written, and reading it would find NULs, not this reason
        f.truncate(MAX_TRANSCRIPT_BYTES + 1)
    with pytest.raises(TranscriptParseError) as info:
        parse_transcript(path)
    assert MAX_TRANSCRIPT_BYTES == 50_000_000
    assert (info.value.line, info.value.reason) == (
        None, "the file is 50,000,001 bytes, more than the 50,000,000 a transcript may hold")


def test_a_file_at_the_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from earmark.ai.transcripts import parse

    path = tmp_path / "ep.srt"
    path.write_bytes(b"1\n00:00:01,000 --> 00:00:02,000\nHi\n")
    monkeypatch.setattr(parse, "MAX_TRANSCRIPT_BYTES", path.stat().st_size)
    assert parse.parse_transcript(path).cues == (Cue(1.0, 2.0, "Hi", None),)
    monkeypatch.setattr(parse, "MAX_TRANSCRIPT_BYTES", path.stat().st_size - 1)
    with pytest.raises(TranscriptParseError, match="more than the 34 a transcript may hold"):
        parse.parse_transcript(path)


def test_a_file_name_that_is_not_utf8_is_shown_storable(tmp_path: Path):
    raw = os.path.join(os.fsencode(tmp_path), b"ep\xff.srt")
    with open(raw, "wb") as f:
        f.write(b"1\n00:00:01,000 --> 00:00:0x,000\nHi\n")
    path = Path(os.fsdecode(raw))
    assert path.name == "ep\udcff.srt"
    with pytest.raises(TranscriptParseError) as info:
        parse_transcript(path)
    assert info.value.source_file == "ep\ufffd.srt"
    assert str(info.value).startswith("ep\ufffd.srt line 2: ")
