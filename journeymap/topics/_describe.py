"""Describing topics: class-based TF-IDF keywords, a short readable name, representative quotes.

c-TF-IDF (as BERTopic): the texts of a topic are one document; a word's weight is its
frequency in that document (normalised by the document's length) times
``log(1 + mean words per topic / the word's frequency over all topics)``. Words that are
frequent in one topic and rare elsewhere come first.

Phrases are words written next to each other (a stop word between two words breaks the phrase:
"no delivery slots" holds "delivery slots", "telling me there are no delivery" no phrase).
Where it is known who wrote each text (``groups``: a customer or journey id), a word's frequency
in a topic is the number of writers who use it, and a keyword must be used by at least
``min_df`` of the topic's writers, so one customer repeating a phrase does not name a topic.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator  # type: ignore[import-untyped]

from journeymap.exceptions import InvalidArgumentError
from journeymap.topics._text import clean_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

__all__ = ["DOMAIN_WORDS", "CTfidfDescriber", "english_stop_words", "readable_name"]

#: Words of at least two letters (any script); digits, @handles, links, e-mail addresses and
#: hashtags are dropped first (:func:`journeymap.topics._text.clean_text`).
TOKEN_PATTERN = r"(?u)\b[^\W\d_][^\W\d_]+\b"
#: :data:`TOKEN_PATTERN` as a group: its ``split`` gives the words and the gaps around them, in one pass.
_WORDS = re.compile(f"({TOKEN_PATTERN.removeprefix('(?u)')})")
#: The same, read faster, for an ASCII text (on which ``re.ASCII`` finds the same words).
_WORDS_ASCII = re.compile(_WORDS.pattern, re.ASCII)
_HASHTAG = re.compile(r"#\w+")
#: What may stand between two words of a phrase: spaces, hyphens, apostrophes, one letter ("card's").
_JOINED = re.compile(r"[\s'’-]*(?:[^\W\d_][\s'’-]*)?")

#: Words of scikit-learn's English stop list that name what customers write about ("my bill",
#: "call me back", "top up", "system down", "full amount", "card details", "interest"): they are
#: kept as keywords, so names read "bill high", not "high month".
DOMAIN_WORDS = (
    "amount",
    "back",
    "bill",
    "bottom",
    "call",
    "detail",
    "down",
    "empty",
    "fill",
    "find",
    "fire",
    "found",
    "front",
    "full",
    "interest",
    "move",
    "name",
    "off",
    "out",
    "show",
    "system",
    "top",
    "up",
)

#: Fragments that English contractions leave behind ("I've", "don't"), added to the English stop words.
CONTRACTION_FRAGMENTS = (
    "ve",
    "ll",
    "re",
    "don",
    "didn",
    "doesn",
    "isn",
    "wasn",
    "aren",
    "won",
    "wouldn",
    "couldn",
    "haven",
    "hasn",
    "im",
)


#: Words of customer-service chatter that say nothing about the topic (greetings, thanks,
#: fillers, "DM"), added to the English stop words: "phone just" becomes "phone update".
SERVICE_CHATTER = (
    "hi",
    "hello",
    "hey",
    "thanks",
    "thank",
    "thx",
    "pls",
    "plz",
    "just",
    "really",
    "ok",
    "okay",
    "yes",
    "yeah",
    "lol",
    "guys",
    "dm",
    "help",
    # the verbs of asking and trying, in every topic: "let me know", "tried everything", "hope you can"
    "let",
    "know",
    "hope",
    "try",
    "tried",
    "trying",
    "using",
    "getting",
    "got",
)


def _clean(text: str) -> str:
    return _HASHTAG.sub(" ", clean_text(text))


def phrases(text: str, stop_words: frozenset[str], ngram_range: tuple[int, int] = (1, 2)) -> list[str]:
    """The words and phrases of ``text`` (lower case) that keywords are counted from.

    A phrase is ``n`` words written next to each other, none of them a stop word: only spaces,
    hyphens, apostrophes and a single letter ("card's") may stand between them, so a stop word,
    a number or a sentence's end breaks it.

    Examples:
        >>> stop = frozenset(english_stop_words())
        >>> phrases("Telling me there are no delivery slots", stop)
        ['telling', 'delivery', 'slots', 'delivery slots']
        >>> phrases("my card has not arrived. Top-up failed", stop)
        ['card', 'arrived', 'top', 'up', 'failed', 'top up', 'up failed']
    """
    low, high = ngram_range
    cleaned = _clean(text).lower()
    parts = (_WORDS_ASCII if cleaned.isascii() else _WORDS).split(cleaned)  # gap, word, gap, ..., word, gap
    words = parts[1::2]
    out = [w for w in words if w not in stop_words] if low <= 1 <= high else []
    if high < 2 or len(words) < 2:
        return out
    # words i and i + 1 are in one phrase: neither is a stop word, and only _JOINED stands between them
    linked = [
        a not in stop_words and b not in stop_words and (gap == " " or _JOINED.fullmatch(gap) is not None)
        for a, gap, b in zip(words, parts[2::2], words[1:])
    ]
    for n in range(max(low, 2), high + 1):
        if n == 2:
            out.extend([f"{a} {b}" for a, b, link in zip(words, words[1:], linked) if link])
        else:
            out.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1) if all(linked[i : i + n - 1]))
    return out


def english_stop_words() -> list[str]:
    """The stop words of ``stop_words="english"``: scikit-learn's, less :data:`DOMAIN_WORDS`, plus ours.

    Ours: :data:`CONTRACTION_FRAGMENTS` and :data:`SERVICE_CHATTER`.

    Examples:
        >>> words = english_stop_words()
        >>> "the" in words, "thanks" in words, "bill" in words, "top" in words
        (True, True, False, False)
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # type: ignore[import-untyped]

    return sorted((ENGLISH_STOP_WORDS - set(DOMAIN_WORDS)) | set(CONTRACTION_FRAGMENTS) | set(SERVICE_CHATTER))


