"""A sound key for words, so Latin-script Hindi meets Devanagari and loanwords meet English.

Hindi callers are transcribed in either script ("roaming pack kitne ka hai", "रोमिंग पैक"), and
Hindi documents write English loanwords in Devanagari (प्लान, रिचार्ज, सिम). Each word gets a
rough consonant skeleton: Devanagari is romanised letter by letter, then both scripts lose
vowels and doubled letters (aspiration stays: Hinglish writes it, "kho" is not "ko"), and
spellings that sound alike are folded
("roaming" and "रोमिंग" are both `rmng`, "keemat" and "कीमत" `kmt`, "recharge" and "रिचार्ज"
`rcrj`). The index searches these keys in a column of their own, weighted below the words.
"""

from __future__ import annotations

import re
from functools import lru_cache

_VOWELS = {"अ": "a", "आ": "a", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ऋ": "ri", "ए": "e",
           "ऐ": "ai", "ओ": "o", "औ": "au", "ऑ": "o", "ऍ": "e", "ा": "a", "ि": "i", "ी": "i",
           "ु": "u", "ू": "u", "ृ": "ri", "े": "e", "ै": "ai", "ो": "o", "ौ": "au", "ॉ": "o",
           "ॅ": "e"}
_LETTERS = "k kh g gh n ch chh j jh n t th d dh n t th d dh n p ph b bh m y r l v sh sh s h"
_CONSONANTS = dict(zip("कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसह", _LETTERS.split(), strict=True))
_NUKTA_FORMS = {"क": "q", "ख": "kh", "ग": "g", "ज": "z", "ड": "r", "ढ": "rh", "फ": "f"}
_MARKS = {"ं": "n", "ँ": "n", "ः": "h", "्": "", "़": ""}
_LATIN = re.compile(r"[a-z]+")
# English spellings first (ck, c before e/i/y, g before e/i), then digraphs to one letter
_FOLDS = [(re.compile(p), r) for p, r in [
    (r"ck", "k"), (r"qu", "k"), (r"c(?=[eiy])", "s"), (r"c(?!h)", "k"), (r"chh?", "c"),
    (r"g(?=[ei])", "j"), (r"sh", "s"), (r"ph", "f"), (r"x", "ks"), (r"z", "j"), (r"q", "k"),
    (r"w", "v"), (r"iy", "i"), (r"y(?![aeiou])", ""),
    (r"[aeiou]", ""), (r"(.)\1+", r"\1")]]


def romanize(word: str) -> str:
    """Devanagari letters as rough Latin; anything else as it is."""
    out: list[str] = []
    for n, char in enumerate(word):
        following = word[n + 1] if n + 1 < len(word) else ""
        if char in _CONSONANTS:
            out.append(_NUKTA_FORMS.get(char, _CONSONANTS[char]) if following == "़"
                       else _CONSONANTS[char])
        else:
            out.append(_VOWELS.get(char, _MARKS.get(char, char)))
    return "".join(out)


@lru_cache(maxsize=65_536)  # a corpus has far fewer distinct words than words
def sound_key(word: str) -> str | None:
    """The skeleton of one casefolded word, or None when it has too little to say (under two
    consonants) or is not Latin or Devanagari."""
    latin = romanize(word)
    if not _LATIN.fullmatch(latin):
        return None
    for pattern, replacement in _FOLDS:
        latin = pattern.sub(replacement, latin)
    return latin if len(latin) >= 2 else None


def sound_keys(words: list[str]) -> list[str]:
    """The skeletons of `words` that say something, in order."""
    return [k for k in map(sound_key, words) if k is not None]
