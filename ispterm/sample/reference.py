"""Reference data of the demo ISP: names, companies, towns and streets, plans, devices,
operators, and the texts of notes and tasks. Plain values; the builder draws from them with
its seeded random generator, so changing an entry changes ``sample_data/demo.json``."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple


class Town(NamedTuple):
    """A town the ISP serves: where its customers live and which billing group bills them."""

    name: str
    zip: str
    gps: tuple[float, float]  # centre; customers are spread around it
    area: str  # phone area code
    streets: list[str]
    weight: int  # share of the customers
    group: str  # billing group


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
MUNICIPAL = ("Obec ", "Městys ")  # how the names of municipalities start

TOWNS = [
    Town("Šumperk", "787 01", (49.9653, 16.9706), "583",
         ["Hlavní třída", "Langrova", "Jesenická", "Temenická", "Žerotínova", "Zábřežská",
          "Lidická", "Bratrušovská", "Prievidzská", "Gen. Svobody", "Čsl. armády", "Husitská",
          "Vančurova", "Reissova", "17. listopadu", "Kladská", "Nemocniční", "Šumavská",
          "Žižkova", "Na Hradě"], 34, "Main"),
    Town("Zábřeh", "789 01", (49.8826, 16.8722), "583",
         ["Masarykovo náměstí", "Valová", "Postřelmovská", "Hrázní", "Sušilova", "Školská",
          "Bezručova", "Jiráskova", "Leštinská", "Krumpach"], 16, "Main"),
    Town("Bludov", "789 61", (49.9412, 16.9282), "583",
         ["Komenského", "Nádražní", "Šumperská", "Zahradní", "Polní"], 7, "Main"),
    Town("Rapotín", "788 14", (49.9938, 17.0202), "583",
         ["Šumperská", "Sportovní", "Rybniční", "Luční"], 5, "Main"),
    Town("Velké Losiny", "788 15", (50.0286, 17.0394), "583",
         ["Zámecká", "Lázeňská", "Rudé armády", "Bratrušovská"], 5, "Main"),
    Town("Loučná nad Desnou", "788 11", (50.0717, 17.0896), "583",
         ["Kociánov", "Filipová", "Přemyslov"], 3, "Main"),
    Town("Hanušovice", "788 33", (50.0707, 16.9361), "583",
         ["Hlavní", "Nádražní", "Potoční", "Pivovarská"], 4, "Main"),
    Town("Postřelmov", "789 69", (49.9060, 16.9125), "583",
         ["Hlavní", "Zábřežská", "Zborovská", "Na Výsluní"], 4, "Main"),
    Town("Mohelnice", "789 85", (49.7771, 16.9195), "583",
         ["Masarykova", "Nádražní", "Zámečnická", "Úzká", "Petra Bezruče"], 6, "Haná"),
    Town("Olomouc", "779 00", (49.5938, 17.2509), "585",
         ["Třída Svobody", "Dolní náměstí", "Palackého", "Dobrovského", "Masarykova třída",
          "Hodolanská", "Polská", "Wellnerova", "Zikova", "Ostružnická"], 9, "Haná"),
    Town("Brno", "602 00", (49.1951, 16.6068), "541",
         ["Kounicova", "Cejl", "Veveří", "Lidická", "Údolní", "Husova", "Zábrdovická",
          "Purkyňova", "Štefánikova", "Koliště"], 4, "Haná"),
    Town("Praha", "130 00", (50.0755, 14.4378), "2",
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

# The ISP's two companies: group, company, street, city, ZIP, bank code, phone, e-mail.
BILLING_GROUPS = [
    ("Main", "Sítě Šumperk s.r.o.", "Jesenická 2847/12", "Šumperk", "787 01", "2010",
     "+420583555100", "info@sitesumperk.cz"),
    ("Haná", "Hanácké sítě a.s.", "Hodolanská 412/28", "Olomouc", "779 00", "0100",
     "+420585555200", "info@hanackesite.cz"),
]

NOTES = [
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
PRIVATE_NOTES = [
    "Very hard to reach; do not promise callbacks before 6 pm.",
    "Promised one month free after the June outage — not credited yet.",
    "Suspect the connection is shared with the neighbours (2 households).",
    "Threatened to leave for the competition; offered 10 % discount, check with Petr.",
    "Relative of the mayor — handle with care.",
]
# Private notes placed on purpose (one per author and text), so every operator has some.
PLACED_PRIVATE_NOTES = [
    ("jana", "Very hard to reach; do not promise callbacks before 6 pm."),
    ("petr", "Promised one month free after the June outage — not credited yet."),
    ("tech1", "Suspect the connection is shared with the neighbours (2 households)."),
    ("support1", "Threatened to leave for the competition; offered 10 % discount."),
    ("jana", "Check the payment history before offering any discount again."),
    ("petr", "Asked me personally for a faster installation date — keep an eye on it."),
]

# Faults customers report: title, priority.
FAULTS = [
    ("No connection since this morning", "high"), ("Slow speed in the evenings", "normal"),
    ("Packet loss on the radio link", "normal"), ("ONT shows a red LOS light", "urgent"),
    ("TV picture freezes", "low"), ("Wi-Fi does not reach the upper floor", "low"),
]
# Work on the network itself (no customer): title, due day, status.
NETWORK_TASKS = [
    ("Replace UPS batteries at the Šumperk POP", date(2026, 3, 12), "done"),
    ("Firmware upgrade of the Bludov sector antennas", date(2026, 10, 20), "in_progress"),
    ("New fibre route Temenická – Jesenická", date(2026, 11, 20), "new"),
]

# The plans of generated scale data (``ispterm sample generate``): name, price incl. VAT.
GENERATED_PLANS = [(name, PLANS[name][0])
                   for name in ("Fiber 250", "Fiber 500", "Fiber 1000", "Air 50", "Air 100")]
