"""Reading one number as written: Arabic digits with separators, or Chinese numerals.

Each reader returns the value and its precision (the place of the last written digit), since
"1220 亿" and "122 billion" are the same figure written with different precision.
"""

import itertools

from .lexicon import CN_BIG_UNITS, CN_DIGITS, CN_SMALL_UNITS


def arabic(token: str) -> tuple[float, float] | None:
    """`1,220.5` → (1220.5, 0.1); None for what is not one number (a list, a version)."""
    whole, dot, fraction = token.partition(".")
    if "." in fraction or "," in fraction:
        return None
    if "," in whole:
        groups = whole.split(",")
        if not (1 <= len(groups[0]) <= 3) or any(len(g) != 3 for g in groups[1:]):
            return None
        whole = "".join(groups)
    if not whole.isdigit() or (dot and not fraction.isdigit()):
        return None
    precision = 10.0 ** -len(fraction) if fraction else 1.0
    return float(f"{whole}.{fraction}" if fraction else whole), precision


def chinese(token: str) -> tuple[float, float] | None:
    """`十二万` → (120000, 10000); None for digit strings (a year, a range like 一两)."""
    if any(a in CN_DIGITS and b in CN_DIGITS for a, b in itertools.pairwise(token)):
        return None
    total, section, digit, last_big = 0, 0, 0, 0
    precision = 1
    for ch in token:
        if ch in CN_DIGITS:
            digit, precision = CN_DIGITS[ch], 1
        elif ch in CN_SMALL_UNITS:
            unit = CN_SMALL_UNITS[ch]
            section += (digit or 1) * unit
            digit, precision = 0, unit
        else:
            big = CN_BIG_UNITS[ch]
            section += digit
            if total == 0 or big > last_big:
                total = (total + section) * big
            else:
                total += section * big
            section, digit, last_big, precision = 0, 0, big, precision * big
    return float(total + section + digit), float(precision)
