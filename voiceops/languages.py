"""Language tags: names for people, and matching a profile's tag against a catalog's."""

from __future__ import annotations

from collections.abc import Iterable

NAMES = {
    "en": "English", "hi": "Hindi", "bn": "Bengali", "ta": "Tamil", "te": "Telugu",
    "kn": "Kannada", "ml": "Malayalam", "mr": "Marathi", "gu": "Gujarati", "pa": "Punjabi",
    "od": "Odia", "or": "Odia", "ur": "Urdu", "es": "Spanish", "fr": "French", "de": "German",
    "it": "Italian", "pt": "Portuguese", "ja": "Japanese", "zh": "Chinese", "ko": "Korean",
    "ar": "Arabic", "ru": "Russian", "nl": "Dutch", "pl": "Polish", "tr": "Turkish",
    "id": "Indonesian", "vi": "Vietnamese", "sv": "Swedish", "uk": "Ukrainian",
}
#: Odia has two codes in the wild: ISO 639-1 "or", and Sarvam's "od".
_SAME = {"od": "or"}


def base(tag: str) -> str:
    """The language part of a BCP-47 tag: "hi-IN" -> "hi"."""
    lang = tag.split("-", 1)[0].lower()
    return _SAME.get(lang, lang)


def name(tag: str) -> str:
    """A person's name for the language of `tag`: "hi-IN" -> "Hindi"."""
    return NAMES.get(tag.split("-", 1)[0].lower(), tag)


def supports(offered: Iterable[str], tag: str) -> bool:
    """True when a catalog entry that speaks `offered` can speak `tag`.

    An empty `offered` means unrestricted. A bare language ("hi") covers every region of it;
    a regional entry ("en-IN") covers the bare tag and that region only.
    """
    offered = list(offered)
    if not offered:
        return True
    wanted = tag.lower()
    for item in offered:
        item = item.lower()
        if "-" not in item or "-" not in wanted:
            if base(item) == base(wanted):
                return True
        elif base(item) == base(wanted) and item.split("-", 1)[1] == wanted.split("-", 1)[1]:
            return True
    return False


def speaks(offered: Iterable[str], tag: str) -> bool:
    """Like `supports`, but any region of the language will do: a British voice speaks
    en-US text fine (its accent is a separate matter), while a model that only takes en-IN
    does not."""
    offered = list(offered)
    return not offered or any(base(item) == base(tag) for item in offered)
