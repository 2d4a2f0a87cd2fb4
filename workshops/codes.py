"""Join codes and nicknames: what a room types on phones, read off a projector.

Pure Python. A join code is six characters from an alphabet without the look-alikes 0/O, 1/I/L, so nobody has
to guess; typing is forgiving (lower case, spaces and dashes are fine). A nickname is 1-24 characters after
trimming, unique in its workshop regardless of case (:func:`nickname_key`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "NICKNAME_MAX",
    "CodeError",
    "NicknameError",
    "clean_code",
    "clean_nickname",
    "new_code",
    "nickname_key",
    "token_hash",
]

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0 O 1 I L
CODE_LENGTH = 6
NICKNAME_MAX = 24
_SEPARATORS = re.compile(r"[\s\-_.]+")


class CodeError(ValueError):
    """The text cannot be a join code; the message says why, for the person typing it."""


class NicknameError(ValueError):
    """The nickname is refused; the message says why."""


def new_code() -> str:
    """A random join code (about 8.9e8 possibilities; the caller retries on the rare clash)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def clean_code(text: str) -> str:
    """``" abc-23x "`` -> ``"ABC23X"``; raises :class:`CodeError` for anything that cannot be a code."""
    code = _SEPARATORS.sub("", text or "").upper()
    if not code:
        raise CodeError("Enter the code your instructor shows.")
    if len(code) != CODE_LENGTH:
        raise CodeError(f"A workshop code has {CODE_LENGTH} characters; {code[:12]!r} has {len(code)}.")
    wrong = sorted({c for c in code if c not in CODE_ALPHABET})
    if wrong:
        hint = " (codes never use 0, O, 1, I or L)" if set(wrong) & set("0O1IL") else ""
        raise CodeError(f"{', '.join(wrong)} cannot appear in a workshop code{hint}.")
    return code


def clean_nickname(text: str) -> str:
    """The nickname as shown: trimmed, inner runs of white space made one space, 1-24 characters.

    Raises :class:`NicknameError` for an empty or too long name, or one with control or invisible characters.
    """
    name = " ".join(unicodedata.normalize("NFC", text or "").split())
    if not name:
        raise NicknameError("Choose a nickname (1 to 24 characters).")
    if len(name) > NICKNAME_MAX:
        raise NicknameError(f"A nickname has at most {NICKNAME_MAX} characters; this one has {len(name)}.")
    if any(unicodedata.category(c) in {"Cc", "Cf", "Co", "Cs"} for c in name):
        raise NicknameError("A nickname cannot contain control or invisible characters.")
    return name


def nickname_key(name: str) -> str:
    """What two nicknames must not share in one workshop: ``"Ana"``, ``"ANA"`` and ``"ａｎａ"`` are the same."""
    return unicodedata.normalize("NFKC", name).casefold()


def token_hash(token: str) -> str:
    """What is stored of a participant's secret token: its SHA-256, so a database leak does not hand out seats."""
    return hashlib.sha256(token.encode()).hexdigest()
