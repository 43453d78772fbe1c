"""Offline content analysis: VADER sentiment per cue and episode, TF-IDF keywords, NMF topics, people."""

from __future__ import annotations

import math
from importlib.metadata import version

import pytest

from earmark.ai.content import (
    METHOD,
    Keyword,
    Person,
    Topic,
    cue_sentiments,
    default_topic_count,
    discover_topics,
    episode_keywords,
    episode_sentiment,
    episode_text,
    is_sound,
    people_mentioned,
    speech_text,
)
from earmark.ai.content.people import given_names
from earmark.ai.content.sentiment import label_of
from earmark.ai.content.vocabulary import tokenise
from earmark.ai.transcripts.cues import Cue


def cues(*texts: str, speaker: str | None = None) -> list[Cue]:
    return [Cue(10.0 * i, 10.0 * i + 9, text, speaker) for i, text in enumerate(texts)]


# Sound cues

@pytest.mark.parametrize(
    "text", ["[MUSIC]", "♪ la la la ♪", "(laughs)", "♪ an unclosed lyric", " [Applause] (cheering) "])
def test_sound_cues_hold_no_speech(text):
    assert is_sound(text)


def test_annotations_inside_speech_are_removed():
    assert not is_sound("(laughs) I love it")
    assert speech_text("(laughs) I love it [MUSIC]") == "I love it"
    assert episode_text(cues("Hello there.", "[MUSIC]", "♪ sung ♪ Bye (laughs)")) == "Hello there. Bye"


# Sentiment

def test_method_names_the_installed_vader():
    installed = version("vaderSentiment")
    assert installed == "3.3.2"
    assert f"vader-{installed} compound (cue); word-weighted mean (episode)" == METHOD


def test_clearly_positive_negative_and_neutral_cues():
    scored = cue_sentiments(cues(
        "I absolutely love this mattress, it is wonderful!",
        "This was a terrible, awful experience.",
        "The train leaves from platform four tomorrow morning.",
    ))
    assert [(c.compound, c.label, c.words) for c in scored] == [
        (0.8585, "positive", 8), (-0.7269, "negative", 6), (0.0, "neutral", 8)]
    assert scored[1].cue.text == "This was a terrible, awful experience."


def test_labels_use_vaders_thresholds():
    assert [label_of(x) for x in (0.05, 0.0499, 0.0, -0.0499, -0.05)] == [
        "positive", "neutral", "neutral", "neutral", "negative"]


def test_an_annotation_is_not_scored_as_speech():
    # VADER reads "laughs" as positive: scored with the annotation the cue would be 0.8126, not 0.6369.
    (scored,) = cue_sentiments(cues("(laughs) I love it"))
    assert (scored.compound, scored.words) == (0.6369, 3)


def test_episode_mean_is_weighted_by_words_and_leaves_sound_cues_out():
    episode = episode_sentiment(cues(
        "I absolutely love this mattress, it is wonderful!",  # 8 words, 0.8585
        "yeah",  # 1 word, 0.296
        "[MUSIC]",
        "This was a terrible, awful experience.",  # 6 words, -0.7269
        "The train leaves from platform four tomorrow morning.",  # 8 words, 0.0
    ))
    assert [c.compound for c in episode.cues] == [0.8585, 0.296, -0.7269, 0.0]
    assert episode.compound == pytest.approx((8 * 0.8585 + 1 * 0.296 - 6 * 0.7269 + 8 * 0.0) / 23)
    assert episode.compound == pytest.approx(0.121852, abs=1e-6)  # unweighted it would be 0.1069
    assert episode.label == "positive"
    assert episode.words == 23
    assert (episode.positive_share, episode.neutral_share, episode.negative_share) == (0.5, 0.25, 0.25)


def test_a_one_word_cue_barely_moves_the_episode():
    episode = episode_sentiment(cues("This was a terrible, awful experience.", "yeah"))
    # Unweighted, the "yeah" (0.296) would pull the mean to -0.2155; weighted 6:1 it stays near the paragraph.
    assert episode.compound == pytest.approx((6 * -0.7269 + 0.296) / 7)
    assert episode.label == "negative"


def test_an_episode_without_speech_has_no_sentiment():
    episode = episode_sentiment(cues("[MUSIC]", "♪ theme ♪"))
    assert (episode.compound, episode.label, episode.cues, episode.words) == (None, None, (), 0)
    assert (episode.positive_share, episode.neutral_share, episode.negative_share) == (0.0, 0.0, 0.0)


# Keywords