def readable_name(keywords: Sequence[str], taken: set[str] | None = None, fallback: str | None = None) -> str:
    """A short name from ranked keywords: the best phrase, else the two best words.

    A phrase (a keyword of two different words) is used when it ranks among the first four
    keywords; no word is repeated in a name ("refund refund" is not a phrase). Where the name
    is taken, one more keyword is added. Without keywords (texts of stop words, numbers or
    handles only) the name is ``fallback`` (the model gives the topic's most frequent short
    text, else "topic N"), else "topic"; a number is added where it is taken.

    Examples:
        >>> readable_name(["card", "arrive", "still", "card arrive"])
        'card arrive'
        >>> readable_name(["refund", "money", "back"])
        'refund money'
        >>> readable_name(["refund refund", "refund", "money"])
        'refund money'
        >>> readable_name(["refund", "money", "back"], taken={"refund money"})
        'refund money back'
        >>> readable_name([], fallback="thanks")
        'thanks'
        >>> readable_name([], taken={"topic"})
        'topic 2'
    """
    taken = taken or set()
    words = [k for k in keywords if k and k.split()]
    if words:
        head = next((k for k in words[:4] if len(set(k.split())) >= 2), None)
        parts: list[str] = list(dict.fromkeys((head or words[0]).split()))
        for k in words:
            name = " ".join(parts)
            if len(parts) >= 2 and name not in taken:
                return name
            for w in k.split():
                if w not in parts:
                    parts.append(w)
                    break
        name = " ".join(parts)
    else:
        name = fallback or "topic"
    suffix = 2
    base = name
    while name in taken:
        name = f"{base} {suffix}"
        suffix += 1
    return name


