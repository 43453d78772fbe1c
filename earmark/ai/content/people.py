"""People in an episode: who speaks (the transcript's speaker labels) and who is named in speech.

No NER model: a person is found by rules over runs of capitalised words, which is cheap, offline and
predictable, and right often enough for a list of guests and hosts. A run is a name when
  - it follows an introduction ("my guest Ana Ruiz", "joined by Dr. Sam Lee", "I'm Mark Ruiz",
    "author Jo Park"): up to three words, or one word when it is a given name ("I'm Mark") or follows
    a title ("Dr. Lee"); or
  - it starts with a common given name (given_names.txt) followed by another capitalised word
    ("Serena Williams"), a third word only when the second is a given name too ("Ana Maria Ruiz").
A name said alone by its first name ("thanks, Ana") counts for the one person of the episode with that
first name, when there is exactly one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from earmark.ai.content.speech import is_sound, speech_text
from earmark.ai.content.vocabulary import STOP_WORDS
from earmark.ai.transcripts.cues import Cue

_TITLE = r"(?:Dr|Doctor|Prof|Professor|Mr|Mrs|Ms|Mx)\.?\s+"
_TITLE_BEFORE = re.compile(r"\b" + _TITLE + "$")
_INTRO_BEFORE = re.compile(
    r"\b(?:(?:(?:my|our)\s+(?:guests?|co-?hosts?|friend)|joining\s+(?:me|us))(?:\s+today)?(?:,|\s+is|\s+are)?"
    r"|joined\s+by|I['’]m|I\s+am|my\s+name\s+is|author|say\s+hello\s+to|please\s+welcome|with\s+me\s+is)"
    r"[,:]?\s+(?:" + _TITLE + ")?$",
    re.IGNORECASE,
)
_LEADING_TITLE = re.compile("^" + _TITLE)
# A word as names are written: letters, with inner apostrophes or hyphens ("O'Brien", "Ruiz-Lopez").
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s$")
# Speaker labels that name a role or a diarisation slot, not a person ("Host", "SPEAKER_01").
_ROLE_LABELS = frozenset({
    "announcer", "audience", "caller", "cohost", "co-host", "crowd", "guest", "host", "interviewer",
    "interviewee", "moderator", "narrator", "speaker", "unknown", "voice",
})
_INTRO_CONTEXT = 40  # characters before a run searched for an introduction


@dataclass(frozen=True)
class Person:
    name: str
    mentions: int  # cues the person speaks or is named in (a cue counts once however often they are)
    first_s: float  # start of the first such cue


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    text = (files("earmark.ai.content") / "given_names.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def people_mentioned(cues: Sequence[Cue], exclude: Iterable[str] = ()) -> list[Person]:
    """The episode's people, most mentioned first (then earliest, then by name).

    exclude holds names that are not people though they look like them: the caller's brands and shows.
    Their occurrences are blanked before the text is read, so "Casper Sleep" yields no "Casper".
    """
    excluded = {" ".join(name.split()).casefold() for name in exclude if name.strip()}
    blank = _blanker(excluded)
    speech = [(cue, blank(speech_text(cue.text))) for cue in cues if not is_sound(cue.text)]

    speakers = {cue.speaker: _speaker_name(cue.speaker) for cue, _ in speech if cue.speaker}
    found = {name for name in speakers.values() if name}
    for _, text in speech:
        found.update(_names_in(text))
    found = {name for name in found if name.casefold() not in excluded}

    person_of = _aliases(found)
    if not person_of:
        return []
    pattern = re.compile(r"(?<![\w'’-])" + _any_of(person_of) + r"(?![\w-])")
    mentions: dict[str, int] = {}
    first_s: dict[str, float] = {}
    for cue, text in speech:
        present = {person_of[alias] for alias in pattern.findall(text)}
        if (speaker := speakers.get(cue.speaker)) in person_of:
            present.add(person_of[speaker])
        for person in present:
            mentions[person] = mentions.get(person, 0) + 1
            first_s[person] = min(first_s.get(person, cue.start_s), cue.start_s)
    people = [Person(name, mentions[name], first_s[name]) for name in mentions]
    return sorted(people, key=lambda p: (-p.mentions, p.first_s, p.name))


def _any_of(names: Iterable[str]) -> str:
    """An alternation of names, longest first so "Ana Ruiz" wins over "Ana", any whitespace between words."""
    longest_first = sorted(names, key=len, reverse=True)
    return "(?:" + "|".join(r"\s+".join(map(re.escape, n.split())) for n in longest_first) + ")"


def _blanker(excluded: set[str]) -> Callable[[str], str]:
    if not excluded:
        return lambda text: text
    # "|" rather than a space, so the words either side of a blanked brand never join into one run.
    pattern = re.compile(r"(?<!\w)" + _any_of(excluded) + r"(?!\w)", re.IGNORECASE)
    return lambda text: pattern.sub("|", text)


def _speaker_name(label: str) -> str | None:
    """The person a speaker label names, or None for a role ("Host", "Speaker 2", "SPEAKER_01")."""
    label = " ".join(label.split())
    if not label or any(ch.isdigit() for ch in label) or label.split(" ")[0].casefold() in _ROLE_LABELS:
        return None
    if label.isupper():  # "ANA RUIZ" in captions written in capitals
        label = label.title()
    return _LEADING_TITLE.sub("", label) or None


def _is_name_word(word: str) -> bool:
    # Capitalised, not all capitals ("NASA"), and not a function word that opens a sentence ("The"),
    # unless it is a given name as well ("Bill" is in scikit-learn's stop list).
    return (word[0].isupper() and any(ch.islower() for ch in word)
            and (word in given_names() or word.lower() not in STOP_WORDS))


def _runs(text: str) -> Iterator[tuple[int, list[str]]]:
    """Runs of name words separated by single spaces, with the offset each starts at."""
    run: list[str] = []
    start = end = 0
    for match in _WORD.finditer(text):
        word = _POSSESSIVE.sub("", match.group())
        name_like = _is_name_word(word)
        if run and (not name_like or text[end:match.start()] != " "):
            yield start, run
            run = []
        if not name_like:
            continue
        if not run:
            start = match.start()
        run.append(word)
        end = match.end()
        if word != match.group():  # a possessive ends the name: "Ana Ruiz's Book" is Ana Ruiz
            yield start, run
            run = []
    if run:
        yield start, run


def _names_in(text: str) -> Iterator[str]:
    given = given_names()
    for start, run in _runs(text):
        before = text[max(0, start - _INTRO_CONTEXT):start]
        taken = 0
        if title := _TITLE_BEFORE.search(before):
            taken = min(3, len(run))
            # A surname alone keeps its title: "Dr. Lee" is a person, "Lee" hardly.
            yield " ".join(run[:taken]) if taken > 1 else title.group().strip() + " " + run[0]
        elif _INTRO_BEFORE.search(before) and (len(run) > 1 or run[0] in given):
            taken = min(3, len(run))
            yield " ".join(run[:taken])
        i = taken
        while i < len(run) - 1:
            if run[i] in given:
                length = 3 if i + 2 < len(run) and run[i + 1] in given else 2
                yield " ".join(run[i:i + length])
                i += length
            else:
                i += 1


def _aliases(names: set[str]) -> dict[str, str]:
    """Each way an episode refers to its people -> the person: a full name for itself, and a first name
    (said alone, or a one-word speaker label) for the one full name it begins, when only one does and it
    is a given name or used alone as a name in the episode (not "Dr." of "Dr. Lee")."""
    full = sorted(n for n in names if " " in n)
    by_first: dict[str, list[str]] = {}
    for name in full:
        by_first.setdefault(name.split(" ", 1)[0], []).append(name)
    person_of = {name: name for name in full}
    for first, owners in by_first.items():
        if len(owners) == 1 and (first in given_names() or first in names):
            person_of[first] = owners[0]
    for name in names - set(full):
        person_of.setdefault(name, name)
    return person_of
