"""Topics running through a tenant's episodes: NMF over the same TF-IDF terms as the keywords.

NMF rather than LDA because it works on TF-IDF directly (LDA wants raw counts) and, started from
NNDSVDa, is deterministic: the same catalogue gives the same topics in the same order on every run,
which a report that is regenerated nightly needs.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning

from earmark.ai.content.vocabulary import ranked_terms, tfidf_vectoriser

MAX_TOPICS = 10
# An episode belongs to a topic holding at least this share of its total topic weight: up to five
# topics for an episode that mixes subjects, none for one spread thinly over everything.
MEMBERSHIP_SHARE = 0.2
LABEL_TERMS = 3
# The terms topics are made of: the most said over the catalogue. NMF's time grows with the vocabulary,
# and 200 hour-long episodes hold half a million distinct words and bigrams, nearly all said in one
# episode only, which no topic shared by several episodes could be characterised by anyway.
VOCABULARY = 10_000


@dataclass(frozen=True)
class Topic:
    topic_no: int  # from 1, in decreasing order of the topic's weight over the whole catalogue
    terms: list[str]  # most characteristic first
    episodes: list[tuple[str, float]]  # (episode id, share of that episode's topic weight), largest first

    @property
    def label(self) -> str:
        return " / ".join(self.terms[:LABEL_TERMS])


def default_topic_count(n_docs: int) -> int:
    """round(sqrt(n_docs / 2)), between 1 and MAX_TOPICS: 8 episodes give 2 topics, 50 give 5, 200 and
    more give 10. The rule of thumb keeps topics broad enough that each has several episodes."""
    return max(1, min(MAX_TOPICS, round(math.sqrt(n_docs / 2))))


def discover_topics(docs: Mapping[str, str], n_topics: int | None = None, top_terms: int = 8) -> list[Topic]:
    """Topics over docs (episode id -> text). Fewer than two episodes make one topic of the top terms;
    no usable words at all make none."""
    ids = list(docs)
    vectoriser = tfidf_vectoriser(max_features=VOCABULARY)
    try:
        weights = vectoriser.fit_transform(docs[i] for i in ids)
    except ValueError:  # scikit-learn's "empty vocabulary": nothing to make topics of
        return []
    terms = vectoriser.get_feature_names_out()
    if len(ids) < 2:
        top = ranked_terms(terms[weights.indices], weights.data, top_terms)
        return [Topic(1, [t for t, _ in top], [(ids[0], 1.0)])]

    if n_topics is None:
        n_topics = default_topic_count(len(ids))
    # NNDSVDa cannot make more components than there are episodes or terms.
    n_topics = min(n_topics, len(ids), len(terms))
    # NNDSVDa and the coordinate-descent solver draw no random numbers; random_state pins them anyway, so
    # that the result cannot start depending on a seed if either default changes.
    # NNDSVDa starts close to the answer; 200 iterations (the default) stop short of converging on small
    # corpora with near-duplicate episodes, 1,000 reach the tolerance without a noticeable cost.
    model = NMF(n_components=n_topics, init="nndsvda", random_state=0, max_iter=1000)
    with warnings.catch_warnings():
        # A corpus of two or three episodes may stop short of the tolerance; its topics are still the
        # factorisation's best, and a warning per run in the pipeline's log would say nothing useful.
        warnings.simplefilter("ignore", ConvergenceWarning)
        episode_topic = model.fit_transform(weights)
    totals = episode_topic.sum(axis=1, keepdims=True)
    shares = np.divide(episode_topic, totals, out=np.zeros_like(episode_topic), where=totals > 0)

    topics = []
    for topic_no, k in enumerate(np.argsort(-episode_topic.sum(axis=0), kind="stable"), start=1):
        members = [(ids[d], float(shares[d, k])) for d in np.flatnonzero(shares[:, k] >= MEMBERSHIP_SHARE)]
        members.sort(key=lambda m: (-m[1], m[0]))
        top = ranked_terms(terms, model.components_[k], top_terms)
        topics.append(Topic(topic_no, [t for t, _ in top], members))
    return topics