class CTfidfDescriber(BaseEstimator):  # type: ignore[misc]  # get_params: TopicModel clones it
    """Keywords per topic by class-based TF-IDF; a step of :class:`~journeymap.topics.TopicModel`.

    Args:
        n_keywords: keywords kept per topic.
        ngram_range: word n-grams considered (phrases make names readable).
        stop_words: words that are never keywords, nor break a phrase's words apart: ``"english"``
            (:func:`english_stop_words`: scikit-learn's English list without the
            customer-service words of :data:`DOMAIN_WORDS` ("bill", "call", "top", "up", ...),
            plus the fragments contractions leave and :data:`SERVICE_CHATTER` (greetings,
            thanks, fillers)), a list of words, or None. Any other text is an error.
        min_df: a word must occur in at least this many texts, or with writers known (``groups``
            of :meth:`keywords`) be used by this many of the topic's writers (fewer when there
            are few texts or writers).

    Examples:
        >>> texts = ["my card has not arrived", "card still not arrived", "new card not arrived yet",
        ...          "refund my money", "I want a refund", "refund still pending"]
        >>> CTfidfDescriber(n_keywords=2).keywords(texts, np.array([0, 0, 0, 1, 1, 1]), 2)
        [['arrived', 'card'], ['refund', 'money']]
    """

    def __init__(
        self,
        *,
        n_keywords: int = 8,
        ngram_range: tuple[int, int] = (1, 2),
        stop_words: str | list[str] | None = "english",
        min_df: int = 2,
    ) -> None:
        self.n_keywords = n_keywords
        self.ngram_range = ngram_range
        self.stop_words = stop_words
        self.min_df = min_df

    def keywords(
        self, texts: Sequence[str], labels: npt.NDArray[np.int64], n_topics: int, groups: Sequence[Any] | None = None
    ) -> list[list[str]]:
        """Ranked keywords of topics ``0 .. n_topics - 1`` (labels outside that range are ignored).

        ``groups``: who wrote each text (a customer or journey id; a missing id is a writer of its
        own). With them, a word's frequency in a topic is the number of the topic's writers who use
        it, and a keyword must be used by at least ``min_df`` of them (by all of them where the topic
        has fewer), so the words one customer repeats in a thread do not name a topic. Without them
        each text counts, and a word must occur in ``min_df`` texts of all the topics together.

        Examples:
            >>> texts = ["no delivery slots at all", "still no delivery slots", "my parcel is late", "parcel late again"]
            >>> describer = CTfidfDescriber(n_keywords=3)
            >>> describer.keywords(texts, np.array([0, 0, 0, 0]), 1)
            [['delivery', 'delivery slots', 'late']]
            >>> describer.keywords(texts, np.array([0, 0, 0, 0]), 1, groups=["ann", "ann", "bob", "cy"])
            [['late', 'parcel']]
        """
        from sklearn.feature_extraction.text import CountVectorizer

        labels = np.asarray(labels)
        keep = (labels >= 0) & (labels < n_topics)
        docs = [str(t) for t, k in zip(texts, keep) if k]
        if not docs or n_topics == 0:
            return [[] for _ in range(n_topics)]
        min_df = self.min_df if len(docs) >= 10 * self.min_df else 1
        stop_words: Any = self.stop_words
        if isinstance(stop_words, str):
            if stop_words != "english":
                msg = f"stop_words must be 'english', a list of words or None, got {stop_words!r}"
                raise InvalidArgumentError(msg)
            stop_words = english_stop_words()
        stop = frozenset(str(w).lower() for w in stop_words or ())
        ngram_range = (int(self.ngram_range[0]), int(self.ngram_range[1]))
        # a text repeated (templates, "thanks", a sample drawn again) is read once: the texts are
        # counted grouped, each group's phrases made for its first text, and the rows put back in order
        codes = pd.factorize(pd.Series(docs, dtype=object))[0]
        order = np.argsort(codes, kind="stable")
        last: list[Any] = [None, []]  # the text read last and its phrases

        def analyze(text: str) -> list[str]:
            if text != last[0]:
                last[:] = [text, phrases(text, stop, ngram_range)]
            result: list[str] = last[1]
            return result

        vectorizer = CountVectorizer(analyzer=analyze, min_df=min_df)
        try:
            counts = vectorizer.fit_transform([docs[i] for i in order])
        except ValueError:  # no words at all survive (emoji, stop words only)
            return [[] for _ in range(n_topics)]
        position = np.empty_like(order)
        position[order] = np.arange(len(order))
        counts = counts[position]  # back in the texts' order
        vocab = vectorizer.get_feature_names_out()
        from scipy import sparse

        topic_of = labels[keep].astype(np.int64)
        if groups is None:
            rows = sparse.csr_matrix((np.ones(len(docs)), (topic_of, np.arange(len(docs)))), shape=(n_topics, len(docs)))
            tf = np.asarray((rows @ counts).todense(), dtype=np.float64)  # (topics, words)
        else:
            tf = self._writers_per_word(counts, topic_of, np.asarray(groups, dtype=object)[keep], n_topics)
        word_freq = tf.sum(axis=0)
        mean_words = tf.sum() / max(n_topics, 1)
        idf = np.log1p(mean_words / np.maximum(word_freq, 1e-12))
        weights = tf / np.maximum(tf.sum(axis=1, keepdims=True), 1e-12) * idf
        if groups is not None:
            weights[tf < self._writers_needed(topic_of, np.asarray(groups, dtype=object)[keep], n_topics)[:, None]] = 0.0
        out: list[list[str]] = []
        for t in range(n_topics):
            row = weights[t]
            order = np.lexsort((vocab, -row))  # by weight, ties alphabetically (deterministic)
            out.append([str(vocab[i]) for i in order[: self.n_keywords] if row[i] > 0])
        return out

    @staticmethod
    def _writer_codes(topic_of: npt.NDArray[np.int64], groups: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
        """One code per (topic, writer); a missing writer id is a writer of its own."""
        codes = pd.factorize(pd.Series(groups, dtype=object))[0].astype(np.int64)
        alone = codes < 0
        codes[alone] = codes.max(initial=-1) + 1 + np.arange(int(alone.sum()))
        pairs = topic_of * (int(codes.max(initial=0)) + 1) + codes
        inverse: npt.NDArray[np.int64] = np.unique(pairs, return_inverse=True)[1].astype(np.int64).ravel()
        return inverse

    def _writers_per_word(
        self, counts: Any, topic_of: npt.NDArray[np.int64], groups: npt.NDArray[Any], n_topics: int
    ) -> npt.NDArray[np.float64]:
        """Per topic and word, how many of the topic's writers use the word (shape ``(topics, words)``)."""
        from scipy import sparse

        pair = self._writer_codes(topic_of, groups)
        n_pairs = int(pair.max(initial=-1)) + 1
        by_pair = sparse.csr_matrix((np.ones(len(pair)), (pair, np.arange(len(pair)))), shape=(n_pairs, len(pair)))
        used = ((by_pair @ counts) > 0).astype(np.float64)  # (topic, writer) pairs x words: uses it at all
        pair_topic = np.zeros(n_pairs, dtype=np.int64)
        pair_topic[pair] = topic_of
        topics = sparse.csr_matrix((np.ones(n_pairs), (pair_topic, np.arange(n_pairs))), shape=(n_topics, n_pairs))
        return np.asarray((topics @ used).todense(), dtype=np.float64)

    def _writers_needed(
        self, topic_of: npt.NDArray[np.int64], groups: npt.NDArray[Any], n_topics: int
    ) -> npt.NDArray[np.float64]:
        """Per topic, the writers a keyword needs: ``min_df``, or all of them where the topic has fewer."""
        pair = self._writer_codes(topic_of, groups)
        pair_topic = np.zeros(int(pair.max(initial=-1)) + 1, dtype=np.int64)
        pair_topic[pair] = topic_of
        writers = np.bincount(pair_topic, minlength=n_topics).astype(np.float64)
        needed: npt.NDArray[np.float64] = np.minimum(float(self.min_df), np.maximum(writers, 1.0))
        return needed

    def names(self, keywords: Sequence[Sequence[str]], fallbacks: Sequence[str | None] | None = None) -> list[str]:
        """One distinct readable name per topic (see :func:`readable_name`).

        ``fallbacks``: per topic, the name to use where it has no keywords (default "topic").

        Examples:
            >>> CTfidfDescriber().names([["card", "lost"], [], []], fallbacks=[None, "thanks", None])
            ['card lost', 'thanks', 'topic']
        """
        taken: set[str] = {"other"}
        names = []
        for t, kws in enumerate(keywords):
            name = readable_name(kws, taken, fallbacks[t] if fallbacks is not None else None)
            taken.add(name)
            names.append(name)
        return names
