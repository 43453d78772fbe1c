"""The transcript files the parsers refuse whole, with the line and the reason: malformed captions, bad
JSON segments, unknown formats, undecodable bytes, text the database cannot store, times past any episode
and files too large to be a transcript."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from transcript_text import refused, vtt

from earmark.ai.transcripts import FORMATS, Cue, TranscriptParseError, parse_text, parse_transcript

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
