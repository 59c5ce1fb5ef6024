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
from ispterm.errors import IsptermError, NotFound, ValidationError
from ispterm.operators.roles import CUSTOMER_CREATE, PAYMENT_WRITE

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


def ico_check(first7: str) -> str:
    total = sum(w * int(d) for w, d in zip(range(8, 1, -1), first7))
    return first7 + str((11 - total % 11) % 10)


def _ico(rng: random.Random, used: set[str]) -> str:
    while True:
        value = ico_check(str(rng.randint(1, 8)) + f"{rng.randint(0, 999999):06d}")
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
        self.ips = _Unique()
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
        rng = self.rng
        groups = self.billing_groups()
        customers = [self.customer(i) for i in range(226)]
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
        for c in customers:
            for key in [k for k, v in c.items() if k.startswith("_")]:
                del c[key]
        return {
            "format": FORMAT,
            "description": "ispterm demo data set: an ISP around Šumperk, two years of billing",
            "seed": self.seed,
            "anchor": ANCHOR.isoformat(),
            "currency": "CZK",
            "codes": self.codes(),
            "operators": OPERATORS,
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

    def customer(self, index: int) -> dict:
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
            slug = _slug(name)
            domain = f"{slug}.cz"
            c["email"] = f"info@{domain}"
            if rng.random() < 0.7:
                c["billing_email"] = f"fakturace@{domain}"
            if rng.random() < 0.5:
                c["tech_email"] = f"it@{domain}"
            if rng.random() < 0.3:
                c["business_email"] = self.email_for(first, surname, domain)
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
            c["flat"] = str(rng.randint(1, 40)) if rng.random() < 0.8 else f"{c['floor']}.{rng.randint(1, 6)}"
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
                vs = str(rng.randint(1000, 9999)) if rng.random() < 0.6 else str(rng.randint(600000, 699999))
                if vs not in self.vs_alt:
                    self.vs_alt.add(vs)
                    break
            c["vs_alt1"] = vs
        if town[0] in ("Šumperk", "Zábřeh") and rng.random() < 0.1 and not company:
            c["catv_socket"] = f"TV-{rng.randint(100, 999)}-{rng.randint(1, 24):02d}"
        return c

    def aliases(self, customers: list[dict]) -> None:
        """A few companies have a second site as a child account; one customer is deleted."""
        rng = self.rng
        parents = [c for c in customers if c["legal_form"] == "company" and c["status"] == "Connected"]
        rng.shuffle(parents)
        for parent in parents[:2]:
            later = [c for c in customers if c["number"] > parent["number"]
                     and c["legal_form"] == "company" and c["status"] == "Connected"
                     and "parent" not in c and c is not parent
                     and not any(x.get("parent") == c["number"] for x in customers)]
            if later:
                child = rng.choice(later)
                child["parent"] = parent["number"]
                child["name"] = f"{parent['name']} – provozovna {child['city']}"
                child["billing_name"] = parent.get("billing_name", parent["name"])
                child["ico"], child["dic"] = parent["ico"], parent.get("dic")
                if child["dic"] is None:
                    del child["dic"]
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
                old = rng.choice(["Air 50", "Air 100"] if town[0] in VILLAGES else ["Fiber 250", "Air 100"])
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
                "ips": [{"address": self.ip("private", c["_town"]), "mac": self.mac(), "color": "magenta"}],
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
                contact = {"name": name, "position": position,
                           "email": self.email_for(first, surname, slug),
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
            out.append({"name": name, "position": rng.choice(["Manžel/ka", "Syn", "Dcera", "Pronajímatel"]),
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
                items.append({"name": name, "serial": f"{_ascii(name)[:2].upper()}{rng.randint(10**8, 10**9 - 1)}",
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
            lines.append({"description": f"{plan} {month:%m/%Y}", "quantity": 1,
                          "unit_price": price, "vat_rate": service["vat_rate"], "total": _money(gross)})
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
                    lines.append({"description": "Installation fee", "quantity": 1,
                                  "unit_price": INSTALLATION_FEE, "vat_rate": str(VAT),
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
                        "vs": str(c["number"]), "total": _money(total), "vat_total": _money(vat),
                        "status": "cancelled" if k == 1 else "issued", "paid_on": None,
                        "created_at": _ts(month, 1, 30), "created_by": "system",
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
                    "payment_type": "Cash", "source": "manual", "bank_ref": None,
                    "counterparty": c["name"], "message": f"Receipt {day.year}/{self.cash_seq:04d}",
                    "created_at": _when(rng, day), "created_by": rng.choice(["jana", "support1"])}
        if ptype == "Card":
            ptype = rng.choice(["Card", "Bank transfer"])
        self.bank_seq += 1
        payer = _ascii(c["billing_name"] if c.get("billing_name") else c["name"]).upper()
        return {"received_on": day.isoformat(), "amount": _money(amount), "vs": vs,
                "payment_type": ptype, "source": "bank",
                "bank_ref": f"STMT-{day:%Y%m%d}-{self.bank_seq:06d}", "counterparty": payer[:60],
                "message": rng.choice(["internet", "platba internet", "", f"VS {vs}", "faktura"]) or None,
                "created_at": _ts(day + timedelta(days=1), 5, 30), "created_by": "system"}

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
        for day, kind, obj in events:
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
        for payer, vs, message, amount in [
            ("NOVAKOVA MARIE", "1002", "internet leden", "499.00"),
            ("OBEC BLUDOV", None, "faktura za internet", "1990.00"),
            ("KRIZ PAVEL", "20260815", "platba", "649.00"),
            ("DVORAK JOSEF", "110042", None, "399.00"),
            ("SMITH JOHN", "0", "internet October", "500.00"),
            ("UNKNOWN PAYER", "98765", "VS 98765", "1200.00"),
        ]:
            day = _rand_day(rng, date(2026, 7, 1), date(2026, 10, 31))
            self.bank_seq += 1
            out.append({"customer": None, "received_on": day.isoformat(), "amount": amount,
                        "vs": vs, "payment_type": "Bank transfer", "source": "bank",
                        "bank_ref": f"STMT-{day:%Y%m%d}-{self.bank_seq:06d}",
                        "counterparty": payer, "message": message,
                        "created_at": _ts(day + timedelta(days=1), 5, 30), "created_by": "system"})
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
            notes.append({"author": author or rng.choice(["jana", "support1", "support1", "petr", "tech1"]),
                          "text": text, "private": private, "alert": alert,
                          "created_at": at, "updated_at": at})

        ordinary = [
            "Customer called about slow Wi-Fi in the evenings; advised to move the router away from the TV.",
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
                    f"{(day + timedelta(days=10)):%d.%m.%Y}.", author="jana", when=(day, _when(rng, day)))
        if rng.random() < 0.05:
            add(rng.choice(private), author=rng.choice(["jana", "petr", "support1", "tech1"]), private=True)
        # Alerts are shown when the card opens.
        if rng.random() < 0.035 and c["status"] != "Potential":
            add("Dog on the premises — call before visit", alert=True, author=rng.choice(["tech1", "petr"]))
        if rng.random() < 0.02 and c.get("mobile"):
            add("Hard of hearing — send SMS instead of calling", alert=True)
        if c["name"].startswith(("Obec ", "Městys ")):
            add("Do not suspend — municipal office, contact the mayor first", alert=True, author="jana")
        if c.get("floor") and c["floor"] >= 6 and rng.random() < 0.3:
            add("Outdoor unit on the roof — ladder needed, two technicians", alert=True, author="petr")

    def notes_extra(self, customers: list[dict]) -> None:
        """Placed notes that tests and demos rely on (disputes, private notes, deletions)."""
        rng = self.rng
        candidates = [c for c in customers if len([i for i in c["invoices"] if i["status"] != "cancelled"]) > 3]
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
                          "description": "New customer from the website form; survey the building first.",
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
            closed_at = _when(rng, closed) if status in ("done", "cancelled") and closed < ANCHOR else None
            if closed_at is None and status in ("done", "cancelled"):
                status = "in_progress"
            tasks.append({"type": "Fault repair", "title": title,
                          "description": "Reported by phone." if rng.random() < 0.6 else "Reported in the portal.",
                          "status": status, "priority": priority,
                          "due_on": (day + timedelta(days=2)).isoformat(), "created_at": at,
                          "created_by": rng.choice(["support1", "jana"]),
                          "updated_at": closed_at or at, "updated_by": "tech1" if closed_at else "support1",
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
                or (i["paid_on"] and i["paid_on"] > i["due_on"])]
        for inv in late[-3:]:
            due = date.fromisoformat(inv["due_on"])
            day = due + timedelta(days=7)
            if day >= ANCHOR or (inv["paid_on"] and inv["paid_on"] <= day.isoformat()):
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
                            "operator": "system", "subject": f"Payment reminder — invoice {inv['number']}",
                            "body": f"Invoice {inv['number']} of {inv['total']} CZK was due on {due:%d.%m.%Y}.",
                            "status": "failed" if failed else "sent",
                            "ref": "550 5.1.1 mailbox unavailable" if failed else None})
        for task in c.get("tasks", []):
            if task["type"] == "Fault repair":
                log.append({"channel": "call", "direction": "in", "at": task["created_at"],
                            "operator": task["created_by"], "subject": task["title"],
                            "body": "Customer reported the fault; ticket created.", "status": "answered"})
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
            day, at = self._rand_time(c)
            channel = rng.choice(["call", "call", "email", "portal"])
            subject = rng.choice(["Question about the invoice", "Upgrade enquiry",
                                  "Change of contact details", "Planned maintenance"])
            log.append({"channel": channel, "direction": "in" if channel != "email" else "out",
                        "at": at, "operator": rng.choice(["support1", "jana"]),
                        "subject": subject, "body": None,
                        "status": "answered" if channel == "call" else "received" if channel == "portal" else "sent"})
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
            c["portal_logins"].append({"at": at, "address": f"89.{rng.randint(100, 190)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
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
            for k, service in enumerate(c["services"]):
                change("active", True, False, c["_ended"], "jana", "service", k)
                rows[-1]["old"], rows[-1]["new"] = "yes", "no"
            if c.get("former"):
                change("former", "no", "yes", min(c["_ended"] + timedelta(days=30), ANCHOR - timedelta(days=1)), "jana")
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
                             "new": note["deleted_at"][:19], "ref": k})
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
                rows.append({"at": _when(rng, date.fromisoformat(payment["received_on"]) + timedelta(days=1)),
                             "operator": "jana", "entity": "payment", "action": "update",
                             "field": "customer", "old": None, "new": str(c["number"]),
                             "summary": "payment matched by hand", "ref": k})
        if c.get("_deleted"):
            day = min((c.get("_ended") or ANCHOR) + timedelta(days=60), ANCHOR - timedelta(days=1))
            at = _when(rng, day)
            c["deleted_at"] = at
            rows.append({"at": at, "operator": "jana", "entity": "customer", "action": "delete",
                         "field": "deleted_at", "old": None, "new": at[:19]})
        rows.sort(key=lambda r: r["at"])
        updates = [r for r in rows if r["entity"] == "customer" and r["action"] != "create"]
        c["version"] = 1 + len(updates)
        last = updates[-1] if updates else rows[0]
        c["updated_at"], c["updated_by"] = last["at"], last["operator"]


def build_demo(seed: int = 7) -> dict:
    """The demo data set as plain JSON-able data; the same seed gives the same data."""
    demo = _Demo(seed)
    data = demo.build()
    return data
