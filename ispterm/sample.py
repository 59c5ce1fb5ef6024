"""Demo data (``sample_data/demo.json``) and generated scale data for benchmarks.

``build_demo()`` makes the demo set from a seed: about 220 customers of an ISP around Šumperk
with two years of monthly invoices, payments allocated to them, notes, tasks, communication and
history. It only builds plain JSON-able data; ``python -m ispterm.sample`` writes the file.

``load()`` puts such a data set into an empty, initialised database in one transaction with
Core bulk inserts (all or nothing): code items, billing groups and operators are matched by
name with what ``ispterm init`` created, the rest is inserted as given, and the search index is
rebuilt. ``generate()`` adds N plain customers with services, invoices and payments for
benchmarks, fast enough for 100,000 customers on SQLite.

Money in the data set is a string (``"499.00"``), dates are ISO dates and times are ISO with
``+00:00``. A key left out of a record takes the model's default. Service prices include VAT.
"""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ispterm.context import Ctx
from ispterm.errors import NotFound, ValidationError
from ispterm.operators.roles import CUSTOMER_CREATE, PAYMENT_WRITE
from ispterm.settings.service import PLACEHOLDER_COMPANY

FORMAT = "ispterm-demo/1"
ANCHOR = date(2026, 11, 1)
MONTHS = 24
CENT = Decimal("0.01")
VAT = Decimal("21.00")


def demo_path() -> Path:
    """The bundled demo data set (sample_data/demo.json beside the package)."""
    path = Path(__file__).resolve().parents[1] / "sample_data" / "demo.json"
    if not path.is_file():
        raise NotFound(f"demo data set not found at {path}")
    return path


# =========================================================================== reference data

MALE_FIRST = [
    "Jan", "Petr", "Josef", "Pavel", "Martin", "Tomáš", "Jaroslav", "Miroslav", "Zdeněk",
    "Václav", "Michal", "František", "Jiří", "Lukáš", "Jakub", "Ondřej", "Radek", "Vojtěch",
    "Karel", "Milan", "Stanislav", "Aleš", "Libor", "Luboš", "Dušan", "Bohumil", "Matěj",
]
FEMALE_FIRST = [
    "Jana", "Marie", "Eva", "Hana", "Anna", "Lenka", "Kateřina", "Věra", "Lucie", "Alena",
    "Petra", "Jaroslava", "Veronika", "Martina", "Zdeňka", "Ludmila", "Tereza", "Markéta",
    "Michaela", "Dagmar", "Šárka", "Žaneta", "Božena", "Radka", "Iveta", "Blanka",
]
# (male, female) surname pairs.
SURNAMES = [
    ("Novák", "Nováková"), ("Svoboda", "Svobodová"), ("Novotný", "Novotná"),
    ("Dvořák", "Dvořáková"), ("Černý", "Černá"), ("Procházka", "Procházková"),
    ("Kučera", "Kučerová"), ("Veselý", "Veselá"), ("Horák", "Horáková"), ("Němec", "Němcová"),
    ("Marek", "Marková"), ("Pospíšil", "Pospíšilová"), ("Pokorný", "Pokorná"),
    ("Hájek", "Hájková"), ("Král", "Králová"), ("Jelínek", "Jelínková"),
    ("Růžička", "Růžičková"), ("Beneš", "Benešová"), ("Fiala", "Fialová"),
    ("Sedláček", "Sedláčková"), ("Doležal", "Doležalová"), ("Zeman", "Zemanová"),
    ("Kolář", "Kolářová"), ("Navrátil", "Navrátilová"), ("Čermák", "Čermáková"),
    ("Vaněk", "Vaňková"), ("Urban", "Urbanová"), ("Blažek", "Blažková"), ("Kříž", "Křížová"),
    ("Kovář", "Kovářová"), ("Šťastný", "Šťastná"), ("Žák", "Žáková"), ("Bartoš", "Bartošová"),
    ("Vlček", "Vlčková"), ("Polák", "Poláková"), ("Musil", "Musilová"), ("Šimek", "Šimková"),
    ("Konečný", "Konečná"), ("Malý", "Malá"), ("Holub", "Holubová"),
    ("Štěpánek", "Štěpánková"), ("Kadlec", "Kadlecová"), ("Šindelář", "Šindelářová"),
    ("Řezníček", "Řezníčková"), ("Ševčík", "Ševčíková"), ("Tichý", "Tichá"),
    ("Dušek", "Dušková"), ("Hrubý", "Hrubá"), ("Mareš", "Marešová"), ("Skála", "Skálová"),
    ("Ďuriš", "Ďurišová"), ("Hudec", "Hudcová"), ("Zedník", "Zedníková"),
    ("Vávra", "Vávrová"), ("Zapletal", "Zapletalová"), ("Smejkal", "Smejkalová"),
]
# Names of people who are not Czech: (surname, first name).
FOREIGN = [
    ("Smith", "John"), ("O'Brien", "Sean"), ("Johnson", "Emily"), ("Williams", "Mark"),
    ("Brown", "Sarah"), ("Taylor", "James"), ("Müller", "Thomas"), ("Kowalski", "Piotr"),
    ("Nguyen", "Van Minh"), ("Tran", "Thi Hoa"), ("Schneider", "Anna"), ("Ivanenko", "Olena"),
]
# Kinds of company name: (template, group).
COMPANY_KINDS = [
    ("Pekařství {s} s.r.o.", "Business"), ("Autoservis {s} s.r.o.", "Business"),
    ("Elektro {s} s.r.o.", "Business"), ("Truhlářství {s} s.r.o.", "Business"),
    ("Zahradnictví {s} s.r.o.", "Business"), ("Pneuservis {s} s.r.o.", "Business"),
    ("Účetní kancelář {s} s.r.o.", "Business"), ("Stavby {s} a.s.", "Business"),
    ("Advokátní kancelář {s} s.r.o.", "Business"), ("Sklenářství {s} s.r.o.", "Business"),
    ("Autodoprava {s} s.r.o.", "Business"), ("Řeznictví {s} s.r.o.", "Business"),
]
COMPANY_FIXED = [
    ("Penzion U Lípy s.r.o.", "Business"), ("Jesenická strojírna a.s.", "Business"),
    ("Kavárna Slunce s.r.o.", "Business"), ("Moravia Wood a.s.", "Business"),
    ("Veterina Šumperk s.r.o.", "Business"), ("Optika Zábřeh s.r.o.", "Business"),
    ("Lékárna Na Nábřeží s.r.o.", "Business"), ("Hotel Praděd View s.r.o.", "Business"),
    ("Obec Bludov", "Municipality"), ("Obec Rapotín", "Municipality"),
    ("Městys Loučná nad Desnou", "Municipality"),
]

# Towns: name, ZIP, GPS centre, phone area, streets, weight, billing group.
TOWNS = [
    ("Šumperk", "787 01", (49.9653, 16.9706), "583",
     ["Hlavní třída", "Langrova", "Jesenická", "Temenická", "Žerotínova", "Zábřežská",
      "Lidická", "Bratrušovská", "Prievidzská", "Gen. Svobody", "Čsl. armády", "Husitská",
      "Vančurova", "Reissova", "17. listopadu", "Kladská", "Nemocniční", "Šumavská",
      "Žižkova", "Na Hradě"], 34, "Main"),
    ("Zábřeh", "789 01", (49.8826, 16.8722), "583",
     ["Masarykovo náměstí", "Valová", "Postřelmovská", "Hrázní", "Sušilova", "Školská",
      "Bezručova", "Jiráskova", "Leštinská", "Krumpach"], 16, "Main"),
    ("Bludov", "789 61", (49.9412, 16.9282), "583",
     ["Komenského", "Nádražní", "Šumperská", "Zahradní", "Polní"], 7, "Main"),
    ("Rapotín", "788 14", (49.9938, 17.0202), "583",
     ["Šumperská", "Sportovní", "Rybniční", "Luční"], 5, "Main"),
    ("Velké Losiny", "788 15", (50.0286, 17.0394), "583",
     ["Zámecká", "Lázeňská", "Rudé armády", "Bratrušovská"], 5, "Main"),
    ("Loučná nad Desnou", "788 11", (50.0717, 17.0896), "583",
     ["Kociánov", "Filipová", "Přemyslov"], 3, "Main"),
    ("Hanušovice", "788 33", (50.0707, 16.9361), "583",
     ["Hlavní", "Nádražní", "Potoční", "Pivovarská"], 4, "Main"),
    ("Postřelmov", "789 69", (49.9060, 16.9125), "583",
     ["Hlavní", "Zábřežská", "Zborovská", "Na Výsluní"], 4, "Main"),
    ("Mohelnice", "789 85", (49.7771, 16.9195), "583",
     ["Masarykova", "Nádražní", "Zámečnická", "Úzká", "Petra Bezruče"], 6, "Haná"),
    ("Olomouc", "779 00", (49.5938, 17.2509), "585",
     ["Třída Svobody", "Dolní náměstí", "Palackého", "Dobrovského", "Masarykova třída",
      "Hodolanská", "Polská", "Wellnerova", "Zikova", "Ostružnická"], 9, "Haná"),
    ("Brno", "602 00", (49.1951, 16.6068), "541",
     ["Kounicova", "Cejl", "Veveří", "Lidická", "Údolní", "Husova", "Zábrdovická",
      "Purkyňova", "Štefánikova", "Koliště"], 4, "Haná"),
    ("Praha", "130 00", (50.0755, 14.4378), "2",
     ["Vinohradská", "Korunní", "Seifertova", "Italská", "Slezská", "Táboritská",
      "Koněvova", "Husinecká"], 3, "Haná"),
]
VILLAGES = {"Bludov", "Rapotín", "Velké Losiny", "Loučná nad Desnou", "Hanušovice", "Postřelmov"}
CITIES = {"Olomouc", "Brno", "Praha"}

# Plans: name -> (monthly price incl. VAT, kind).
PLANS = {
    "Air 20": ("349.00", "air"), "Air 50": ("399.00", "air"), "Air 100": ("459.00", "air"),
    "Fiber 250": ("499.00", "fiber"), "Fiber 500": ("649.00", "fiber"),
    "Fiber 1000": ("899.00", "fiber"), "Business Fiber 1000": ("1990.00", "fiber"),
    "TV Basic": ("199.00", "tv"), "TV Plus": ("349.00", "tv"), "Public IP": ("99.00", "ip"),
}
INSTALLATION_FEE = "990.00"
# Payments nobody could match: unknown or missing VS (BIL-8 manual assignment).
UNMATCHED = [
    ("NOVAKOVA MARIE", "1002", "internet leden", "499.00"),
    ("OBEC BLUDOV", None, "faktura za internet", "1990.00"),
    ("KRIZ PAVEL", "20260815", "platba", "649.00"),
    ("DVORAK JOSEF", "110042", None, "399.00"),
    ("SMITH JOHN", "0", "internet October", "500.00"),
    ("NEZNAMY PLATCE", "98765", "VS 98765", "1200.00"),
]
UNMATCHED_VS = {vs for _, vs, _, _ in UNMATCHED if vs}
MOBILE_PREFIXES = ["601", "602", "603", "604", "605", "606", "607", "608", "702", "703", "704",
                   "705", "720", "721", "724", "725", "728", "730", "731", "732", "733", "734",
                   "736", "737", "739", "770", "773", "774", "775", "776", "777", "778", "790",
                   "792", "794", "799"]
MAIL_DOMAINS = ["seznam.cz", "seznam.cz", "seznam.cz", "email.cz", "gmail.com", "gmail.com",
                "centrum.cz", "post.cz", "volny.cz", "atlas.cz", "outlook.com", "icloud.com"]
MAC_OUIS = ["4C:5E:0C", "48:8F:5A", "D4:01:C3", "24:5A:4C", "78:8A:20", "50:C7:BF", "E8:48:B8",
            "00:E0:FC", "C8:3A:35", "18:FD:74"]
DEVICES = [("MikroTik hAP ax2", "1890.00"), ("MikroTik hAP ac2", "1490.00"),
           ("Huawei HG8245H ONT", "1200.00"), ("Ubiquiti LiteBeam 5AC Gen2", "1690.00"),
           ("TP-Link Archer C6", "890.00"), ("Set-top box Arris VIP4302", "1590.00")]

OPERATORS = [
    {"login": "jana", "name": "Jana Horáková", "email": "jana.horakova@sitesumperk.cz",
     "mobile": "+420731555101", "role": "admin", "send_tasks_to_email": False},
    {"login": "petr", "name": "Petr Kolář", "email": "petr.kolar@sitesumperk.cz",
     "mobile": "+420731555102", "role": "technician", "send_tasks_to_email": True},
    {"login": "tech1", "name": "Lukáš Beneš", "email": "lukas.benes@sitesumperk.cz",
     "mobile": "+420731555103", "role": "technician", "send_tasks_to_email": True},
    {"login": "support1", "name": "Tereza Vlčková", "email": "podpora@sitesumperk.cz",
     "mobile": "+420731555104", "role": "support", "send_tasks_to_email": False},
    {"login": "viewer", "name": "Účetní (náhled)", "email": "ucetni@sitesumperk.cz",
     "mobile": None, "role": "readonly", "send_tasks_to_email": False},
]


# =========================================================================== small helpers


def _ascii(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if ch.isascii() and (ch.isalnum() or ch in " -."))


def _slug(value: str) -> str:
    words = _ascii(value).replace(".", " ").split()
    return "-".join(w for w in words if w not in ("s", "r", "o", "a"))