CATALOGUE = {
    "cooking": "Today we bake sourdough. Yeah, sourdough needs a lively starter, so feed the starter flour "
               "and water every morning. Knead the dough, let the sourdough rise overnight, then bake the "
               "loaf in a hot oven. A good sourdough loaf has a crisp crust.",
    "cycling": "Um, so we're talking cycling. Cycling up a mountain climb means choosing the right gears. "
               "Pump your tyres before every ride, and on a long climb keep your cadence steady. The peloton "
               "in the Tour de France rides the same climb faster than anyone.",
    "astronomy": "Tonight the telescope points at Jupiter. Through a small telescope you can see four "
                 "moons and the cloud bands of the planet. A bigger telescope shows the rings of Saturn, "
                 "and a dark sky away from city lights reveals the galaxy.",
    "gardening": "Spring is the time to plant tomatoes. Tomatoes want compost in the soil and plenty of sun. "
                 "Water the tomatoes at the roots, mulch the garden beds, and pinch out side shoots so the "
                 "plants put their energy into fruit.",
}


def test_the_distinctive_term_tops_each_episode():
    keywords = episode_keywords(CATALOGUE, top_n=4)
    assert {episode: [k.term for k in kws] for episode, kws in keywords.items()} == {
        "cooking": ["sourdough", "bake", "loaf", "starter"],
        "cycling": ["climb", "cycling", "cadence", "choosing"],
        "astronomy": ["telescope", "away", "bands", "bigger"],
        "gardening": ["tomatoes", "beds", "compost", "energy"],
    }
    cooking = keywords["cooking"]
    assert cooking[0].score == pytest.approx(0.334423, abs=1e-6)
    assert cooking[1].score == cooking[2].score  # a tie, ordered by term


def test_fillers_stop_words_and_contractions_never_become_keywords():
    terms = {k.term for kws in episode_keywords(CATALOGUE, top_n=1000).values() for k in kws}
    assert not terms & {"today", "yeah", "talking", "right", "good", "the", "we're", "don", "um"}
    assert tokenise("don't we're I'll the chef's cyclist’s mp3 ab") == ["the", "chef", "cyclist"]


def test_a_bigram_repeating_two_higher_words_is_dropped_and_one_adding_a_phrase_is_kept():
    repeated = episode_keywords({"ep": "sourdough starter sourdough starter sourdough starter rye"})["ep"]
    assert [k.term for k in repeated] == ["sourdough", "starter", "rye"]
    # "tour" is said across the catalogue, "tour france" in one episode only: the phrase outranks "tour".
    corpus = {"france": "tour france tour france", "guide": "tour guide", "bus": "tour bus", "race": "race"}
    france = episode_keywords(corpus)["france"]
    assert [k.term for k in france] == ["france", "tour france", "tour"]  # "france tour" repeats both
    assert france[0].score == france[1].score > france[2].score


def test_a_corpus_of_one_episode_ranks_by_term_frequency():
    (keywords,) = episode_keywords({"only": "telescope telescope telescope moon moon galaxy"}).values()
    # Every bigram repeats words that score at least as much, so only the words are left.
    assert [k.term for k in keywords] == ["telescope", "moon", "galaxy"]
    # IDF is flat (1 for every term): a score is 1 + ln(tf) over the row's norm, which counts the bigrams
    # too ("telescope telescope" twice; "telescope moon", "moon moon", "moon galaxy" once).
    tf = [1 + math.log(3), 1 + math.log(2), 1.0]
    norm = math.sqrt(tf[0] ** 2 + tf[1] ** 2 + tf[2] ** 2 + tf[1] ** 2 + 3 * 1.0)
    assert [k.score for k in keywords] == pytest.approx([t / norm for t in tf])


def test_empty_documents_have_no_keywords():
    assert episode_keywords({"silent": "", "cycling": CATALOGUE["cycling"]}, top_n=2) == {
        "silent": [], "cycling": [Keyword("climb", pytest.approx(0.326671, abs=1e-6)),
                                  Keyword("cycling", pytest.approx(0.263556, abs=1e-6))]}
    assert episode_keywords({"a": "", "b": "yeah um like you know"}) == {"a": [], "b": []}
    assert episode_keywords({}) == {}


# Topics

THEMES = {
    "bread-1": "Our sourdough starter needs flour and water. The dough rises overnight; we bake the loaf.",
    "bread-2": "Knead the dough for ten minutes, shape the loaf, and bake the sourdough in a hot oven.",
    "bread-3": "A rye loaf wants a wetter dough; feed the starter flour the night before you bake.",
    "bread-4": "Flour, water, salt and starter: sourdough dough is simple, the bake makes the loaf.",
    "bike-1": "The climb took an hour in the lowest gear; my tyres held on the wet descent after the climb.",
    "bike-2": "Pump your tyres, check the chain and shift to an easy gear before the climb starts.",
    "bike-3": "On a long ride the peloton shelters riders; the climb splits the peloton apart.",
    "bike-4": "A lighter bike climbs faster; new tyres and a clean chain make every ride smoother.",
}


def test_two_themes_are_recovered_as_two_topics():
    topics = discover_topics(THEMES)
    assert [t.topic_no for t in topics] == [1, 2]
    assert [{episode for episode, _ in t.episodes} for t in topics] == [
        {"bread-1", "bread-2", "bread-3", "bread-4"}, {"bike-1", "bike-2", "bike-3", "bike-4"}]
    assert topics[0].label == "bake / dough / loaf"
    assert topics[1].label == "climb / tyres / gear"
    assert len(topics[0].terms) == 8
    assert all(weight == pytest.approx(1.0) for t in topics for _, weight in t.episodes)


