"""The terms keywords and topics are made of: one tokenisation and one TF-IDF setting for both, so a
topic's terms and an episode's keywords are always drawn from the same vocabulary."""

from __future__ import annotations

import re

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from earmark.ai.content.speech import speech_text

# Words every conversation is full of, whatever it is about. scikit-learn's English list is written for
# edited prose and misses the fillers and hedges of speech, and the words of podcasting itself ("episode",
# "welcome", "today"), which would otherwise top every show's keywords. Words shorter than MIN_LETTERS
# ("um", "uh", "oh", "ok") never become tokens, so they need no entry.
FILLER_WORDS = frozenset({
    "actually", "alright", "anyways", "awesome", "basically", "cool", "definitely", "episode", "episodes",
    "gonna", "good", "got", "gotta", "great", "guess", "guy", "guys", "hey", "hmm", "honestly", "huh",
    "just", "kind", "kinda", "know", "let", "lets", "like", "listener", "listeners", "listening", "literally",
    "lot", "lots", "mean", "mhm", "obviously", "okay", "podcast", "podcasts", "pretty", "probably", "really",
    "right", "say", "says", "said", "sort", "sorta", "stuff", "sure", "talk", "talking", "thank", "thanks",
    "thing", "things", "think", "today", "totally", "uhh", "uhm", "umm", "wanna", "want", "way", "welcome",
    "yeah", "yep", "yes", "yup",
})
STOP_WORDS = ENGLISH_STOP_WORDS | FILLER_WORDS
MIN_LETTERS = 3

# A word of MIN_LETTERS or more letters, standing alone or before a possessive or "is" ("chef's", curly
# or straight apostrophe), which keeps the word. Any other contraction ("don't", "we're", "I'll") is a
# function word and matches nothing, rather than leaving stumps like "don". One findall in C: the
# tokeniser runs over every word of the catalogue.
_WORD = re.compile(r"(?<![\w'’])([^\W\d_]{" + str(MIN_LETTERS) + r",})(?:['’]s)?(?![\w'’])")


def _normalise(text: str) -> str:
    return speech_text(text).lower()


def tokenise(text: str) -> list[str]:
    """The words of text, in order; stop words are still in (the vectoriser drops them after this)."""
    return _WORD.findall(text)


def tfidf_vectoriser(max_features: int | None = None) -> TfidfVectorizer:
    """Unigrams and bigrams (a bigram may bridge a dropped stop word: "tour de france" -> "tour france"),
    with sublinear term frequency, so a word said fifty times does not count fifty times one said once.
    max_features keeps only the terms most often said over the corpus (all of them by default)."""
    return TfidfVectorizer(
        preprocessor=_normalise,
        tokenizer=tokenise,
        token_pattern=None,
        stop_words=sorted(STOP_WORDS),
        ngram_range=(1, 2),
        sublinear_tf=True,
        max_features=max_features,
    )


def ranked_terms(terms: np.ndarray, scores: np.ndarray, top_n: int) -> list[tuple[str, float]]:
    """The top_n of the terms with a positive score, by score and then by term, so that the order never
    depends on the vocabulary's; terms and scores are aligned arrays.

    A bigram is left out when both its words score at least as much on their own: they rank above it (or
    tie with it), so "sourdough starter" after "sourdough" and "starter" would only repeat them in a place
    another term could have. A bigram with a word that scores less alone ("tour france" over "tour") stays:
    the phrase is then what the episode says, more than its words apart.
    """
    order = np.argsort(-scores, kind="stable")
    ranked: list[tuple[str, float]] = []
    unigrams: set[str] = set()  # the words scoring at least the current score
    start = 0
    # Walk down one score at a time, as far as top_n needs: a row can hold thousands of terms.
    while start < len(order) and len(ranked) < top_n and (score := scores[order[start]]) > 0:
        end = start + 1
        while end < len(order) and scores[order[end]] == score:
            end += 1
        tied = sorted(str(t) for t in terms[order[start:end]])
        unigrams.update(t for t in tied if " " not in t)
        for term in tied:
            if len(ranked) == top_n:
                break
            if not (" " in term and all(w in unigrams for w in term.split())):
                ranked.append((term, float(score)))
        start = end
    return ranked