def _ico_check(first7: str) -> str:
    total = sum(w * int(d) for w, d in zip(range(8, 1, -1), first7))
    return first7 + str((11 - total % 11) % 10)


def _ico(rng: random.Random, used: set[str]) -> str:
    while True:
        value = _ico_check(str(rng.randint(1, 8)) + f"{rng.randint(0, 999999):06d}")
        if value not in used:
            used.add(value)
            return value


_ACCOUNT_WEIGHTS = (6, 3, 7, 9, 10, 5, 8, 4, 2, 1)


def _account(rng: random.Random, bank: str) -> tuple[str, str, str]:
    """A Czech account with a valid checksum, its IBAN and the bank's BIC."""
    from stdnum import iban as stdnum_iban
    from stdnum.cz import bankaccount

    while True:
        number = f"{rng.randint(10_000_000, 9_999_999_999):010d}"
        if sum(w * int(d) for w, d in zip(_ACCOUNT_WEIGHTS, number)) % 11 == 0:
            break
    account = f"{number.lstrip('0')}/{bank}"
    bban = bank + "000000" + number
    iban = "CZ" + stdnum_iban.calc_check_digits("CZ00" + bban) + bban
    return account, iban, bankaccount.info(account)["bic"]


def _mobile(rng: random.Random, used: set[str]) -> str:
    while True:
        value = "+420" + rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 999999):06d}"
        if value not in used:
            used.add(value)
            return value


def _landline(rng: random.Random, area: str, used: set[str]) -> str:
    while True:
        rest = 9 - len(area)
        first = str(rng.randint(2, 9))
        value = "+420" + area + first + f"{rng.randint(0, 10 ** (rest - 1) - 1):0{rest - 1}d}"
        if value not in used:
            used.add(value)
            return value


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def _vat_of(gross: Decimal, rate: Decimal = VAT) -> Decimal:
    return (gross * rate / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)


def _ts(day: date, hour: int, minute: int = 0, second: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC).isoformat()


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _when(rng: random.Random, day: date) -> str:
    """A time during office hours (Prague) on ``day``, in UTC."""
    return _ts(day, rng.randint(6, 15), rng.randint(0, 59), rng.randint(0, 59))


def _rand_day(rng: random.Random, start: date, end: date) -> date:
    """A day in [start, end)."""
    span = (end - start).days
    return start + timedelta(days=rng.randrange(max(span, 1)))