def test_topics_are_reproducible():
    assert discover_topics(THEMES) == discover_topics(THEMES)
    reordered = discover_topics(dict(reversed(THEMES.items())))
    assert [(t.label, sorted(e for e, _ in t.episodes)) for t in reordered] == [
        (t.label, sorted(e for e, _ in t.episodes)) for t in discover_topics(THEMES)]


def test_an_episode_is_listed_under_each_topic_holding_a_fifth_of_it():
    mixed = {**THEMES, "both": THEMES["bread-1"] + " " + THEMES["bike-1"]}
    memberships = [[e for e, _ in t.episodes] for t in discover_topics(mixed, n_topics=2)]
    assert all("both" in episodes for episodes in memberships)
    assert [len(episodes) for episodes in memberships] == [5, 5]
    for topic in discover_topics(mixed, n_topics=2):
        weights = [w for _, w in topic.episodes]
        assert weights == sorted(weights, reverse=True) and min(weights) >= 0.2


def test_fewer_than_two_episodes_make_one_topic_of_the_top_terms():
    assert discover_topics({"bike-1": THEMES["bike-1"]}, top_terms=4) == [
        Topic(1, ["climb", "descent", "gear", "held"], [("bike-1", 1.0)])]
    assert discover_topics({}) == []
    assert discover_topics({"a": "", "b": "yeah um"}) == []


def test_the_default_number_of_topics_grows_with_the_root_of_the_catalogue():
    assert [default_topic_count(n) for n in (0, 1, 2, 8, 18, 50, 200, 5000)] == [1, 1, 1, 2, 3, 5, 10, 10]


# People

def test_speakers_and_introduced_names():
    episode = [
        Cue(0.0, 5.0, "Welcome back to Garden Talk. I'm Mark Ruiz.", "HOST"),
        Cue(5.0, 9.0, "[MUSIC]", None),
        Cue(9.0, 15.0, "My guest today is Ana Ruiz, and we're also joined by Dr. Sam Lee.", "HOST"),
        Cue(15.0, 18.0, "Thanks Mark! Great to be here.", "Ana"),
        Cue(18.0, 25.0, "I read a book by author Jo Park last week. Jo Park's second is better.", "HOST"),
        Cue(25.0, 30.0, "Ana, what about Sam?", "Speaker 1"),
        Cue(30.0, 34.0, "It started with NASA and The Washington Post.", "SAM LEE"),
    ]
    assert people_mentioned(episode, exclude={"Garden Talk"}) == [
        Person("Ana Ruiz", 3, 9.0),  # introduced, speaks as "Ana", addressed as "Ana"
        Person("Sam Lee", 3, 9.0),  # introduced with a title, asked about as "Sam", speaks as "SAM LEE"
        Person("Mark Ruiz", 2, 0.0),
        Person("Jo Park", 1, 18.0),  # named twice in one cue: one mention
    ]


def test_capitalised_pairs_starting_with_a_given_name():
    episode = cues(
        "Serena Williams won again, and Anna Maria Lopez watched it with Tom.",
        "Will Apple ship it? Nobody at Acme Corp knows.",
        "Then Serena Williams retired.",
    )
    assert people_mentioned(episode) == [
        Person("Serena Williams", 2, 0.0), Person("Anna Maria Lopez", 1, 0.0)]


def test_a_title_introduces_a_surname_and_stays_with_it():
    assert people_mentioned(cues("We spoke with Dr. Lee.", "Lee agreed, said Dr. Lee.")) == [
        Person("Dr. Lee", 2, 0.0)]


def test_excluded_brand_and_show_names_are_not_people():
    episode = cues(
        "This episode is brought to you by Casper Sleep.",
        "Thanks to Jack Daniels for sponsoring, and to my guest Ana Ruiz.",
        speaker="The Morning Show",
    )
    assert people_mentioned(episode, exclude={"casper  sleep", "Jack Daniels", "The Morning Show"}) == [
        Person("Ana Ruiz", 1, 10.0)]
    # Unexcluded, the show (a speaker label) and the brand (a given name, then a capital) look like people.
    assert [p.name for p in people_mentioned(episode)] == ["The Morning Show", "Ana Ruiz", "Jack Daniels"]


def test_role_labels_are_not_people():
    assert people_mentioned(cues("Hello.", speaker="SPEAKER_01") + cues("Hi.", speaker="Host")) == []


def test_the_given_names_list_ships_with_the_package():
    names = given_names()
    assert len(names) > 300
    assert {"Ana", "Sam", "Mark", "Jo", "Serena"} <= names
    assert not names & {"Will", "May", "April", "Austin", "Jordan"}


