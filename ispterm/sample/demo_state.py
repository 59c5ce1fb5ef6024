"""The state of one demo build: its seeded random generator, its calendar, and the values
already handed out (phones, e-mails, IČO, MAC and IP addresses), so each is unique.

Every stage of the builder draws from the one generator in a fixed order: the same seed gives
the same data set, and a change in what a stage draws changes everything after it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from ispterm.sample.common import add_months, ascii_fold, timestamp
from ispterm.sample.reference import (
    CITIES,
    FEMALE_FIRST,
    FOREIGN,
    MAC_OUIS,
    MAIL_DOMAINS,
    MALE_FIRST,
    MOBILE_PREFIXES,
    SURNAMES,
    UNMATCHED_VS,
    Town,
)

# The data set stands at a fixed date, so every build (and load) is the same whatever today is.
ANCHOR = date(2026, 11, 1)
MONTHS = 24  # of invoices before the anchor

_ACCOUNT_WEIGHTS = (6, 3, 7, 9, 10, 5, 8, 4, 2, 1)


def _ico_check(first7: str) -> str:
    total = sum(w * int(d) for w, d in zip(range(8, 1, -1), first7, strict=False))
    return first7 + str((11 - total % 11) % 10)


def _unique(make: Callable[[], str], used: set[str]) -> str:
    """The first value ``make`` gives that is not in ``used`` (then it is)."""
    while True:
        value = make()
        if value not in used:
            used.add(value)
            return value


def mobile_number(rng: random.Random, used: set[str]) -> str:
    """A Czech mobile number in E.164 not in ``used``."""
    return _unique(lambda: "+420" + rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 999999):06d}",
                   used)


class DemoState:
    """One build's generator, calendar and unique values, with the draws every stage needs."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.start = add_months(ANCHOR, -MONTHS)
        self.months = [add_months(self.start, i) for i in range(MONTHS)]
        self.phones: set[str] = set()
        self.emails: set[str] = set()
        self.icos: set[str] = set()
        self.macs: set[str] = set()
        self.ip_counters: dict[str, int] = {}
        self.bank_seq = 0
        self.cash_seq = 0
        self.vs_alt: set[str] = set()
        self.company_names: set[str] = set()

    # ------------------------------------------------------------------ days and times

    def rand_day(self, start: date, end: date) -> date:
        """A day in [start, end)."""
        span = (end - start).days
        return start + timedelta(days=self.rng.randrange(max(span, 1)))

    def when(self, day: date) -> str:
        """A time during office hours (Prague) on ``day``, in UTC."""
        rng = self.rng
        return timestamp(day, rng.randint(6, 15), rng.randint(0, 59), rng.randint(0, 59))

    def rand_time(self, c: dict, after: date | None = None) -> tuple[date, str]:
        """A day and time while the customer was a customer within the two years."""
        start = max(after or c["_joined"], self.start if c["_joined"] < self.start else c["_joined"])
        end = c.get("_ended") or ANCHOR
        if start >= end:
            start = c["_joined"]
        day = self.rand_day(start, end)
        return day, self.when(day)

    # ------------------------------------------------------------------ people

    def person_name(self) -> tuple[str, str, str]:
        """(name as 'Surname Firstname', first name, surname)."""
        rng = self.rng
        if rng.random() < 0.06:
            surname, first = rng.choice(FOREIGN)
        elif rng.random() < 0.5:
            surname, first = rng.choice(SURNAMES)[0], rng.choice(MALE_FIRST)
        else:
            surname, first = rng.choice(SURNAMES)[1], rng.choice(FEMALE_FIRST)
        return f"{surname} {first}", first, surname

    def email_for(self, first: str, surname: str, domain: str | None = None) -> str:
        """A free address made of the name in one of the usual shapes."""
        rng = self.rng
        f, s = ascii_fold(first).replace(" ", ""), ascii_fold(surname).replace(" ", "")
        s = s.replace("'", "")
        for attempt in range(50):
            shape = rng.randrange(4)
            local = [f"{f}.{s}", f"{s}.{f}", f"{f[0]}{s}", f"{f}{s}"][shape]
            if attempt or rng.random() < 0.3:
                local += str(rng.randint(1, 99) if attempt < 20 else rng.randint(100, 9999))
            value = f"{local}@{domain or rng.choice(MAIL_DOMAINS)}"
            if value not in self.emails:
                self.emails.add(value)
                return value
        raise AssertionError("no free e-mail address")

    def mobile(self) -> str:
        return mobile_number(self.rng, self.phones)

    def landline(self, area: str) -> str:
        """A fixed-line number in the town's area code (9 digits with it)."""
        rng = self.rng
        rest = 9 - len(area)

        def make() -> str:
            first = str(rng.randint(2, 9))
            return "+420" + area + first + f"{rng.randint(0, 10 ** (rest - 1) - 1):0{rest - 1}d}"

        return _unique(make, self.phones)

    def ico(self) -> str:
        """A company number (IČO) with a valid check digit, not used before."""
        rng = self.rng
        return _unique(lambda: _ico_check(str(rng.randint(1, 8)) + f"{rng.randint(0, 999999):06d}"),
                       self.icos)

    def account(self, bank: str) -> tuple[str, str, str]:
        """A Czech account with a valid checksum, its IBAN and the bank's BIC."""
        from stdnum import iban as stdnum_iban
        from stdnum.cz import bankaccount

        while True:
            number = f"{self.rng.randint(10_000_000, 9_999_999_999):010d}"
            if sum(w * int(d) for w, d in zip(_ACCOUNT_WEIGHTS, number, strict=False)) % 11 == 0:
                break
        account = f"{number.lstrip('0')}/{bank}"
        bban = bank + "000000" + number
        iban = "CZ" + stdnum_iban.calc_check_digits("CZ00" + bban) + bban
        return account, iban, bankaccount.info(account)["bic"]

    def alternative_vs(self) -> str:
        """A second variable symbol for a customer: unused, and not one of the unmatched ones."""
        rng = self.rng
        while True:
            vs = str(rng.randint(2000, 9999) if rng.random() < 0.6 else rng.randint(600000, 699999))
            if vs not in self.vs_alt and vs not in UNMATCHED_VS:
                self.vs_alt.add(vs)
                return vs

    # ------------------------------------------------------------------ places and devices

    def address(self, town: Town) -> tuple[str, str]:
        """(street with house number, city) in ``town``."""
        rng = self.rng
        street = rng.choice(town.streets)
        if town.name == "Loučná nad Desnou":
            # Parts of the village have no streets: the house number goes after the part's name.
            return f"{street} {rng.randint(1, 180)}", town.name
        if town.name in CITIES or town.name in ("Šumperk", "Zábřeh"):
            number = f"{rng.randint(100, 3200)}/{rng.randint(1, 60)}"
        else:
            number = str(rng.randint(1, 650))
        return f"{street} {number}", town.name

    def gps(self, town: Town) -> tuple[float, float]:
        """A point near the town's centre (further out in the cities)."""
        lat, lon = town.gps
        spread = 0.03 if town.name in CITIES else 0.012
        return (round(lat + self.rng.uniform(-spread, spread), 6),
                round(lon + self.rng.uniform(-spread, spread) * 1.5, 6))

    def mac(self) -> str:
        rng = self.rng
        return _unique(lambda: rng.choice(MAC_OUIS) + ":" + ":".join(
            f"{rng.randrange(256):02X}" for _ in range(3)), self.macs)

    def ip(self, kind: str, town_index: int = 0) -> str:
        """Sequential unique addresses: private per town, CGNAT, public, public /29 subnets."""
        key = f"{kind}{town_index if kind == 'private' else ''}"
        n = self.ip_counters.get(key, 0)
        self.ip_counters[key] = n + 1
        if kind == "private":
            return f"10.{10 + town_index}.{n // 200}.{n % 200 + 20}"
        if kind == "cgnat":
            return f"100.64.{n // 250}.{n % 250 + 2}"
        if kind == "subnet":
            return f"185.63.100.{n * 8}/29"
        return f"185.63.{96 + n // 250}.{n % 250 + 2}"