class _Unique:
    """Sequential unique values from a generator function, never repeating."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, make) -> str:
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value


# =========================================================================== the demo set


class _Demo:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.start = _add_months(ANCHOR, -MONTHS)
        self.months = [_add_months(self.start, i) for i in range(MONTHS)]
        self.phones: set[str] = set()
        self.emails: set[str] = set()
        self.icos: set[str] = set()
        self.macs = _Unique()
        self.ip_counters: dict[str, int] = {}
        self.bank_seq = 0
        self.cash_seq = 0
        self.vs_alt: set[str] = set()
        self.company_names: set[str] = set()

    # ------------------------------------------------------------------ identity

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
        rng = self.rng
        f, s = _ascii(first).replace(" ", ""), _ascii(surname).replace(" ", "")
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

    def mac(self) -> str:
        rng = self.rng
        return self.macs.take(lambda: rng.choice(MAC_OUIS) + ":" + ":".join(
            f"{rng.randrange(256):02X}" for _ in range(3)))

    def ip(self, kind: str, town_index: int = 0) -> str:
        """Sequential unique addresses: private per town, CGNAT, public."""
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

    def address(self, town) -> tuple[str, str]:
        name, _zip, _gps, _area, streets, _w, _g = town
        rng = self.rng
        street = rng.choice(streets)
        if name == "Loučná nad Desnou":
            # Parts of the village have no streets: the house number goes after the part's name.
            return f"{street} {rng.randint(1, 180)}", name
        if name in CITIES or name in ("Šumperk", "Zábřeh"):
            number = f"{rng.randint(100, 3200)}/{rng.randint(1, 60)}"
        else:
            number = str(rng.randint(1, 650))
        return f"{street} {number}", name

    def gps(self, town) -> tuple[float, float]:
        lat, lon = town[2]
        spread = 0.03 if town[0] in CITIES else 0.012
        return (round(lat + self.rng.uniform(-spread, spread), 6),
                round(lon + self.rng.uniform(-spread, spread) * 1.5, 6))

    # ------------------------------------------------------------------ the build

    def build(self) -> dict:
        groups = self.billing_groups()
        customers = [self.customer() for _ in range(226)]
        # Customer numbers follow the order customers joined in.
        customers.sort(key=lambda c: (c["created_at"], c["name"]))
        for n, c in enumerate(customers):
            c["number"] = 10001 + n
            c["portal_login"] = str(c["number"])
        self.aliases(customers)
        for c in customers:
            self.services(c)
            self.contacts(c)
            self.inventory(c)
        self.invoices(customers)
        for c in customers:
            self.payments(c)
        for c in customers:
            self.notes(c)
        self.notes_extra(customers)
        for c in customers:
            self.tasks(c)
            self.communications(c)
            self.portal_logins(c)
            self.history(c)
        unmatched = self.unmatched_payments()
        customers = [_ordered(c) for c in customers]
        return {
            "format": FORMAT,
            "description": "ispterm demo data set: an ISP around Šumperk, two years of billing",
            "seed": self.seed,
            "anchor": ANCHOR.isoformat(),
            "currency": "CZK",
            "codes": self.codes(),
            "operators": OPERATORS,
            # So mail can be composed and sent in the demo without a settings step first.
            "settings": {"sender_addresses": "podpora@sitesumperk.cz, fakturace@sitesumperk.cz"},
            "billing_groups": groups,
            "customers": customers,
            "unmatched_payments": unmatched,
            "tasks": self.network_tasks(),
        }

    def codes(self) -> dict:
        from ispterm.settings.service import DEFAULT_CODES

        return {kind: [{k: v for k, v in item.items() if k != "is_default"} for item in items]
                for kind, items in DEFAULT_CODES.items()}

    def billing_groups(self) -> list[dict]:
        rng = self.rng
        out = []
        for name, company, street, city, zip_, bank, phone, email in [
            ("Main", "Sítě Šumperk s.r.o.", "Jesenická 2847/12", "Šumperk", "787 01", "2010",
             "+420583555100", "info@sitesumperk.cz"),
            ("Haná", "Hanácké sítě a.s.", "Hodolanská 412/28", "Olomouc", "779 00", "0100",
             "+420585555200", "info@hanackesite.cz"),
        ]:
            ico = _ico(rng, self.icos)
            account, iban, bic = _account(rng, bank)
            out.append({
                "name": name, "company_name": company, "ico": ico, "dic": "CZ" + ico,
                "street": street, "city": city, "zip": zip_, "country": "CZ",
                "bank_account": account, "iban": iban, "bic": bic, "email": email,
                "phone": phone, "currency": "CZK", "invoice_prefix": "",
                "is_default": name == "Main",
            })
        return out

    def customer(self) -> dict:
        rng = self.rng
        town = rng.choices(TOWNS, weights=[t[5] for t in TOWNS])[0]
        company = rng.random() < 0.15
        c: dict[str, Any] = {"number": 0, "legal_form": "company" if company else "person"}
        street, city = self.address(town)
        c["_town"] = TOWNS.index(town)
        c["_group"] = town[6]
        groups: list[str] = []
        if company:
            if rng.random() < 0.35:
                name, group = rng.choice(COMPANY_FIXED)
            else:
                template, group = rng.choice(COMPANY_KINDS)
                name = template.format(s=rng.choice(SURNAMES)[0])
            while name in self.company_names:
                name, group = rng.choice(COMPANY_KINDS)[0].format(s=rng.choice(SURNAMES)[0]), "Business"
            self.company_names.add(name)
            if name.startswith(("Obec ", "Městys ")):
                village = name.split(" ", 1)[1]
                for t in TOWNS:
                    if t[0] == village:
                        town = t
                        street, city = f"{rng.choice(t[4])} {rng.randint(1, 120)}", village
                        c["_town"], c["_group"] = TOWNS.index(t), t[6]
            groups.append(group)
            c["name"] = name
            rep, first, surname = self.person_name()
            c["representative"] = rep
            c["_rep_email"] = None
            slug = _slug(name)
            domain = f"{slug}.cz"
            c["email"] = f"info@{domain}"
            if rng.random() < 0.7:
                c["billing_email"] = f"fakturace@{domain}"
            if rng.random() < 0.5:
                c["tech_email"] = f"it@{domain}"
            if rng.random() < 0.3:
                c["business_email"] = c["_rep_email"] = self.email_for(first, surname, domain)
            c["phone"] = _landline(rng, town[3], self.phones)
            c["mobile"] = _mobile(rng, self.phones)
            c["www"] = f"https://www.{domain}"
            ico = _ico(rng, self.icos)
            c["ico"] = ico
            if not name.startswith(("Obec ", "Městys ")) or rng.random() < 0.5:
                c["dic"] = "CZ" + ico
            c["billing_name"] = name
        else:
            name, first, surname = self.person_name()
            c["name"] = name
            groups.append("Residential" if rng.random() < 0.95 else "Employees")
            c["email"] = self.email_for(first, surname)
            if rng.random() < 0.08:
                c["billing_email"] = self.email_for(first, surname)
            if rng.random() < 0.04:
                c["tech_email"] = self.email_for(first, surname)
            if rng.random() < 0.05:
                c["other_emails"] = self.email_for(first, surname)
            if rng.random() < 0.88:
                c["mobile"] = _mobile(rng, self.phones)
            if rng.random() < 0.12 or "mobile" not in c:
                c["phone"] = _landline(rng, town[3], self.phones)
        c["street"], c["city"], c["zip"], c["country"] = street, city, town[1], "CZ"
        if town[0] in CITIES or (town[0] in ("Šumperk", "Zábřeh") and rng.random() < 0.5):
            c["floor"] = rng.choice([0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8])
            c["flat"] = (str(rng.randint(1, 40)) if rng.random() < 0.8
                         else f"{c['floor']}.{rng.randint(1, 6)}")
        elif rng.random() < 0.3:
            c["floor"] = 0
        c["gps_lat"], c["gps_lon"] = self.gps(town)
        if rng.random() < 0.07:
            mtown = rng.choice(TOWNS)
            c["mail_street"], c["mail_city"] = self.address(mtown)
            c["mail_zip"], c["mail_country"] = mtown[1], "CZ"
        if company and rng.random() < 0.3:
            c["billing_street"], c["billing_city"] = self.address(town)
            c["billing_zip"], c["billing_country"] = town[1], "CZ"
        # Lifecycle: when they joined and where they are now.
        roll = rng.random()
        if roll < 0.05:
            state, joined = "Potential", _rand_day(rng, date(2026, 8, 1), date(2026, 10, 25))
        elif roll < 0.14:
            state = "Disconnected"
            joined = _rand_day(rng, date(2014, 1, 1), date(2025, 6, 1))
        elif roll < 0.20:
            state = "Non-payer"
            joined = _rand_day(rng, date(2015, 1, 1), date(2025, 3, 1))
        elif roll < 0.26:
            state = "Limited"
            joined = _rand_day(rng, date(2013, 1, 1), date(2025, 12, 1))
        else:
            state = "Connected"
            joined = (_rand_day(rng, date(2009, 3, 1), self.start) if rng.random() < 0.55
                      else _rand_day(rng, self.start, date(2026, 9, 20)))
        c["status"] = state
        c["_joined"] = joined
        c["created_at"] = _when(rng, joined)
        c["created_by"] = rng.choice(["jana", "jana", "support1"])
        c["campaign"] = rng.choice(["Leaflet", "Website", "Recommendation", None, None, None])
        if c["campaign"] is None:
            del c["campaign"]
        c["payment_type"] = rng.choices(["Bank transfer", "Direct debit", "Cash", "Card"],
                                        weights=[78, 12, 6, 4])[0]
        if c["payment_type"] in ("Direct debit",) or (company and rng.random() < 0.5):
            c["bank_account"], c["iban"], c["bic"] = _account(rng, rng.choice(
                ["0100", "0300", "0800", "2010", "0600", "5500", "3030", "2700"]))
        c["billing_group"] = c["_group"]
        c["groups"] = groups
        marks = []
        if joined >= date(2026, 6, 1) and state != "Potential":
            marks.append("New")
        if company and rng.random() < 0.3 or (not company and rng.random() < 0.03):
            marks.append("VIP")
        if state in ("Non-payer", "Limited") and rng.random() < 0.5:
            marks.append("Problem")
        if company and rng.random() < 0.05:
            marks.append("Reseller")
        c["marks"] = marks
        c["managers"] = ["jana"] if "VIP" in marks or (company and rng.random() < 0.4) else []
        if state != "Potential":
            c["contract_returned_on"] = (joined + timedelta(days=rng.randint(1, 12))).isoformat()
        if company and rng.random() < 0.4:
            c["due_days"] = rng.choice([21, 30])
        if name.startswith(("Obec ", "Městys ")):
            c["never_suspend"] = True
        elif state in ("Limited", "Non-payer") and rng.random() < 0.3:
            c["suspend_after_days"] = rng.choice([7, 21, 30])
        if rng.random() < 0.06:
            c["invoice_by_post"], c["invoice_by_email"] = True, rng.random() < 0.3
        if state == "Disconnected" and rng.random() < 0.6:
            c["former"] = True
        if rng.random() < 0.08 and state != "Potential":
            while True:
                vs = str(rng.randint(2000, 9999) if rng.random() < 0.6
                         else rng.randint(600000, 699999))
                if vs not in self.vs_alt and vs not in UNMATCHED_VS:
                    self.vs_alt.add(vs)
                    break
            c["vs_alt1"] = vs
        if town[0] in ("Šumperk", "Zábřeh") and rng.random() < 0.1 and not company:
            c["catv_socket"] = f"TV-{rng.randint(100, 999)}-{rng.randint(1, 24):02d}"
        return c

    def aliases(self, customers: list[dict]) -> None:
        """A few companies have a second site as a child account; one customer is deleted."""
        rng = self.rng
        companies = [c for c in customers if c["legal_form"] == "company" and c["status"] == "Connected"
                     and not c["name"].startswith(("Obec ", "Městys "))]
        rng.shuffle(companies)
        for parent in companies[:2]:
            if "parent" in parent:
                continue
            later = [c for c in companies if c["number"] > parent["number"] and "parent" not in c
                     and not any(x.get("parent") == c["number"] for x in customers)]
            if later:
                child = rng.choice(later)
                child["parent"] = parent["number"]
                child["name"] = f"{parent['name']} – provozovna {child['city']}"
                domain = parent["email"].split("@")[1]
                child["email"] = f"provozovna-{_slug(child['city'])}@{domain}"
                child["www"] = parent["www"]
                for key in ("billing_name", "billing_email", "tech_email", "ico", "dic"):
                    child.pop(key, None)
                    if key in parent:
                        child[key] = parent[key]
                child.pop("business_email", None)
                child["_rep_email"] = None
        for c in rng.sample([c for c in customers if c["status"] == "Connected"
                             and c["legal_form"] == "person" and c["_joined"] < self.start], 2):
            c["disconnect_on"] = "2026-11-30"
        formers = [c for c in customers if c.get("former")]
        if formers:
            gone = rng.choice(formers)
            gone["_deleted"] = True

    def services(self, c: dict) -> None:
        rng = self.rng
        c["services"] = []
        if c["status"] == "Potential":
            return
        town = TOWNS[c["_town"]]
        started = c["_joined"] + timedelta(days=rng.randint(3, 14))
        ended = None
        if c["status"] == "Disconnected":
            ended = _rand_day(rng, max(started + timedelta(days=40), self.start + timedelta(days=40)),
                              date(2026, 10, 1))
            c["_ended"] = ended
        company = c["legal_form"] == "company"
        fiber_here = town[0] not in VILLAGES or rng.random() < 0.35
        if company and rng.random() < 0.4:
            plan = "Business Fiber 1000"
        elif fiber_here:
            plan = rng.choices(["Fiber 250", "Fiber 500", "Fiber 1000"], weights=[55, 30, 15])[0]
        else:
            plan = rng.choices(["Air 20", "Air 50", "Air 100"], weights=[15, 55, 30])[0]
        upgraded = None
        if PLANS[plan][1] == "fiber" and plan != "Business Fiber 1000" and rng.random() < 0.18:
            first_month = max(_add_months(started, 1), self.start)
            if first_month < date(2026, 6, 1):
                upgraded = _rand_day(rng, first_month + timedelta(days=60), date(2026, 9, 1))
                olds = ["Air 50", "Air 100"] if town[0] in VILLAGES else ["Fiber 250", "Air 100"]
                old = rng.choice(olds)
                if old == plan:
                    old = "Air 50"
                upgraded = (upgraded, old)
        internet = {
            "plan": plan, "price": PLANS[plan][0], "vat_rate": str(VAT),
            "active": ended is None, "started_on": started.isoformat(),
            "dns": "10.0.0.53, 185.63.96.1" if rng.random() < 0.5 else None,
            "ips": [],
        }
        if ended:
            internet["ended_on"] = ended.isoformat()
        if upgraded:
            internet["_upgrade"] = (upgraded[0].isoformat(), upgraded[1])
            internet["started_on"] = upgraded[0].isoformat()
            internet["note"] = f"Upgraded from {upgraded[1]} on {upgraded[0].isoformat()}"
            c["_upgrade"] = (upgraded[0], upgraded[1], started)
        if internet["dns"] is None:
            del internet["dns"]
        ips = internet["ips"]
        ips.append({"address": self.ip("private", c["_town"]), "mac": self.mac()})
        public = company or rng.random() < 0.15
        if company and rng.random() < 0.35:
            ips.append({"address": self.ip("subnet"), "mac": None, "color": "cyan"})
        elif public:
            ips.append({"address": self.ip("public"), "mac": self.mac(), "color": "yellow"})
        elif rng.random() < 0.5:
            ips.append({"address": self.ip("cgnat"), "mac": self.mac()})
        c["services"].append(internet)
        if not company and rng.random() < 0.2:
            tv = rng.choice(["TV Basic", "TV Basic", "TV Plus"])
            c["services"].append({
                "plan": tv, "price": PLANS[tv][0], "vat_rate": str(VAT), "active": ended is None,
                "started_on": (started + timedelta(days=rng.choice([0, 0, 45, 120]))).isoformat(),
                "ips": [{"address": self.ip("private", c["_town"]), "mac": self.mac(),
                         "color": "magenta"}],
            })
            if ended:
                c["services"][-1]["ended_on"] = ended.isoformat()
        if not company and not public and rng.random() < 0.07:
            c["services"].append({
                "plan": "Public IP", "price": PLANS["Public IP"][0], "vat_rate": str(VAT),
                "active": ended is None, "started_on": started.isoformat(),
                "ips": [{"address": self.ip("public"), "mac": self.mac(), "color": "yellow"}],
            })
            if ended:
                c["services"][-1]["ended_on"] = ended.isoformat()
        for service in c["services"]:
            for ip in service["ips"]:
                if ip.get("mac") is None:
                    ip.pop("mac", None)

    def contacts(self, c: dict) -> None:
        rng = self.rng
        out = []
        if c["legal_form"] == "company":
            slug = c["email"].split("@")[1]
            positions = [("Jednatel", False), ("Účetní", True), ("Správce IT", False)]
            for k, (position, billing) in enumerate(positions[: rng.randint(1, 3)]):
                if k == 0:
                    name = c["representative"]
                    surname, first = name.split(" ", 1)
                else:
                    name, first, surname = self.person_name()
                email = ((c.get("_rep_email") if k == 0 else None)
                         or self.email_for(first, surname, slug))
                contact = {"name": name, "position": position, "email": email,
                           "mobile": _mobile(rng, self.phones), "billing_default": billing}
                if billing and rng.random() < 0.6:
                    contact["portal_access"] = True
                    contact["portal_level"] = "Invoices"
                    contact["portal_login"] = f"{c['number']}-{_ascii(surname).replace(' ', '')}"
                out.append(contact)
            if len(out) == 1:
                out[0]["billing_default"] = True
        elif rng.random() < 0.12:
            name, first, surname = self.person_name()
            position = rng.choice(["Manžel/ka", "Syn", "Dcera", "Pronajímatel"])
            out.append({"name": name, "position": position,
                        "mobile": _mobile(rng, self.phones), "billing_default": False,
                        "note": rng.choice(["Contact when the customer cannot be reached.",
                                            "Pays the invoices on behalf of the customer.",
                                            "Owner of the flat; agree any installation with him."])})
            if rng.random() < 0.5:
                out[-1]["email"] = self.email_for(first, surname)
        for contact in out:
            contact["created_at"] = c["created_at"]
        c["contacts"] = out

    def inventory(self, c: dict) -> None:
        rng = self.rng
        items = []
        for service in c["services"]:
            kind = PLANS[service["plan"]][1]
            pick = {"fiber": [0, 2, 4], "air": [3, 1], "tv": [5], "ip": []}[kind]
            for k in pick[: rng.randint(1, 2)] if pick else []:
                name, cost = DEVICES[k]
                serial = f"{_ascii(name)[:2].upper()}{rng.randint(10**8, 10**9 - 1)}"
                items.append({"name": name, "serial": serial,
                              "quantity": 1, "cost": cost})
        if items and rng.random() < 0.1:
            items.append({"name": "Cat6 patch cable 10 m", "quantity": 2, "cost": "89.00"})
        c["inventory"] = items

    # ------------------------------------------------------------------ invoicing

    def _lines_for(self, c: dict, month: date) -> list[dict]:
        lines = []
        for service in c["services"]:
            started = date.fromisoformat(service["started_on"])
            plan, price = service["plan"], service["price"]
            if "_upgrade" in service:
                up_on, old_plan = service["_upgrade"]
                up_on = date.fromisoformat(up_on)
                started = c["_upgrade"][2]
                if month <= up_on:
                    plan, price = old_plan, PLANS[old_plan][0]
            ended = service.get("ended_on")
            if started >= month or (ended and date.fromisoformat(ended) <= month):
                continue
            gross = Decimal(price)
            lines.append({"description": f"{plan} {month:%m/%Y}", "unit_price": price,
                          "total": _money(gross)})
        return lines

    def invoices(self, customers: list[dict]) -> None:
        rng = self.rng
        seq: dict[tuple[str, int], int] = {}
        for c in customers:
            c["invoices"] = []
        cancel_victims = set(rng.sample([c["number"] for c in customers
                                         if c["status"] == "Connected"], 2))
        for month in self.months:
            for c in customers:
                lines = self._lines_for(c, month)
                if not lines:
                    continue
                first = not c["invoices"] and c["_joined"] >= _add_months(self.start, -1)
                if first and c.get("campaign") != "Website":
                    lines.append({"description": "Installation fee", "unit_price": INSTALLATION_FEE,
                                  "total": INSTALLATION_FEE})
                count = 2 if c["number"] in cancel_victims and rng.random() < 0.08 \
                    and not any(i["status"] == "cancelled" for i in c["invoices"]) else 1
                for k in range(count):
                    key = (c["billing_group"], month.year)
                    seq[key] = seq.get(key, 0) + 1
                    total = sum(Decimal(line["total"]) for line in lines)
                    vat = sum(_vat_of(Decimal(line["total"])) for line in lines)
                    due_days = c.get("due_days", 14)
                    c["invoices"].append({
                        "number": f"{month.year}{seq[key]:05d}", "period": f"{month:%Y-%m}",
                        "issued_on": month.isoformat(),
                        "due_on": (month + timedelta(days=due_days)).isoformat(),
                        "total": _money(total), "vat_total": _money(vat),
                        "status": "cancelled" if k == 1 else "issued",
                        "lines": [dict(line) for line in lines],
                    })
        for c in customers:
            for service in c["services"]:
                service.pop("_upgrade", None)

    # ------------------------------------------------------------------ payments

    def payments(self, c: dict) -> None:
        """Decide when and how much the customer paid, then allocate oldest first."""
        rng = self.rng
        c["payments"] = []
        invoices = [i for i in c["invoices"] if i["status"] != "cancelled"]
        if not invoices:
            return
        state = c["status"]
        habit = rng.choices(["early", "late", "mixed", "misser", "over", "prepay", "catchup"],
                            weights=[58, 12, 10, 7, 5, 3, 5])[0]
        if c["payment_type"] == "Direct debit":
            habit = "debit"
        elif c["payment_type"] == "Cash":
            habit = "cash"
        c["_habit"] = habit
        unpaid_tail = {"Non-payer": rng.randint(3, 5), "Limited": rng.randint(1, 2)}.get(state, 0)
        if state == "Disconnected" and rng.random() < 0.3:
            unpaid_tail = rng.randint(1, 2)
        planned: list[tuple[date, Decimal, str | None]] = []
        skip_next = False
        for k, inv in enumerate(invoices):
            due = date.fromisoformat(inv["due_on"])
            issued = date.fromisoformat(inv["issued_on"])
            amount = Decimal(inv["total"])
            if k >= len(invoices) - unpaid_tail:
                if rng.random() < 0.25:  # a partial payment that did not cover it
                    planned.append((due + timedelta(days=rng.randint(3, 30)),
                                    (amount / 2).quantize(CENT), None))
                continue
            if habit == "early":
                day = due - timedelta(days=rng.randint(1, 5))
            elif habit == "late":
                day = due + timedelta(days=rng.randint(1, 40))
            elif habit == "mixed":
                day = due + timedelta(days=rng.randint(-6, 12))
            elif habit == "debit":
                day = due
            elif habit == "cash":
                day = issued + timedelta(days=rng.randint(2, 20))
            elif habit == "misser":
                if rng.random() < 0.15:
                    continue
                day = due + timedelta(days=rng.randint(-4, 20))
            elif habit == "catchup":
                if skip_next:
                    skip_next = False
                    continue
                if rng.random() < 0.12 and k + 1 < len(invoices) - unpaid_tail:
                    # Forgot this month, pays both with the next one.
                    skip_next = True
                    nxt = invoices[k + 1]
                    day = date.fromisoformat(nxt["due_on"]) - timedelta(days=rng.randint(0, 3))
                    amount += Decimal(nxt["total"])
                else:
                    day = due - timedelta(days=rng.randint(0, 4))
            elif habit == "over":
                day = due - timedelta(days=rng.randint(1, 6))
                amount = (amount / 100).to_integral_value(rounding="ROUND_CEILING") * 100
                if amount == Decimal(inv["total"]):
                    amount += 100
            else:  # prepay: a lump every January covering the year ahead, monthly otherwise
                if issued.month == 1:
                    months_left = 12
                    day = due - timedelta(days=rng.randint(3, 10))
                    amount = amount * months_left
                elif any(p[2] == "prepay" and p[0].year == issued.year for p in planned):
                    continue
                else:
                    day = due - timedelta(days=rng.randint(1, 5))
                planned.append((day, amount.quantize(CENT), "prepay" if issued.month == 1 else None))
                continue
            planned.append((day, amount.quantize(CENT), None))
        vs_choices = [str(c["number"])] + ([c["vs_alt1"]] * 2 if c.get("vs_alt1") else [])
        for day, amount, _tag in sorted(planned, key=lambda p: p[0]):
            if day >= ANCHOR:
                continue
            c["payments"].append(self._payment(c, day, amount, rng.choice(vs_choices)))
        self._allocate(c)

    def _payment(self, c: dict, day: date, amount: Decimal, vs: str) -> dict:
        rng = self.rng
        ptype = c["payment_type"]
        if ptype == "Cash":
            self.cash_seq += 1
            return {"received_on": day.isoformat(), "amount": _money(amount), "vs": vs,
                    "source": "manual", "counterparty": c["name"],
                    "message": f"Receipt {day.year}/{self.cash_seq:04d}",
                    "created_at": _when(rng, day), "created_by": rng.choice(["jana", "support1"])}
        self.bank_seq += 1
        payer = _ascii(c["billing_name"] if c.get("billing_name") else c["name"]).upper()
        payment = {"received_on": day.isoformat(), "amount": _money(amount), "vs": vs,
                   "source": "bank", "bank_ref": f"STMT-{day:%Y%m%d}-{self.bank_seq:06d}",
                   "counterparty": payer[:60]}
        message = rng.choice(["internet", "platba internet", "", f"VS {vs}", "faktura"])
        if message:
            payment["message"] = message
        if ptype == "Card" and rng.random() < 0.5:
            payment["payment_type"] = "Bank transfer"
        return payment

    def _allocate(self, c: dict) -> None:
        """Oldest open invoice first; credit left on a payment goes to later invoices as issued."""
        invoices = sorted((i for i in c["invoices"] if i["status"] != "cancelled"),
                          key=lambda i: (i["issued_on"], i["number"]))
        open_left = {i["number"]: Decimal(i["total"]) for i in invoices}
        credits: list[list] = []  # [payment, remaining]
        events = [(i["issued_on"], 0, i) for i in invoices] + \
                 [(p["received_on"], 1, p) for p in c["payments"]]
        events.sort(key=lambda e: (e[0], e[1]))
        issued: list[dict] = []
        for _day, kind, obj in events:
            if kind == 0:
                issued.append(obj)
            else:
                obj["allocations"] = []
                credits.append([obj, Decimal(obj["amount"])])
            for entry in credits:
                payment, remaining = entry
                for inv in issued:
                    if remaining <= 0:
                        break
                    left = open_left[inv["number"]]
                    if left <= 0:
                        continue
                    part = min(left, remaining)
                    payment["allocations"].append({"invoice": inv["number"], "amount": _money(part)})
                    open_left[inv["number"]] = left - part
                    remaining -= part
                    if open_left[inv["number"]] == 0:
                        inv["status"] = "paid"
                        inv["paid_on"] = max(payment["received_on"], inv["issued_on"])
                entry[1] = remaining

    def unmatched_payments(self) -> list[dict]:
        rng = self.rng
        out = []
        for payer, vs, message, amount in UNMATCHED:
            day = _rand_day(rng, date(2026, 7, 1), date(2026, 10, 31))
            self.bank_seq += 1
            out.append({"received_on": day.isoformat(), "amount": amount, "vs": vs,
                        "payment_type": "Bank transfer", "source": "bank",
                        "bank_ref": f"STMT-{day:%Y%m%d}-{self.bank_seq:06d}",
                        "counterparty": payer, "message": message})
            for key in [k for k, v in out[-1].items() if v is None]:
                del out[-1][key]
        return out

    # ------------------------------------------------------------------ notes, tasks, log

    def _rand_time(self, c: dict, after: date | None = None) -> tuple[date, str]:
        start = max(after or c["_joined"], self.start if c["_joined"] < self.start else c["_joined"])
        end = c.get("_ended") or ANCHOR
        if start >= end:
            start = c["_joined"]
        day = _rand_day(self.rng, start, end)
        return day, _when(self.rng, day)

    def notes(self, c: dict) -> None:
        rng = self.rng
        notes: list[dict] = []
        c["notes"] = notes

        def add(text: str, *, author: str | None = None, private: bool = False,
                alert: bool = False, when: tuple[date, str] | None = None) -> None:
            day, at = when or self._rand_time(c)
            author = author or rng.choice(["jana", "support1", "support1", "petr", "tech1"])
            notes.append({"author": author,
                          "text": text, "private": private, "alert": alert,
                          "created_at": at, "updated_at": at})

        ordinary = [
            "Customer called about slow Wi-Fi in the evenings; advised to move the router "
            "away from the TV.",
            "Router replaced (MikroTik hAP ax2), the old one was returned.",
            "Asked about an upgrade to Fiber 500; sent the price list by e-mail.",
            "Prefers contact by SMS, works shifts.",
            "Antenna realigned after the storm, signal now -58 dBm.",
            "Zákazník volal kvůli výpadku, restart ONT pomohl.",
            "Technician visit: connector on the ONT replaced, speed test 940/920 Mbit/s.",
            "Asked for invoices by post instead of e-mail.",
            "Moving in spring — wants to keep the service at the new address.",
            "Password for the portal reset on request, sent by SMS.",
            "Wants a static public IP for a camera system; offered the Public IP add-on.",
            "Complained about the outage on Saturday; explained the fibre cut on Temenická.",
            "Domluvena instalace na sobotu dopoledne, klíče u sousedky.",
        ]
        private = [
            "Very hard to reach; do not promise callbacks before 6 pm.",
            "Promised one month free after the June outage — not credited yet.",
            "Suspect the connection is shared with the neighbours (2 households).",
            "Threatened to leave for the competition; offered 10 % discount, check with Petr.",
            "Relative of the mayor — handle with care.",
        ]
        roll = rng.random()
        count = 0 if roll < 0.35 else 1 if roll < 0.65 else rng.randint(2, 5)
        if c["status"] == "Potential":
            count = min(count, 1)
        for _ in range(count):
            add(rng.choice(ordinary))
        if c.get("flat") and rng.random() < 0.15:
            add(f"Key to the basement technical room is with the caretaker, flat {rng.randint(1, 20)}.")
        if c["status"] in ("Non-payer", "Limited") and c["invoices"]:
            open_inv = [i for i in c["invoices"] if i["status"] == "issued"]
            if open_inv:
                inv = open_inv[0]
                due = date.fromisoformat(inv["due_on"])
                day = min(due + timedelta(days=rng.randint(10, 25)), ANCHOR - timedelta(days=1))
                add(f"Reminder sent for invoice {inv['number']}; customer promised to pay by "
                    f"{(day + timedelta(days=10)):%d.%m.%Y}.", author="jana",
                    when=(day, _when(rng, day)))
        if rng.random() < 0.05:
            add(rng.choice(private), author=rng.choice(["jana", "petr", "support1", "tech1"]),
                private=True)
        # Alerts are shown when the card opens.
        if rng.random() < 0.035 and c["status"] != "Potential":
            add("Dog on the premises — call before visit", alert=True,
                author=rng.choice(["tech1", "petr"]))
        if rng.random() < 0.02 and c.get("mobile"):
            add("Hard of hearing — send SMS instead of calling", alert=True)
        if c.get("disconnect_on"):
            day = date(2026, 10, rng.randint(5, 28))
            add("Moving away — the contract ends on 30.11.2026; collect the router after that.",
                author="support1", when=(day, _when(rng, day)))
        if c["name"].startswith(("Obec ", "Městys ")):
            add("Do not suspend — municipal office, contact the mayor first", alert=True, author="jana")
        if c.get("floor") and c["floor"] >= 6 and rng.random() < 0.3:
            add("Outdoor unit on the roof — ladder needed, two technicians", alert=True, author="petr")

    def notes_extra(self, customers: list[dict]) -> None:
        """Placed notes that tests and demos rely on (disputes, private notes, deletions)."""
        rng = self.rng
        candidates = [c for c in customers
                      if len([i for i in c["invoices"] if i["status"] != "cancelled"]) > 3]
        for c in rng.sample(candidates, 3):
            inv = rng.choice([i for i in c["invoices"] if i["status"] != "cancelled"][:-1])
            day = date.fromisoformat(inv["issued_on"]) + timedelta(days=rng.randint(3, 12))
            at = _when(rng, day)
            c["notes"].append({"author": "jana", "text": f"Customer disputes invoice {inv['number']}",
                               "private": False, "alert": True, "created_at": at, "updated_at": at})
        authors = ["jana", "petr", "tech1", "support1", "jana", "petr"]
        private = [
            "Very hard to reach; do not promise callbacks before 6 pm.",
            "Promised one month free after the June outage — not credited yet.",
            "Suspect the connection is shared with the neighbours (2 households).",
            "Threatened to leave for the competition; offered 10 % discount.",
            "Check the payment history before offering any discount again.",
            "Asked me personally for a faster installation date — keep an eye on it.",
        ]
        live = [c for c in customers if c["status"] != "Potential" and not c.get("_deleted")]
        for author, text in zip(authors, private):
            c = rng.choice(live)
            day, at = self._rand_time(c)
            c["notes"].append({"author": author, "text": text, "private": True, "alert": False,
                               "created_at": at, "updated_at": at})
        with_notes = [c for c in customers if c["notes"]]
        for c in rng.sample(with_notes, 6):
            note = rng.choice(c["notes"])
            if note.get("deleted_at") or note["alert"]:
                continue
            created = datetime.fromisoformat(note["created_at"])
            deleted = created + timedelta(days=rng.randint(1, 90), hours=rng.randint(0, 5))
            if deleted.date() >= ANCHOR:
                continue
            note["deleted_at"] = deleted.isoformat()
            note["deleted_by"] = note["author"]
            note["updated_at"] = deleted.isoformat()
            note["updated_by"] = note["author"]
        for c in customers:
            c["notes"].sort(key=lambda n: n["created_at"])

    def tasks(self, c: dict) -> None:
        rng = self.rng
        tasks: list[dict] = []
        c["tasks"] = tasks
        address = f"{c['street']}, {c['city']}"
        joined = c["_joined"]
        if c["status"] == "Potential":
            status = rng.choice(["new", "new", "in_progress", "waiting"])
            at = c["created_at"]
            due = ANCHOR + timedelta(days=rng.randint(3, 25))
            tasks.append({"type": "Installation", "title": f"Installation — {address}",
                          "description": "New customer from the website form; "
                                         "survey the building first.",
                          "status": status, "priority": "normal", "due_on": due.isoformat(),
                          "created_at": at, "created_by": c["created_by"], "updated_at": at,
                          "updated_by": c["created_by"], "closed_at": None,
                          "assignees": [] if status == "new" else [rng.choice(["tech1", "petr"])]})
            return
        if joined >= self.start - timedelta(days=10):
            plan = c["services"][0]["plan"] if c["services"] else "Fiber 250"
            done = joined + timedelta(days=rng.randint(3, 14))
            tasks.append({"type": "Installation", "title": f"Installation {plan} — {address}",
                          "description": None, "status": "done", "priority": "normal",
                          "due_on": done.isoformat(), "created_at": c["created_at"],
                          "created_by": c["created_by"], "updated_at": _when(rng, done),
                          "updated_by": "tech1", "closed_at": _when(rng, done),
                          "assignees": rng.choice([["tech1"], ["petr"], ["tech1", "petr"]])})
        faults = [
            ("No connection since this morning", "high"), ("Slow speed in the evenings", "normal"),
            ("Packet loss on the radio link", "normal"), ("ONT shows a red LOS light", "urgent"),
            ("TV picture freezes", "low"), ("Wi-Fi does not reach the upper floor", "low"),
        ]
        for _ in range(1 if rng.random() < 0.22 else 0):
            title, priority = rng.choice(faults)
            day, at = self._rand_time(c)
            status = rng.choices(["done", "cancelled", "in_progress", "waiting", "new"],
                                 weights=[70, 5, 10, 8, 7])[0]
            if day < ANCHOR - timedelta(days=45):
                status = "done" if status not in ("cancelled",) else status
            closed = day + timedelta(days=rng.randint(0, 4))
            finished = status in ("done", "cancelled") and closed < ANCHOR
            closed_at = _when(rng, closed) if finished else None
            if closed_at is None and status in ("done", "cancelled"):
                status = "in_progress"
            tasks.append({"type": "Fault repair", "title": title,
                          "description": ("Reported by phone." if rng.random() < 0.6
                                          else "Reported in the portal."),
                          "status": status, "priority": priority,
                          "due_on": (day + timedelta(days=2)).isoformat(), "created_at": at,
                          "created_by": rng.choice(["support1", "jana"]),
                          "updated_at": closed_at or at,
                          "updated_by": "tech1" if closed_at else "support1",
                          "closed_at": closed_at,
                          "assignees": [] if status == "new" else [rng.choice(["tech1", "petr"])]})
        if rng.random() < 0.02:
            day, at = self._rand_time(c)
            tasks.append({"type": "Relocation", "title": f"Move the service from {address}",
                          "description": "New address to be confirmed by the customer.",
                          "status": "waiting", "priority": "normal", "due_on": None,
                          "created_at": at, "created_by": "support1", "updated_at": at,
                          "updated_by": "support1", "closed_at": None, "assignees": ["petr"]})
        for task in tasks:
            if task["due_on"] is None:
                del task["due_on"]

    def network_tasks(self) -> list[dict]:
        out = []
        for title, day, status in [
            ("Replace UPS batteries at the Šumperk POP", date(2026, 3, 12), "done"),
            ("Firmware upgrade of the Bludov sector antennas", date(2026, 10, 20), "in_progress"),
            ("New fibre route Temenická – Jesenická", date(2026, 11, 20), "new"),
        ]:
            at = _ts(day - timedelta(days=10), 8, 0)
            out.append({"customer": None, "type": "Network maintenance", "title": title,
                        "description": None, "status": status, "priority": "normal",
                        "due_on": day.isoformat(), "created_at": at, "created_by": "jana",
                        "updated_at": at, "updated_by": "jana",
                        "closed_at": _ts(day, 14, 0) if status == "done" else None,
                        "assignees": ["petr", "tech1"]})
        return out

    def communications(self, c: dict) -> None:
        rng = self.rng
        log: list[dict] = []
        c["communications"] = log
        if c["_joined"] >= self.start and c.get("email"):
            day = c["_joined"]
            log.append({"channel": "email", "direction": "out", "at": _when(rng, day),
                        "operator": c["created_by"], "subject": "Welcome to Sítě Šumperk",
                        "body": "Thank you for choosing us. Your customer number is "
                                f"{c['number']}; use it as the variable symbol for payments.",
                        "status": "delivered"})
        late = [i for i in c["invoices"] if i["status"] == "issued"
                or i.get("paid_on", "") > i["due_on"]]
        for inv in late[-3:]:
            due = date.fromisoformat(inv["due_on"])
            day = due + timedelta(days=7)
            if day >= ANCHOR or inv.get("paid_on", "9999") <= day.isoformat():
                continue
            if c.get("mobile"):
                log.append({"channel": "sms", "direction": "out", "at": _ts(day, 7, 0),
                            "operator": "system", "subject": None,
                            "body": f"Upominka: faktura {inv['number']} je po splatnosti, "
                                    f"castka {inv['total']} Kc. Site Sumperk",
                            "status": "delivered"})
            elif c.get("email"):
                failed = rng.random() < 0.1
                log.append({"channel": "email", "direction": "out", "at": _ts(day, 7, 0),
                            "operator": "system",
                            "subject": f"Payment reminder — invoice {inv['number']}",
                            "body": f"Invoice {inv['number']} of {inv['total']} CZK "
                                    f"was due on {due:%d.%m.%Y}.",
                            "status": "failed" if failed else "sent",
                            "ref": "550 5.1.1 mailbox unavailable" if failed else None})
        for task in c.get("tasks", []):
            if task["type"] == "Fault repair":
                log.append({"channel": "call", "direction": "in", "at": task["created_at"],
                            "operator": task["created_by"], "subject": task["title"],
                            "body": "Customer reported the fault; ticket created.",
                            "status": "answered"})
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
            day, at = self._rand_time(c)
            channel = rng.choice(["call", "call", "email", "portal"])
            subject = rng.choice(["Question about the invoice", "Upgrade enquiry",
                                  "Change of contact details", "Planned maintenance"])
            log.append({"channel": channel, "direction": "in" if channel != "email" else "out",
                        "at": at, "operator": rng.choice(["support1", "jana"]),
                        "subject": subject, "body": None,
                        "status": {"call": "answered", "portal": "received"}.get(channel, "sent")})
        for entry in log:
            for key in [k for k, v in entry.items() if v is None]:
                del entry[key]
        log.sort(key=lambda e: e["at"])

    def portal_logins(self, c: dict) -> None:
        rng = self.rng
        c["portal_logins"] = []
        if c["status"] == "Potential" or rng.random() < 0.6:
            return
        for _ in range(rng.randint(1, 5)):
            day, at = self._rand_time(c)
            ok = rng.random() < 0.9
            address = f"89.{rng.randint(100, 190)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            c["portal_logins"].append({"at": at, "address": address,
                                       "success": ok})
        c["portal_logins"].sort(key=lambda p: p["at"])
        good = [p for p in c["portal_logins"] if p["success"]]
        if good:
            c["portal_last_login"] = good[-1]["at"]
            c["portal_force_change"] = False

    # ------------------------------------------------------------------ history

    def history(self, c: dict) -> None:
        """Audit rows consistent with the record as it is now: the latest change of a field
        ends in its current value."""
        rng = self.rng
        rows: list[dict] = []
        c["history"] = rows
        rows.append({"at": c["created_at"], "operator": c["created_by"], "entity": "customer",
                     "action": "create", "summary": f"customer {c['number']} added"})
        window_start = max(self.start, c["_joined"] + timedelta(days=1))
        end = c.get("_ended") or ANCHOR

        def change(field: str, old: Any, new: Any, day: date, operator: str | None = None,
                   entity: str = "customer", ref: int | None = None) -> None:
            row = {"at": _when(rng, day), "operator": operator or rng.choice(["jana", "support1"]),
                   "entity": entity, "action": "update", "field": field,
                   "old": None if old is None else str(old), "new": None if new is None else str(new)}
            if ref is not None:
                row["ref"] = ref
            rows.append(row)

        # Status moves that match the unpaid invoices.
        open_inv = [i for i in c["invoices"] if i["status"] == "issued"]
        if c["status"] in ("Limited", "Non-payer") and open_inv:
            first_due = date.fromisoformat(open_inv[0]["due_on"])
            limited_on = min(first_due + timedelta(days=14), ANCHOR - timedelta(days=20))
            change("status", "Connected", "Limited", limited_on, "system")
            if c["status"] == "Non-payer":
                change("status", "Limited", "Non-payer",
                       min(limited_on + timedelta(days=30), ANCHOR - timedelta(days=2)), "jana")
        elif c["status"] == "Limited":
            change("status", "Connected", "Limited", _rand_day(rng, window_start, end), "jana")
        if c["status"] == "Disconnected" and "_ended" in c:
            change("status", "Connected", "Disconnected", c["_ended"], "jana")
            for k in range(len(c["services"])):
                change("active", True, False, c["_ended"], "jana", "service", k)
                rows[-1]["old"], rows[-1]["new"] = "yes", "no"
            if c.get("former"):
                moved = min(c["_ended"] + timedelta(days=30), ANCHOR - timedelta(days=1))
                change("former", "no", "yes", moved, "jana")
        if "_upgrade" in c:
            up_on, old_plan, _started = c["_upgrade"]
            change("plan", old_plan, c["services"][0]["plan"], up_on, "petr", "service", 0)
            change("price", PLANS[old_plan][0], c["services"][0]["price"], up_on, "petr", "service", 0)
        if window_start < end:
            fields = ["email", "mobile", "street", "marks", "floor", "billing_email", "groups"]
            for field in rng.sample(fields, rng.choice([0, 0, 1, 1, 2, 3])):
                day = _rand_day(rng, window_start, end)
                if field == "email" and c.get("email") and c["legal_form"] == "person":
                    first = c["name"].split(" ", 1)[-1]
                    old = self.email_for(first, c["name"].split(" ")[0])
                    self.emails.discard(old)
                    change("email", old, c["email"], day)
                elif field == "mobile" and c.get("mobile"):
                    change("mobile", _mobile(rng, set()), c["mobile"], day)
                elif field == "street":
                    old_street, _ = self.address(TOWNS[c["_town"]])
                    change("street", old_street, c["street"], day)
                elif field == "marks" and c["marks"]:
                    change("marks", None, ", ".join(sorted(c["marks"])), day)
                elif field == "floor" and c.get("floor") is not None:
                    change("floor", None, c["floor"], day)
                elif field == "billing_email" and c.get("billing_email"):
                    change("billing_email", None, c["billing_email"], day)
                elif field == "groups" and c["groups"] == ["Residential"] and rng.random() < 0.3:
                    change("groups", "Employees", "Residential", day)
        if c.get("vs_alt1"):
            day = _rand_day(rng, window_start, end) if window_start < end else c["_joined"]
            change("vs_alt1", None, c["vs_alt1"], day, "jana")
        for k, note in enumerate(c["notes"]):
            row = {"at": note["created_at"], "operator": note["author"], "entity": "note",
                   "action": "create", "new": note["text"], "summary": "note added", "ref": k}
            rows.append(row)
            if note.get("deleted_at"):
                rows.append({"at": note["deleted_at"], "operator": note["deleted_by"], "entity": "note",
                             "action": "delete", "field": "deleted_at", "old": None,
                             "new": note["deleted_at"], "ref": k})
        for k, task in enumerate(c["tasks"]):
            rows.append({"at": task["created_at"], "operator": task["created_by"], "entity": "task",
                         "action": "create", "summary": f"task {task['title']} added", "ref": k})
            if task.get("closed_at"):
                rows.append({"at": task["closed_at"], "operator": task["updated_by"], "entity": "task",
                             "action": "update", "field": "status", "old": "in_progress",
                             "new": task["status"], "ref": k})
        for k, payment in enumerate(c["payments"]):
            if payment["vs"] != str(c["number"]) and payment["vs"] != c.get("vs_alt1"):
                continue
            if payment["source"] == "bank" and rng.random() < 0.02:
                matched = date.fromisoformat(payment["received_on"]) + timedelta(days=1)
                rows.append({"at": _when(rng, matched),
                             "operator": "jana", "entity": "payment", "action": "update",
                             "field": "customer", "old": None, "new": str(c["number"]),
                             "summary": "payment matched by hand", "ref": k})
        if c.get("_deleted"):
            day = min((c.get("_ended") or ANCHOR) + timedelta(days=60), ANCHOR - timedelta(days=1))
            at = _when(rng, day)
            c["deleted_at"] = at
            rows.append({"at": at, "operator": "jana", "entity": "customer", "action": "delete",
                         "field": "deleted_at", "old": None, "new": at})
        rows.sort(key=lambda r: r["at"])
        updates = [r for r in rows if r["entity"] == "customer" and r["action"] != "create"]
        c["version"] = 1 + len(updates)
        last = updates[-1] if updates else rows[0]
        c["updated_at"], c["updated_by"] = last["at"], last["operator"]


_CUSTOMER_ORDER = [
    "number", "legal_form", "name", "representative", "street", "city", "zip", "country", "floor",
    "flat", "mail_street", "mail_city", "mail_zip", "mail_country", "gps_lat", "gps_lon", "email",
    "billing_email", "tech_email", "business_email", "other_emails", "phone", "mobile", "www",
    "status", "groups", "marks", "managers", "campaign", "parent", "portal_login",
    "portal_force_change", "portal_last_login", "catv_socket", "disconnect_on", "former",
    "deleted_at", "billing_group", "billing_name", "billing_street", "billing_city", "billing_zip",
    "billing_country", "ico", "dic", "bank_account", "iban", "bic", "contract_returned_on",
    "vs_alt1", "vs_alt2", "vs_alt3", "payment_type", "due_days", "suspend_after_days",
    "never_suspend", "invoice_by_post", "invoice_by_email", "created_at", "created_by",
    "updated_at", "updated_by", "version", "contacts", "services", "inventory", "portal_logins",
    "invoices", "payments", "notes", "tasks", "communications", "history",
]


def _ordered(c: dict) -> dict:
    """The customer's keys in a fixed, readable order; working keys (``_x``) dropped."""
    out = {k: c[k] for k in _CUSTOMER_ORDER if k in c}
    extra = [k for k in c if k not in out and not k.startswith("_")]
    if extra:
        raise AssertionError(f"unordered customer keys {extra}")
    return out


