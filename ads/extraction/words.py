"""Common English and Spanish words: a name or a handle is not one of them.

The lists are the "most common words" lists Faker ships for its lorem provider (en_US: the
1,000 most common English words; es_ES/es_MX: common Spanish words) plus scikit-learn's
English stop words, so no per-ad stop list is kept here. Faker is imported lazily, once.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=2)
def common_words(spanish: bool = True) -> frozenset[str]:
    """Lowercase common words (with their plurals in -s); English, and Spanish if asked."""
    from faker.providers.lorem.en_US import Provider as English
    from faker.providers.lorem.es_ES import Provider as Spanish
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    lists = [English.word_list, ENGLISH_STOP_WORDS] + ([Spanish.word_list] if spanish else [])
    words = {w.lower() for wl in lists for w in wl}
    words |= {w + "s" for w in list(words) if w.isalpha() and not w.endswith("s")}
    return frozenset(w for w in words if w.isalpha())


def is_common_word(word: str, *, spanish: bool = True) -> bool:
    """Is `word` (any case) a common English (or Spanish) word?

    Names after an English trigger ("I'm Rosa") are checked against English only: many Spanish
    words are given names.
    """
    return word.lower() in common_words(spanish)


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def is_stop_word(word: str) -> bool:
    """Is `word` an English function word ("never", "give", "the")?"""
    return word.lower() in _stop_words()
