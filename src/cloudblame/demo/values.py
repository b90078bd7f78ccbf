"""The made-up values of the sample trail: ids and CloudTrail's time formats.

Nothing here is random by itself: every id comes from :class:`Ids`, which draws from the generator's seeded
``random.Random``.
"""

from __future__ import annotations

import calendar
import random
import time

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # access key ids look base32
LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

REGIONS = ("us-east-1", "eu-west-1", "us-west-2")


# --- time ------------------------------------------------------------------------------------------

_DAY_CACHE: dict[int, str] = {}


def iso(t: int) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` for an epoch second."""
    day, sod = divmod(t, 86400)
    prefix = _DAY_CACHE.get(day)
    if prefix is None:
        prefix = _DAY_CACHE[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))
    h, rem = divmod(sod, 3600)
    m, s = divmod(rem, 60)
    return f"{prefix}{h:02d}:{m:02d}:{s:02d}Z"


def parse_day(day: str) -> int:
    """Epoch second of ``YYYY-MM-DD`` 00:00 UTC."""
    return calendar.timegm(time.strptime(day, "%Y-%m-%d"))


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def locale_date(t: int, comma: bool = True) -> str:
    """The Java-locale dates of IAM/STS/RDS responses: ``Oct 1, 2026, 9:05:03 PM``."""
    g = time.gmtime(t)
    h12 = g.tm_hour % 12 or 12
    ampm = "AM" if g.tm_hour < 12 else "PM"
    sep = ", " if comma else " "
    return f"{_MONTHS[g.tm_mon - 1]} {g.tm_mday}, {g.tm_year}{sep}{h12}:{g.tm_min:02d}:{g.tm_sec:02d} {ampm}"


def iso_ms(t: int) -> str:
    return iso(t)[:-1] + ".000Z"


# --- ids -------------------------------------------------------------------------------------------


class Ids:
    """Id generators over the generator's seeded ``random.Random`` (deterministic, never uuid4)."""

    __slots__ = ("_bits", "_choices", "rng")

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._bits = rng.getrandbits
        self._choices = rng.choices

    def uuid(self) -> str:
        h = f"{self._bits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"

    def hexid(self, n: int = 17) -> str:
        return f"{self._bits(4 * n):0{n}x}"

    def ec2(self, prefix: str) -> str:
        return f"{prefix}-{self._bits(68):017x}"

    def alnum(self, n: int) -> str:
        return "".join(self._choices(ALNUM, k=n))

    def upper(self, n: int) -> str:
        return "".join(self._choices(UPPER_ALNUM, k=n))

    def lower(self, n: int) -> str:
        return "".join(self._choices(LOWER_ALNUM, k=n))

    def key(self, prefix: str) -> str:
        """An access key id (``AKIA``/``ASIA``) or unique id (``AIDA``/``AROA``): prefix + 16/17 chars."""
        n = 16 if prefix in ("AKIA", "ASIA") else 17
        return prefix + "".join(self._choices(KEY_CHARS, k=n))

    def s3_request_id(self) -> str:
        return "".join(self._choices(UPPER_ALNUM, k=16))

    def token(self) -> str:
        """A client token as Terraform writes them."""
        return self.uuid().upper()