def build_demo(seed: int = 7) -> dict:
    """The demo data set as plain JSON-able data; the same seed gives the same data."""
    demo = _Demo(seed)
    data = demo.build()
    return data


def dumps(data: dict) -> str:
    """JSON text of a data set: one flat record per line, so diffs stay readable."""

    def flat(value: Any) -> bool:
        # A record (invoice, payment, note) is one line; a customer or a long list is not.
        if isinstance(value, dict):
            return len(one(value)) <= 600 and all(flat(v) for v in value.values())
        if isinstance(value, list):
            scalars = all(not isinstance(v, (dict, list)) for v in value)
            return scalars or (len(value) <= 3 and len(one(value)) <= 400)
        return True

    def one(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def fmt(value: Any, indent: int) -> str:
        pad = " " * (indent + 1)
        if isinstance(value, dict) and not flat(value):
            items = [f"{pad}{one(k)}:{fmt(v, indent + 1)}" for k, v in value.items()]
            return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
        if isinstance(value, list) and value and not flat(value):
            items = [pad + fmt(v, indent + 1) for v in value]
            return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
        return one(value)

    return fmt(data, 0) + "\n"


# =========================================================================== loading


def load_file(ctx: Ctx, path: Path) -> str:
    """Load a data set file (the bundled demo or another in the same format)."""
    ctx.require(CUSTOMER_CREATE)
    ctx.require(PAYMENT_WRITE)
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"data set file {path} does not exist") from None
    except OSError as exc:
        raise ValidationError("file", f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValidationError("file", f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ValidationError(
            "file", f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    try:
        return load(ctx, data)
    except ValidationError as exc:
        if exc.field == "data":
            raise ValidationError("file", f"{path}: {exc.why}") from None
        raise


def load(ctx: Ctx, data: dict) -> str:
    """Insert a data set into an empty database in one transaction; returns a summary line."""
    from sqlalchemy import func, select
    from sqlalchemy.exc import DataError, IntegrityError

    from ispterm.customers.model import Customer

    ctx.require(CUSTOMER_CREATE)
    ctx.require(PAYMENT_WRITE)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError("data", f'not an ispterm data set (expected "format": "{FORMAT}")')
    with ctx.write() as s:
        conn = s.connection()
        existing = conn.execute(select(func.count()).select_from(Customer.__table__)).scalar_one()
        if existing:
            raise ValidationError(
                "database", f"already has {existing:,} customers; sample load needs an empty database"
            )
        loader = _Loader(ctx, conn, data)
        try:
            loader.run()
        except (IntegrityError, DataError) as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
            raise ValidationError("data", f"the database refused the data ({reason})") from None
    return loader.summary()


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing key {exc.args[0]!r}"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text


# Customer keys that are not columns: resolved by name, or lists of related records.
_CUSTOMER_LINKS = {
    "status", "groups", "marks", "managers", "campaign", "payment_type", "billing_group", "parent",
    "contacts", "services", "inventory", "portal_logins", "invoices", "payments", "notes", "tasks",
    "communications", "history",
}

# Customer fields checked and normalised by the same validators the forms use.
_VALIDATED = {
    "email": "email", "billing_email": "email", "tech_email": "email", "business_email": "email",
    "other_emails": "emails", "phone": "phone", "mobile": "phone", "www": "url", "ico": "ico",
    "dic": "dic", "iban": "iban", "bic": "bic", "bank_account": "bank_account", "vs_alt1": "vs",
    "vs_alt2": "vs", "vs_alt3": "vs", "zip": "zip", "mail_zip": "zip", "billing_zip": "zip",
}


class _Ids:
    """Primary keys assigned here, so related rows can be bulk inserted without RETURNING.

    SQLite: the caller holds the write lock (BEGIN IMMEDIATE), so max(id)+1 onwards is free.
    PostgreSQL: ids are drawn from the table's sequence, so concurrent inserts stay safe.
    """

    def __init__(self, conn) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self.next: dict[str, int] = {}
        self.sequences: dict[str, str] = {}

    def take(self, table, n: int) -> list[int]:
        from sqlalchemy import func, select, text

        if n <= 0:
            return []
        name = table.name
        if self.pg:
            if name not in self.sequences:
                self.sequences[name] = self.conn.execute(
                    text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name}).scalar_one()
            return list(self.conn.execute(
                text("SELECT array_agg(nextval(CAST(:seq AS regclass))) FROM generate_series(1, :n)"),
                {"seq": self.sequences[name], "n": n}).scalar_one())
        if name not in self.next:
            self.next[name] = (self.conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
        start = self.next[name]
        self.next[name] = start + n
        return list(range(start, start + n))


def _insert(conn, table, rows: list[dict], batch: int = 20_000) -> None:
    from sqlalchemy import insert

    stmt = insert(table)
    for start in range(0, len(rows), batch):
        conn.execute(stmt, rows[start : start + batch])


class _Loader:
    def __init__(self, ctx: Ctx, conn, data: dict) -> None:
        from ispterm.store import models as m

        self.ctx = ctx
        self.conn = conn
        self.data = data
        self.m = m
        self.now = ctx.now()
        self.where = "data set"
        self.ids = _Ids(conn)
        self.rows: dict[str, list[dict]] = {}
        self.code_ids: dict[tuple[str, str], int] = {}
        self.group_ids: dict[str, int] = {}
        self.operator_ids: dict[str, int] = {}
        self.counts: dict[str, int] = {}

    # ------------------------------------------------------------------ plumbing

    def alloc(self, table: str, n: int) -> list[int]:
        """The next n ids reserved for ``table`` in :meth:`_run`."""
        pool = self.pool[table]
        return [next(pool) for _ in range(n)]

    def fail(self, why: str) -> None:
        raise ValidationError("data", f"{self.where}: {why}")

    def add(self, table, row: dict) -> None:
        self.rows.setdefault(table.name, []).append(row)

    def run(self) -> None:
        try:
            self._run()
        except ValidationError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, InvalidOperation) as exc:
            raise ValidationError("data", f"{self.where}: {_why(exc)}") from None

    def summary(self) -> str:
        c = self.counts
        return (f"loaded {c.get('customer', 0):,} customers, {c.get('invoice', 0):,} invoices, "
                f"{c.get('payment', 0):,} payments, {c.get('note', 0):,} notes")

    def value(self, col, raw: Any) -> Any:
        """One JSON value converted for ``col``; a bad value names its place in the file."""
        import sqlalchemy as sa

        from ispterm.store.types import Money, UTCDateTime

        t = col.type
        name = col.name
        if isinstance(t, Money):
            if isinstance(raw, bool) or not isinstance(raw, (str, int)):
                self.fail(f'{name}: an amount is written as a string like "499.00", got {raw!r}')
            try:
                amount = Decimal(str(raw))
            except InvalidOperation:
                self.fail(f"{name}: not an amount: {raw!r}")
            if not amount.is_finite() or amount != amount.quantize(CENT):
                self.fail(f"{name}: not an amount with at most 2 decimals: {raw!r}")
            return amount
        if isinstance(t, UTCDateTime):
            if not isinstance(raw, str):
                self.fail(f"{name}: expected an ISO time like 2026-01-31T08:00:00+00:00, got {raw!r}")
            try:
                when = datetime.fromisoformat(raw)
            except ValueError:
                self.fail(f"{name}: not an ISO time: {raw!r}")
            if when.tzinfo is None:
                self.fail(f"{name}: the time {raw!r} needs a UTC offset such as +00:00")
            return when
        if isinstance(t, sa.Date):
            if not isinstance(raw, str):
                self.fail(f"{name}: expected an ISO date like 2026-01-31, got {raw!r}")
            try:
                return date.fromisoformat(raw)
            except ValueError:
                self.fail(f"{name}: not an ISO date: {raw!r}")
        if isinstance(t, sa.Boolean):
            if not isinstance(raw, bool):
                self.fail(f"{name}: expected true or false, got {raw!r}")
            return raw
        if isinstance(t, sa.Integer):
            if isinstance(raw, bool) or not isinstance(raw, int):
                self.fail(f"{name}: expected a whole number, got {raw!r}")
            return raw
        if isinstance(t, sa.Float):
            if isinstance(raw, bool) or not isinstance(raw, (int, float)):
                self.fail(f"{name}: expected a number, got {raw!r}")
            return float(raw)
        if isinstance(t, sa.LargeBinary):
            self.fail(f"{name}: binary content cannot be loaded from a data set")
        if not isinstance(raw, str):
            self.fail(f"{name}: expected text, got {raw!r}")
        length = getattr(t, "length", None)
        if length and len(raw) > length:
            self.fail(f"{name}: too long ({len(raw)} characters, at most {length})")
        return raw

    def record(self, table, rec: dict, fixed: dict, *, links: Iterable[str] = (),
               with_id: bool = True) -> dict:
        """A full row for ``table`` from a JSON record: given values, then model defaults."""
        if not isinstance(rec, dict):
            self.fail(f"expected an object, got {type(rec).__name__}")
        columns = table.columns
        allowed = set(links)
        for key in rec:
            if key not in columns and key not in allowed:
                self.fail(f"unknown key {key!r} for {table.name}")
        row: dict[str, Any] = {}
        for col in columns:
            name = col.name
            if name in fixed:
                row[name] = fixed[name]
            elif name == "id" and not with_id:
                continue
            elif rec.get(name) is not None:
                row[name] = self.value(col, rec[name])
            elif col.default is not None and col.default.is_scalar:
                row[name] = col.default.arg
            elif col.default is not None and col.default.is_callable:
                row[name] = self.now
            elif not col.nullable and not col.primary_key:
                self.fail(f"{name} is required for {table.name}")
            else:
                row[name] = None
        return row

    # ------------------------------------------------------------------ reference data

    def _reference(self) -> None:
        from sqlalchemy import select

        from ispterm.store.search import fold

        m = self.m
        for cid, kind, name in self.conn.execute(
                select(m.CodeItem.id, m.CodeItem.kind, m.CodeItem.name)):
            self.code_ids[(kind, fold(name))] = cid
        for gid, name in self.conn.execute(select(m.BillingGroup.id, m.BillingGroup.name)):
            self.group_ids[fold(name)] = gid
        for oid, login in self.conn.execute(select(m.Operator.id, m.Operator.login)):
            self.operator_ids[login] = oid

    def code(self, kind: str, name: Any) -> int | None:
        """The code item of this kind and name; created (added to the list) when missing."""
        from sqlalchemy import func, insert, select

        from ispterm.store.search import fold

        if name is None:
            return None
        if not isinstance(name, str) or not name.strip():
            self.fail(f"expected a {kind.replace('_', ' ')} name, got {name!r}")
        key = (kind, fold(name))
        if key not in self.code_ids:
            m = self.m
            spec = next((c for c in self.data.get("codes", {}).get(kind, [])
                         if isinstance(c, dict) and fold(str(c.get("name", ""))) == key[1]), {})
            sort = self.conn.execute(select(func.count()).select_from(m.CodeItem.__table__)
                                     .where(m.CodeItem.kind == kind)).scalar_one()
            row = self.record(m.CodeItem.__table__, {**spec, "name": name.strip(), "kind": kind},
                              {"sort": sort, "is_default": False}, with_id=False)
            self.code_ids[key] = self.conn.execute(
                insert(m.CodeItem.__table__).returning(m.CodeItem.id), [row]).scalar_one()
        return self.code_ids[key]

    def operator(self, login: Any) -> int:
        if login not in self.operator_ids:
            self.fail(f"unknown operator {login!r}; list it under \"operators\"")
        return self.operator_ids[login]

    def _settings(self) -> None:
        """System settings (``{"key": "value as typed in settings"}``), checked as the CLI checks them."""
        from sqlalchemy import delete, insert

        from ispterm.settings import registry

        settings = self.data.get("settings", {})
        self.where = "settings"
        if not isinstance(settings, dict):
            self.fail("must be an object of setting names and values")
        table = self.m.Setting.__table__
        for key, raw in settings.items():
            self.where = f"settings.{key}"
            try:
                value = registry.parse(key, str(raw))
            except ValidationError as exc:
                self.fail(exc.why)
            except NotFound as exc:
                self.fail(str(exc))
            self.conn.execute(delete(table).where(table.c.key == key))
            self.conn.execute(insert(table), [{"key": key, "value": registry.encode(value),
                                               "updated_at": self.now, "updated_by": self.ctx.actor.login}])

    def _operators(self) -> None:
        from sqlalchemy import insert

        from ispterm.operators.roles import normalise_role
        from ispterm.operators.service import check_login

        table = self.m.Operator.__table__
        for k, rec in enumerate(self.data.get("operators", [])):
            self.where = f"operators[{k}]"
            try:
                login = check_login(str(rec.get("login") or ""))
                role = normalise_role(str(rec.get("role", "")))
            except ValidationError as exc:
                self.fail(str(exc))
            if login in self.operator_ids:
                continue  # an existing operator (such as the master admin) stays as it is
            fixed = {"login": login, "role": role,
                     "name": str(rec.get("name") or login), "password_hash": None,
                     "created_at": self.now, "updated_at": self.now,
                     "updated_by": self.ctx.actor.login}
            row = self.record(table, rec, fixed, with_id=False)
            self.operator_ids[login] = self.conn.execute(
                insert(table).returning(table.c.id), [row]).scalar_one()

    def _billing_groups(self) -> None:
        from sqlalchemy import insert, update

        from ispterm.store.search import fold

        table = self.m.BillingGroup.__table__
        placeholder = {"", PLACEHOLDER_COMPANY}
        for k, rec in enumerate(self.data.get("billing_groups", [])):
            self.where = f"billing_groups[{k}]"
            key = fold(rec["name"])
            row = self.record(table, rec, {"is_default": False}, with_id=False)
            details = {c: v for c, v in row.items() if c not in ("name", "is_default", "active")}
            if key in self.group_ids:
                # Fill in the company only while it still has the placeholder from 'init'.
                current = self.conn.execute(
                    table.select().where(table.c.id == self.group_ids[key])).mappings().one()
                if current["company_name"] in placeholder:
                    self.conn.execute(update(table).where(table.c.id == self.group_ids[key]), details)
                continue
            self.group_ids[key] = self.conn.execute(
                insert(table).returning(table.c.id), [row]).scalar_one()

    def group(self, name: Any) -> int:
        from ispterm.store.search import fold

        if name is None:
            default = self.data.get("billing_groups", [{}])
            name = next((g["name"] for g in default if g.get("is_default")), "Main")
        key = fold(str(name))
        if key not in self.group_ids:
            self.fail(f"unknown billing group {name!r}")
        return self.group_ids[key]

    # ------------------------------------------------------------------ the run

    def _run(self) -> None:
        from sqlalchemy import insert

        from ispterm.store.search import rebuild_all

        m = self.m
        self._reference()
        self._operators()
        self._settings()
        self._billing_groups()
        customers = self.data.get("customers")
        if not isinstance(customers, list) or not customers:
            self.where = "customers"
            self.fail("the data set has no customers")
        numbers = [c.get("number") if isinstance(c, dict) else None for c in customers]
        seen: set = set()
        for k, n in enumerate(numbers):
            self.where = f"customers[{k}]"
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                self.fail(f"number must be a positive whole number, got {n!r}")
            if n in seen:
                self.fail(f"customer number {n} appears twice")
            seen.add(n)
        ids = self.ids.take(m.Customer.__table__, len(customers))
        self.customer_ids = dict(zip(numbers, ids))
        # Ids for every related table in one go (one round trip each on PostgreSQL).
        self.where = "data set"
        wanted = {"contact": 0, "service": 0, "invoice": 0, "payment": 0, "note": 0, "task": 0}
        for rec in customers:
            for name in wanted:
                items = rec.get(name + "s", [])
                if not isinstance(items, list):
                    self.where = f"customer {rec['number']}"
                    self.fail(f"{name}s must be a list")
                wanted[name] += len(items)
        for key, name in (("unmatched_payments", "payment"), ("tasks", "task")):
            items = self.data.get(key, [])
            if not isinstance(items, list):
                self.fail(f"{key} must be a list")
            wanted[name] += len(items)
        self.pool = {name: iter(self.ids.take(m.metadata.tables[name], n))
                     for name, n in wanted.items()}
        for rec in customers:
            self.where = f"customer {rec['number']}"
            self._customer(rec, self.customer_ids[rec["number"]])
        for k, rec in enumerate(self.data.get("unmatched_payments", [])):
            self.where = f"unmatched_payments[{k}]"
            self._payment(None, rec, {})
        for k, rec in enumerate(self.data.get("tasks", [])):
            self.where = f"tasks[{k}]"
            self._task(None, rec)
        # Parents before their aliases, then everything else in foreign-key order.
        self.where = "data set"
        rows = self.rows.pop("customer")
        rows.sort(key=lambda r: r["parent_id"] is not None)
        order = ["customer_code", "customer_manager", "contact", "service", "service_ip",
                 "inventory_item", "portal_login", "invoice", "invoice_line", "payment",
                 "payment_allocation", "note", "task", "task_assignee", "communication",
                 "audit_event"]
        _insert(self.conn, m.Customer.__table__, rows)
        tables = m.metadata.tables
        for name in order:
            _insert(self.conn, tables[name], self.rows.pop(name, []))
        if self.rows:
            raise AssertionError(f"rows of {sorted(self.rows)} were not inserted")
        rebuild_all(self.conn)
        from ispterm.billing.numbering import seed_all_series

        seed_all_series(self.conn)  # new invoices continue after the loaded numbers
        self.conn.execute(insert(m.AuditEvent.__table__), [{
            "at": self.now, "operator": self.ctx.actor.login, "customer_id": None,
            "entity": "sample", "entity_id": None, "action": "load", "field": None, "old": None,
            "new": None, "summary": self.summary().replace("loaded", "sample data loaded:", 1),
            "private_to": None}])

    def _customer(self, rec: dict, cid: int) -> None:
        from ispterm import validation as v

        m = self.m
        table = m.Customer.__table__
        self.counts["customer"] = self.counts.get("customer", 0) + 1
        cleaned = dict(rec)
        country = str(rec.get("country") or "CZ")
        for field, kind in _VALIDATED.items():
            raw = rec.get(field)
            if raw is None:
                continue
            if not isinstance(raw, str):
                self.fail(f"{field}: expected text, got {raw!r}")
            try:
                if kind == "zip":
                    prefix = field.removesuffix("zip")
                    cc = rec.get(f"{prefix}country") or country
                    cleaned[field] = v.zip_code(raw, field=field, country=cc)
                else:
                    cleaned[field] = getattr(v, kind)(raw, field=field)
            except ValidationError as exc:
                self.fail(str(exc))
        parent = rec.get("parent")
        if parent is not None and parent not in self.customer_ids:
            self.fail(f"parent customer {parent!r} is not in the data set")
        fixed = {
            "id": cid,
            "status_id": self.code("status", rec.get("status", "Connected")),
            "campaign_id": self.code("campaign", rec.get("campaign")),
            "payment_type_id": self.code("payment_type", rec.get("payment_type")),
            "billing_group_id": self.group(rec.get("billing_group")),
            "parent_id": self.customer_ids.get(parent) if parent is not None else None,
        }
        if "portal_password_hash" in rec:
            self.fail("portal_password_hash cannot be loaded from a data set")
        self.add(table, self.record(table, cleaned, fixed, links=_CUSTOMER_LINKS))
        seen_codes: set[int] = set()
        for kind, key in (("group", "groups"), ("mark", "marks")):
            for name in rec.get(key, []):
                code_id = self.code(kind, name)
                if code_id not in seen_codes:
                    seen_codes.add(code_id)
                    self.add(m.CustomerCode.__table__, {"customer_id": cid, "code_id": code_id})
        for login in dict.fromkeys(rec.get("managers", [])):
            self.add(m.CustomerManager.__table__,
                     {"customer_id": cid, "operator_id": self.operator(login)})
        refs: dict[str, list[int | None]] = {}
        refs["contact"] = self._contacts(cid, rec.get("contacts", []))
        refs["service"] = self._services(cid, rec.get("services", []))
        for item in rec.get("inventory", []):
            self.add(m.InventoryItem.__table__, self.record(m.InventoryItem.__table__, item,
                                                            {"customer_id": cid}, with_id=False))
        for item in rec.get("portal_logins", []):
            self.add(m.PortalLogin.__table__, self.record(m.PortalLogin.__table__, item,
                                                          {"customer_id": cid, "contact_id": None},
                                                          with_id=False))
        invoice_ids = self._invoices(cid, rec)
        refs["invoice"] = list(invoice_ids.values())
        refs["payment"] = [self._payment(cid, p, invoice_ids, rec) for p in rec.get("payments", [])]
        notes = rec.get("notes", [])
        refs["note"] = self._notes(cid, notes)
        refs["task"] = [self._task(cid, t) for t in rec.get("tasks", [])]
        for item in rec.get("communications", []):
            contact = item.get("contact") if isinstance(item, dict) else None
            fixed = {"customer_id": cid,
                     "contact_id": refs["contact"][contact] if contact is not None else None}
            self.add(m.Communication.__table__, self.record(m.Communication.__table__, item, fixed,
                                                            links={"contact"}, with_id=False))
        for item in rec.get("history", []):
            self._history(cid, item, refs, notes)

    def _contacts(self, cid: int, contacts: list) -> list[int]:
        from ispterm import validation as v

        table = self.m.Contact.__table__
        ids = self.alloc("contact", len(contacts))
        for contact_id, item in zip(ids, contacts):
            cleaned = dict(item)
            for field, check in (("email", v.email), ("phone", v.phone), ("mobile", v.phone)):
                if item.get(field) is not None:
                    try:
                        cleaned[field] = check(str(item[field]), field=f"contacts: {field}")
                    except ValidationError as exc:
                        self.fail(str(exc))
            fixed = {"id": contact_id, "customer_id": cid,
                     "portal_level_id": self.code("portal_level", item.get("portal_level")),
                     "portal_password_hash": None}
            self.add(table, self.record(table, cleaned, fixed, links={"portal_level"}))
        return ids

    def _services(self, cid: int, services: list) -> list[int]:
        m = self.m
        table = m.Service.__table__
        ids = self.alloc("service", len(services))
        for service_id, item in zip(ids, services):
            self.add(table, self.record(table, item, {"id": service_id, "customer_id": cid},
                                        links={"ips"}))
            for ip in item.get("ips", []):
                self.add(m.ServiceIp.__table__, self.record(m.ServiceIp.__table__, ip,
                                                            {"service_id": service_id}, with_id=False))
        return ids

    def _invoices(self, cid: int, rec: dict) -> dict[str, int]:
        m = self.m
        table, lines = m.Invoice.__table__, m.InvoiceLine.__table__
        invoices = rec.get("invoices", [])
        ids = self.alloc("invoice", len(invoices))
        out: dict[str, int] = {}
        group_id = self.group(rec.get("billing_group"))
        for invoice_id, item in zip(ids, invoices):
            number = item["number"]
            if number in out:
                self.fail(f"invoice {number} appears twice")
            out[number] = invoice_id
            issued = item["issued_on"]
            fixed = {"id": invoice_id, "customer_id": cid, "billing_group_id": group_id,
                     "vs": str(item.get("vs") or rec["number"]),
                     "created_at": self.value(table.c.created_at,
                                              item.get("created_at") or f"{issued}T00:00:00+00:00"),
                     "created_by": item.get("created_by", "system")}
            self.add(table, self.record(table, item, fixed, links={"lines"}))
            self.counts["invoice"] = self.counts.get("invoice", 0) + 1
            for line in item.get("lines", []):
                fixed_line = {"invoice_id": invoice_id}
                if "total" not in line:
                    qty = line.get("quantity", 1)
                    fixed_line["total"] = (self.value(lines.c.unit_price, line["unit_price"]) * qty)
                self.add(lines, self.record(lines, line, fixed_line, with_id=False))
        return out

    def _payment(self, cid: int | None, item: dict, invoice_ids: dict[str, int],
                 customer: dict | None = None) -> int:
        m = self.m
        table = m.Payment.__table__
        payment_id = self.alloc("payment", 1)[0]
        received = item["received_on"]
        ptype = item.get("payment_type") or (customer or {}).get("payment_type")
        fixed = {"id": payment_id, "customer_id": cid,
                 "payment_type_id": self.code("payment_type", ptype),
                 "created_at": self.value(table.c.created_at,
                                          item.get("created_at") or f"{received}T00:00:00+00:00"),
                 "created_by": item.get("created_by", "system")}
        self.add(table, self.record(table, item, fixed,
                                    links={"allocations", "payment_type", "customer"}))
        self.counts["payment"] = self.counts.get("payment", 0) + 1
        for alloc in item.get("allocations", []):
            number = alloc["invoice"]
            if number not in invoice_ids:
                self.fail(f"payment of {received} is allocated to invoice {number!r}, "
                          "which this customer does not have")
            self.add(m.PaymentAllocation.__table__, {
                "payment_id": payment_id, "invoice_id": invoice_ids[number],
                "amount": self.value(m.PaymentAllocation.__table__.c.amount, alloc["amount"])})
        return payment_id

    def _notes(self, cid: int, notes: list) -> list[int]:
        table = self.m.Note.__table__
        ids = self.alloc("note", len(notes))
        for note_id, item in zip(ids, notes):
            author = item.get("author")
            fixed = {"id": note_id, "customer_id": cid, "author_id": self.operator(author),
                     "updated_by": item.get("updated_by") or author}
            self.add(table, self.record(table, item, fixed, links={"author"}))
            self.counts["note"] = self.counts.get("note", 0) + 1
        return ids

    def _task(self, cid: int | None, item: dict) -> int:
        from ispterm.support.model import TASK_PRIORITIES, TASK_STATUSES

        m = self.m
        table = m.Task.__table__
        if item.get("status", "new") not in TASK_STATUSES:
            self.fail(f"task status must be one of {', '.join(TASK_STATUSES)}, "
                      f"got {item.get('status')!r}")
        if item.get("priority", "normal") not in TASK_PRIORITIES:
            self.fail(f"task priority must be one of {', '.join(TASK_PRIORITIES)}")
        task_id = self.alloc("task", 1)[0]
        fixed = {"id": task_id, "customer_id": cid, "type_id": self.code("task_type", item.get("type"))}
        self.add(table, self.record(table, item, fixed, links={"type", "assignees", "customer"}))
        for login in dict.fromkeys(item.get("assignees", [])):
            self.add(m.TaskAssignee.__table__,
                     {"task_id": task_id, "operator_id": self.operator(login)})
        return task_id

    def _history(self, cid: int, item: dict, refs: dict[str, list], notes: list) -> None:
        table = self.m.AuditEvent.__table__
        entity = item.get("entity", "customer")
        ref = item.get("ref")
        private_to = None
        if entity == "customer":
            entity_id = cid
        elif ref is not None:
            if entity not in refs:
                self.fail(f"history rows about {entity!r} cannot have a ref")
            entity_id = refs[entity][ref]
            if entity == "note" and notes[ref].get("private"):
                private_to = self.operator(notes[ref].get("author"))
        else:
            entity_id = None
        fixed = {"customer_id": cid, "entity_id": entity_id, "private_to": private_to}
        self.add(table, self.record(table, item, fixed, links={"ref"}, with_id=False))


# =========================================================================== scale data

_GEN_PLANS = [("Fiber 250", "499.00"), ("Fiber 500", "649.00"), ("Fiber 1000", "899.00"),
              ("Air 50", "399.00"), ("Air 100", "459.00")]
_GEN_CHUNK = 10_000


from ispterm.billing.bulk import Bulk as _Bulk  # noqa: E402  (the one bulk writer)


def generate(ctx: Ctx, customers: int, months: int = 12, seed: int = 1) -> str:
    """Add ``customers`` customers (numbers after the highest), each with one service and IP
    address, ``months`` monthly invoices ending last month and the payments for them
    (mostly early, some late, some missing), allocated oldest first; one transaction."""
    from sqlalchemy import func, insert, select, text

    from ispterm.settings.service import default_billing_group, default_code, get_value
    from ispterm.store import models as m
    from ispterm.store.search import document, name_key, write_documents

    ctx.require(CUSTOMER_CREATE)
    ctx.require(PAYMENT_WRITE)
    if isinstance(customers, bool) or not isinstance(customers, int) or customers < 1:
        raise ValidationError("customers", f"must be a whole number of at least 1, got {customers!r}")
    if isinstance(months, bool) or not isinstance(months, int) or not 0 <= months <= 600:
        raise ValidationError("months", f"must be between 0 and 600, got {months!r}")
    now = ctx.now()
    counts = {"invoice": 0, "payment": 0}
    with ctx.write() as s:
        conn = s.connection()
        if conn.dialect.name == "postgresql":
            # The lock customers.service._next_number takes: numbers stay unique.
            conn.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
        group = default_billing_group(s)
        status = default_code(s, "status")
        ptype = default_code(s, "payment_type")
        highest = conn.execute(select(func.max(m.Customer.number))).scalar() or 0
        first_number = max(int(get_value(s, "customer_number_start")), highest + 1)
        gen = _Generator(
            conn, random.Random(seed), customers=customers, now=now, months=months,
            due_days=int(get_value(s, "invoice_due_days")), group_id=group.id,
            status_id=status.id if status else None, ptype_id=ptype.id if ptype else None,
            currency=group.currency or str(get_value(s, "currency")),
            portal_from_number=bool(get_value(s, "portal_login_from_number")),
            actor=ctx.actor.login)
        for start in range(0, customers, _GEN_CHUNK):
            n = min(_GEN_CHUNK, customers - start)
            docs = gen.chunk(first_number + start, n)
            write_documents(conn, [{"cid": cid, "doc": document(c, [ip]), "name_key": name_key(c["name"])}
                                   for cid, c, ip in docs], replace=False)
        counts = gen.counts
        from ispterm.billing.numbering import raise_series

        for year, last in gen.sequences.items():
            raise_series(conn, group.id, year, last)
        summary = (f"generated {customers:,} customers, {counts['invoice']:,} invoices, "
                   f"{counts['payment']:,} payments")
        conn.execute(insert(m.AuditEvent.__table__), [{
            "at": now, "operator": ctx.actor.login, "customer_id": None, "entity": "sample",
            "entity_id": None, "action": "generate", "field": None, "old": None, "new": None,
            "summary": (f"{summary} (numbers {first_number}-{first_number + customers - 1}, "
                        f"seed {seed})"),
            "private_to": None}])
    return summary


def _invoice_sequences(conn, group_id: int, years: Iterable[int]) -> dict[int, int]:
    """The last sequence number used per year in the group's ``YYYY`` + digits series."""
    from sqlalchemy import func, select

    from ispterm.billing.model import Invoice

    out = {}
    for year in years:
        last = conn.execute(
            select(Invoice.number)
            .where(Invoice.billing_group_id == group_id, Invoice.number.like(f"{year}%"))
            .order_by(func.length(Invoice.number).desc(), Invoice.number.desc()).limit(1)
        ).scalar()
        tail = last[4:] if last else ""
        out[year] = int(tail) if tail.isdigit() else 0
    return out


class _Generator:
    """Rows for chunks of generated customers, ids assigned up front, written as tuples."""

    CUSTOMER = ["id", "number", "legal_form", "name", "street", "city", "zip", "country",
                "gps_lat", "gps_lon", "email", "mobile", "status_id", "payment_type_id",
                "billing_group_id", "portal_login", "portal_force_change", "former",
                "never_suspend", "invoice_by_post", "invoice_by_email", "created_at",
                "created_by", "updated_at", "updated_by", "version"]
    SERVICE = ["id", "customer_id", "plan", "price", "vat_rate", "active", "started_on", "version"]
    SERVICE_IP = ["service_id", "address", "mac"]
    INVOICE = ["id", "customer_id", "billing_group_id", "number", "period", "issued_on", "due_on",
               "vs", "currency", "total", "vat_total", "status", "paid_on", "created_at",
               "created_by", "version"]
    LINE = ["invoice_id", "description", "quantity", "unit_price", "vat_rate", "total", "kind"]
    PAYMENT = ["id", "customer_id", "received_on", "amount", "currency", "vs", "payment_type_id",
               "source", "bank_ref", "created_at", "created_by"]
    ALLOCATION = ["payment_id", "invoice_id", "amount"]

    def __init__(self, conn, rng: random.Random, *, customers: int, now: datetime, months: int,
                 due_days: int,
                 group_id: int, status_id, ptype_id, currency: str, portal_from_number: bool,
                 actor: str) -> None:
        from ispterm.store import models as m

        self.conn = conn
        self.rng = rng
        self.ids = _Ids(conn)
        t = m.metadata.tables
        self.tables = t
        flags = ["portal_force_change", "former", "never_suspend", "invoice_by_post",
                 "invoice_by_email"]
        self.customer = _Bulk(conn, t["customer"], self.CUSTOMER,
                              ["created_at", "updated_at", *flags])
        self.service = _Bulk(conn, t["service"], self.SERVICE,
                             ["price", "vat_rate", "active", "started_on"])
        self.service_ip = _Bulk(conn, t["service_ip"], self.SERVICE_IP)
        self.invoice = _Bulk(conn, t["invoice"], self.INVOICE,
                             ["issued_on", "due_on", "total", "vat_total", "status", "paid_on",
                              "created_at"])
        self.line = _Bulk(conn, t["invoice_line"], self.LINE, ["unit_price", "vat_rate", "total"])
        self.payment = _Bulk(conn, t["payment"], self.PAYMENT,
                             ["received_on", "amount", "created_at"])
        self.allocation = _Bulk(conn, t["payment_allocation"], self.ALLOCATION, ["amount"])
        self.today = now.astimezone().date()  # the local date of now, as Ctx.today()
        this_month = date(self.today.year, self.today.month, 1)
        self.months = [_add_months(this_month, k - months) for k in range(months)]
        self.group_id = group_id
        self.status_id = status_id
        self.ptype_id = ptype_id
        self.portal_from_number = portal_from_number
        self.counts = {"invoice": 0, "payment": 0}
        self.sequences = _invoice_sequences(conn, group_id, sorted({mo.year for mo in self.months}))
        # Everything that repeats is converted once: amounts, dates, times, flags.
        C, S, Iv, L, P = self.customer, self.service, self.invoice, self.line, self.payment
        self.now_c = C.conv("created_at", now)
        self.now_u = C.conv("updated_at", now)
        self.flags = tuple(C.conv(name, value) for name, value in (
            ("portal_force_change", True), ("former", False), ("never_suspend", False),
            ("invoice_by_post", False), ("invoice_by_email", True)))
        self.actor = actor
        self.currency = currency
        self.active = S.conv("active", True)
        self.vat_s, self.vat_l = S.conv("vat_rate", VAT), L.conv("vat_rate", VAT)
        self.plans = []
        for plan, price in _GEN_PLANS:
            amount = Decimal(price)
            self.plans.append((plan, S.conv("price", amount), Iv.conv("total", amount),
                               Iv.conv("vat_total", _vat_of(amount)), L.conv("unit_price", amount),
                               L.conv("total", amount),
                               P.conv("amount", amount),
                               self.allocation.conv("amount", amount)))
        self.issued = [Iv.conv("issued_on", mo) for mo in self.months]
        due = [mo + timedelta(days=due_days) for mo in self.months]
        self.due_raw = due
        self.due = [Iv.conv("due_on", d) for d in due]
        self.created = [Iv.conv("created_at", datetime.combine(mo, time(0, 0), tzinfo=UTC))
                        for mo in self.months]
        self.periods = [f"{mo:%Y-%m}" for mo in self.months]
        self.paid = Iv.conv("status", "paid")
        self.descriptions = {(plan, k): f"{plan} {mo:%m/%Y}" for plan, _ in _GEN_PLANS
                             for k, mo in enumerate(self.months)}
        # One width per year and run keeps the numbers sortable; at least five digits.
        per_year = {year: sum(1 for mo in self.months if mo.year == year) for year in self.sequences}
        self.width = {year: max(5, len(str(self.sequences[year] + customers * per_year[year])))
                      for year in self.sequences}
        self.people = []
        for surname_m, surname_f in SURNAMES:
            for first in MALE_FIRST:
                self.people.append((f"{surname_m} {first}", _ascii(f"{first}.{surname_m}")))
            for first in FEMALE_FIRST:
                self.people.append((f"{surname_f} {first}", _ascii(f"{first}.{surname_f}")))
        self.places = [(street, town[0], town[1], town[2]) for town in TOWNS for street in town[4]]
        # The oldest month a started_on can be in, for services started before the first invoice.
        self.first_month = self.months[0] if self.months else this_month

    def chunk(self, first_number: int, n: int) -> list[tuple[int, dict, str]]:
        """Write n customers with everything; returns (id, search fields, IP) per customer."""
        rng = self.rng
        rand = rng.random
        today = self.today
        nm = len(self.months)
        ids, t = self.ids, self.tables
        customer_ids = ids.take(t["customer"], n)
        service_ids = ids.take(t["service"], n)
        invoice_ids = ids.take(t["invoice"], n * nm)
        customers, services, ips, invoices, lines = [], [], [], [], []
        pay_plan = []
        docs = []
        flags = self.flags
        now_c, now_u, actor, currency = self.now_c, self.now_u, self.actor, self.currency
        status_id, ptype_id, group_id = self.status_id, self.ptype_id, self.group_id
        S_started = self.service.conv
        P_received = self.payment.conv
        sequences, width, months = self.sequences, self.width, self.months
        issued, due, due_raw = self.issued, self.due, self.due_raw
        created, periods = self.created, self.periods
        paid_status, descriptions = self.paid, self.descriptions
        issued_status = self.invoice.conv("status", "issued")
        paid_conv = self.invoice.conv
        vat_s, vat_l, active = self.vat_s, self.vat_l, self.active
        for k in range(n):
            number = first_number + k
            cid = customer_ids[k]
            name, local = rng.choice(self.people)
            street, city, zip_, (lat, lon) = rng.choice(self.places)
            vs = str(number)
            email = f"{local}{number}@example.cz"
            prefix = MOBILE_PREFIXES[(number // 1_000_000) % len(MOBILE_PREFIXES)]
            mobile = f"+420{prefix}{number % 1_000_000:06d}"
            street = f"{street} {int(rand() * 2500) + 1}"
            portal = vs if self.portal_from_number else None
            customers.append((
                cid, number, "person", name, street, city, zip_, "CZ",
                round(lat + (rand() - 0.5) * 0.04, 6), round(lon + (rand() - 0.5) * 0.06, 6),
                email, mobile, status_id, ptype_id, group_id, portal, *flags,
                now_c, actor, now_u, actor, 1))
            plan, price_s, total_i, vat_i, unit_l, total_l, amount_p, amount_a = rng.choice(self.plans)
            sid = service_ids[k]
            started = S_started("started_on", self.first_month - timedelta(days=int(rand() * 400) + 1))
            services.append((sid, cid, plan, price_s, vat_s, active, started, 1))
            address = f"10.{100 + (number >> 16) % 156}.{(number >> 8) & 255}.{number & 255}"
            ips.append((sid, address, "02:00:" + ":".join(
                f"{(number >> shift) & 255:02X}" for shift in (24, 16, 8, 0))))
            docs.append((cid, {"number": number, "name": name, "email": email, "street": street,
                               "city": city, "zip": zip_, "mobile": mobile, "portal_login": portal},
                         address))
            # When each invoice gets paid: early mostly, some late, some never.
            habit = rand()
            days = []
            for j in range(nm):
                if habit < 0.70:
                    day = due_raw[j] - timedelta(days=int(rand() * 5) + 1)
                elif habit < 0.85:
                    day = due_raw[j] + timedelta(days=int(rand() * 40) + 1)
                elif rand() < 0.3:
                    continue
                else:
                    day = due_raw[j] + timedelta(days=int(rand() * 16) - 5)
                if day < today:
                    days.append(day)
            days.sort()
            paid_count = len(days)
            base = k * nm
            for j in range(nm):
                year = months[j].year
                sequences[year] += 1
                iid = invoice_ids[base + j]
                if j < paid_count:
                    paid_on = days[j]
                    status = paid_status
                    paid_c = paid_conv("paid_on", paid_on)
                    pay_plan.append((iid, cid, paid_on, vs, amount_p, amount_a))
                else:
                    status, paid_c = issued_status, None
                invoices.append((iid, cid, group_id, f"{year}{sequences[year]:0{width[year]}d}",
                                 periods[j], issued[j], due[j], vs, currency, total_i, vat_i,
                                 status, paid_c, created[j], "system", 1))
                lines.append((iid, descriptions[(plan, j)], 1, unit_l, vat_l, total_l, "item"))
        self.customer.write(customers)
        self.service.write(services)
        self.service_ip.write(ips)
        self.invoice.write(invoices)
        self.line.write(lines)
        del customers, services, ips, invoices, lines
        payment_ids = ids.take(t["payment"], len(pay_plan))
        payments, allocations = [], []
        day_forms: dict[date, tuple] = {}
        for pid, (iid, cid, day, vs, amount_p, amount_a) in zip(payment_ids, pay_plan):
            forms = day_forms.get(day)
            if forms is None:
                forms = day_forms[day] = (P_received("received_on", day),
                                          P_received("created_at", _morning(day)))
            payments.append((pid, cid, forms[0], amount_p, currency, vs, ptype_id, "bank",
                             f"GEN-{pid:010d}", forms[1], "system"))
            allocations.append((pid, iid, amount_a))
        self.payment.write(payments)
        self.allocation.write(allocations)
        self.counts["invoice"] += n * nm
        self.counts["payment"] += len(payments)
        return docs


def _morning(day: date) -> datetime:
    return datetime.combine(day, time(6, 0), tzinfo=UTC)


def _main(argv: list[str] | None = None) -> int:
    """``python -m ispterm.sample [--seed N] [PATH]``: write the demo data set file."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m ispterm.sample", description=_main.__doc__)
    parser.add_argument("path", nargs="?", type=Path,
                        default=Path(__file__).resolve().parents[1] / "sample_data" / "demo.json")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    text = dumps(build_demo(args.seed))
    args.path.parent.mkdir(parents=True, exist_ok=True)
    args.path.write_text(text, encoding="utf-8")
    print(f"wrote {args.path} ({len(text.encode()):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
