"""The demo builder's customers: the customer record (who, where, since when, on what terms),
child accounts, services with their addresses, contact persons and inventory.

Working keys that start with ``_`` (the town, the day they joined, the day service ended) are
for the later stages and are dropped from the file.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ispterm.sample.common import VAT, add_months, ascii_fold, slug
from ispterm.sample.demo_state import DemoState
from ispterm.sample.reference import (
    CITIES,
    COMPANY_FIXED,
    COMPANY_KINDS,
    DEVICES,
    MUNICIPAL,
    PLANS,
    SURNAMES,
    TOWNS,
    VILLAGES,
    Town,
)

# Where customers stand now: (below this roll, status, joined from, joined before); the rest
# are Connected.
_STATES = [
    (0.05, "Potential", date(2026, 8, 1), date(2026, 10, 25)),
    (0.14, "Disconnected", date(2014, 1, 1), date(2025, 6, 1)),
    (0.20, "Non-payer", date(2015, 1, 1), date(2025, 3, 1)),
    (0.26, "Limited", date(2013, 1, 1), date(2025, 12, 1)),
]
_BANKS = ["0100", "0300", "0800", "2010", "0600", "5500", "3030", "2700"]


# =========================================================================== the record


def customer(d: DemoState) -> dict:
    """One customer record (numbered later, in the order they joined)."""
    rng = d.rng
    town = rng.choices(TOWNS, weights=[t.weight for t in TOWNS])[0]
    company = rng.random() < 0.15
    c: dict[str, Any] = {"number": 0, "legal_form": "company" if company else "person"}
    street, city = d.address(town)
    _live_in(c, town)
    if company:
        town, street, city = _company(d, c, town, street, city)
    else:
        _person(d, c, town)
    _address(d, c, town, street, city, company)
    state, joined = _lifecycle(d)
    c["status"] = state
    c["_joined"] = joined
    c["created_at"] = d.when(joined)
    c["created_by"] = rng.choice(["jana", "jana", "support1"])
    campaign = rng.choice(["Leaflet", "Website", "Recommendation", None, None, None])
    if campaign is not None:
        c["campaign"] = campaign
    _payment_terms(d, c, company)
    c["billing_group"] = c["_group"]
    _marks(d, c, company, state, joined)
    _contract(d, c, company, state, joined)
    _extras(d, c, town, company, state)
    return c


def _live_in(c: dict, town: Town) -> None:
    c["_town"] = TOWNS.index(town)
    c["_group"] = town.group


def _company_name(d: DemoState) -> tuple[str, str]:
    """(name, customer group) of a company not named before."""
    rng = d.rng
    if rng.random() < 0.35:
        name, group = rng.choice(COMPANY_FIXED)
    else:
        template, group = rng.choice(COMPANY_KINDS)
        name = template.format(s=rng.choice(SURNAMES)[0])
    while name in d.company_names:
        name, group = rng.choice(COMPANY_KINDS)[0].format(s=rng.choice(SURNAMES)[0]), "Business"
    d.company_names.add(name)
    return name, group


def _company(d: DemoState, c: dict, town: Town, street: str, city: str) -> tuple[Town, str, str]:
    """Name, representative, mail, phones and company numbers; a municipality moves to the
    village it is named after (hence the town and address it returns)."""
    rng = d.rng
    name, group = _company_name(d)
    if name.startswith(MUNICIPAL):
        village = name.split(" ", 1)[1]
        for t in TOWNS:
            if t.name == village:
                town = t
                street, city = f"{rng.choice(t.streets)} {rng.randint(1, 120)}", village
                _live_in(c, t)
    c["groups"] = [group]
    c["name"] = name
    rep, first, surname = d.person_name()
    c["representative"] = rep
    c["_rep_email"] = None
    domain = f"{slug(name)}.cz"
    c["email"] = f"info@{domain}"
    if rng.random() < 0.7:
        c["billing_email"] = f"fakturace@{domain}"
    if rng.random() < 0.5:
        c["tech_email"] = f"it@{domain}"
    if rng.random() < 0.3:
        c["business_email"] = c["_rep_email"] = d.email_for(first, surname, domain)
    c["phone"] = d.landline(town.area)
    c["mobile"] = d.mobile()
    c["www"] = f"https://www.{domain}"
    ico = d.ico()
    c["ico"] = ico
    if not name.startswith(MUNICIPAL) or rng.random() < 0.5:
        c["dic"] = "CZ" + ico
    c["billing_name"] = name
    return town, street, city


def _person(d: DemoState, c: dict, town: Town) -> None:
    """Name, group, e-mails and phones of a private customer."""
    rng = d.rng
    name, first, surname = d.person_name()
    c["name"] = name
    c["groups"] = ["Residential" if rng.random() < 0.95 else "Employees"]
    c["email"] = d.email_for(first, surname)
    for key, share in (("billing_email", 0.08), ("tech_email", 0.04), ("other_emails", 0.05)):
        if rng.random() < share:
            c[key] = d.email_for(first, surname)
    if rng.random() < 0.88:
        c["mobile"] = d.mobile()
    if rng.random() < 0.12 or "mobile" not in c:
        c["phone"] = d.landline(town.area)


def _address(d: DemoState, c: dict, town: Town, street: str, city: str, company: bool) -> None:
    """The address with floor and flat in blocks of flats, GPS, and other postal addresses."""
    rng = d.rng
    c["street"], c["city"], c["zip"], c["country"] = street, city, town.zip, "CZ"
    if town.name in CITIES or (town.name in ("Šumperk", "Zábřeh") and rng.random() < 0.5):
        c["floor"] = rng.choice([0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8])
        c["flat"] = (str(rng.randint(1, 40)) if rng.random() < 0.8
                     else f"{c['floor']}.{rng.randint(1, 6)}")
    elif rng.random() < 0.3:
        c["floor"] = 0
    c["gps_lat"], c["gps_lon"] = d.gps(town)
    if rng.random() < 0.07:
        mail_town = rng.choice(TOWNS)
        c["mail_street"], c["mail_city"] = d.address(mail_town)
        c["mail_zip"], c["mail_country"] = mail_town.zip, "CZ"
    if company and rng.random() < 0.3:
        c["billing_street"], c["billing_city"] = d.address(town)
        c["billing_zip"], c["billing_country"] = town.zip, "CZ"


def _lifecycle(d: DemoState) -> tuple[str, date]:
    """(status now, the day they joined): long-standing customers joined years ago."""
    rng = d.rng
    roll = rng.random()
    for below, state, first, last in _STATES:
        if roll < below:
            return state, d.rand_day(first, last)
    joined = (d.rand_day(date(2009, 3, 1), d.start) if rng.random() < 0.55
              else d.rand_day(d.start, date(2026, 9, 20)))
    return "Connected", joined


def _payment_terms(d: DemoState, c: dict, company: bool) -> None:
    """How they pay; direct debit (and half the companies) with their bank account."""
    rng = d.rng
    c["payment_type"] = rng.choices(["Bank transfer", "Direct debit", "Cash", "Card"],
                                    weights=[78, 12, 6, 4])[0]
    if c["payment_type"] == "Direct debit" or (company and rng.random() < 0.5):
        c["bank_account"], c["iban"], c["bic"] = d.account(rng.choice(_BANKS))


def _marks(d: DemoState, c: dict, company: bool, state: str, joined: date) -> None:
    """Marks (New, VIP, Problem, Reseller) and the managers of VIPs and some companies."""
    rng = d.rng
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


def _contract(d: DemoState, c: dict, company: bool, state: str, joined: date) -> None:
    """The contract, due days, suspension rules and how invoices are delivered."""
    rng = d.rng
    if state != "Potential":
        c["contract_returned_on"] = (joined + timedelta(days=rng.randint(1, 12))).isoformat()
    if company and rng.random() < 0.4:
        c["due_days"] = rng.choice([21, 30])
    if c["name"].startswith(MUNICIPAL):
        c["never_suspend"] = True
    elif state in ("Limited", "Non-payer") and rng.random() < 0.3:
        c["suspend_after_days"] = rng.choice([7, 21, 30])
    if rng.random() < 0.06:
        c["invoice_by_post"], c["invoice_by_email"] = True, rng.random() < 0.3


def _extras(d: DemoState, c: dict, town: Town, company: bool, state: str) -> None:
    """Former customers, a second variable symbol, the cable TV socket."""
    rng = d.rng
    if state == "Disconnected" and rng.random() < 0.6:
        c["former"] = True
    if rng.random() < 0.08 and state != "Potential":
        c["vs_alt1"] = d.alternative_vs()
    if town.name in ("Šumperk", "Zábřeh") and rng.random() < 0.1 and not company:
        c["catv_socket"] = f"TV-{rng.randint(100, 999)}-{rng.randint(1, 24):02d}"


# =========================================================================== child accounts


def aliases(d: DemoState, customers: list[dict]) -> None:
    """A few companies have a second site as a child account; two customers are leaving and
    one former customer is deleted."""
    rng = d.rng
    _second_sites(d, customers)
    staying = [c for c in customers if c["status"] == "Connected" and c["legal_form"] == "person"
               and c["_joined"] < d.start]
    for c in rng.sample(staying, 2):
        c["disconnect_on"] = "2026-11-30"
    formers = [c for c in customers if c.get("former")]
    if formers:
        rng.choice(formers)["_deleted"] = True


def _second_sites(d: DemoState, customers: list[dict]) -> None:
    """Two connected companies (not municipalities) get a later-joined company as a site."""
    rng = d.rng
    companies = [c for c in customers if c["legal_form"] == "company" and c["status"] == "Connected"
                 and not c["name"].startswith(MUNICIPAL)]
    rng.shuffle(companies)
    parents = {x.get("parent") for x in customers}
    for parent in companies[:2]:
        if "parent" in parent:
            continue
        later = [c for c in companies if c["number"] > parent["number"] and "parent" not in c
                 and c["number"] not in parents]
        if later:
            child = rng.choice(later)
            _second_site(parent, child)
            parents.add(parent["number"])


def _second_site(parent: dict, child: dict) -> None:
    """``child`` becomes a site of ``parent``: its name, domain and company details."""
    child["parent"] = parent["number"]
    child["name"] = f"{parent['name']} – provozovna {child['city']}"
    domain = parent["email"].split("@")[1]
    child["email"] = f"provozovna-{slug(child['city'])}@{domain}"
    child["www"] = parent["www"]
    for key in ("billing_name", "billing_email", "tech_email", "ico", "dic"):
        child.pop(key, None)
        if key in parent:
            child[key] = parent[key]
    child.pop("business_email", None)
    child["_rep_email"] = None


# =========================================================================== services


def services(d: DemoState, c: dict) -> None:
    """Internet (maybe upgraded once) with one or two addresses, sometimes TV or a public IP."""
    rng = d.rng
    c["services"] = []
    if c["status"] == "Potential":
        return
    town = TOWNS[c["_town"]]
    started = c["_joined"] + timedelta(days=rng.randint(3, 14))
    ended = None
    if c["status"] == "Disconnected":
        ended = d.rand_day(max(started + timedelta(days=40), d.start + timedelta(days=40)),
                           date(2026, 10, 1))
        c["_ended"] = ended
    company = c["legal_form"] == "company"
    plan = _plan(d, town, company)
    upgraded = _upgrade(d, town, plan, started)
    internet = _internet(d, c, plan, started, ended, upgraded)
    public = _internet_ips(d, c, internet["ips"], company)
    c["services"].append(internet)
    if not company and rng.random() < 0.2:
        tv = rng.choice(["TV Basic", "TV Basic", "TV Plus"])
        tv_started = started + timedelta(days=rng.choice([0, 0, 45, 120]))
        ips = [{"address": d.ip("private", c["_town"]), "mac": d.mac(), "color": "magenta"}]
        c["services"].append(_service(tv, tv_started, ended, ips))
    if not company and not public and rng.random() < 0.07:
        ips = [{"address": d.ip("public"), "mac": d.mac(), "color": "yellow"}]
        c["services"].append(_service("Public IP", started, ended, ips))
    for service in c["services"]:
        for ip in service["ips"]:
            if ip.get("mac") is None:
                ip.pop("mac", None)


def _plan(d: DemoState, town: Town, company: bool) -> str:
    """Fibre where it is laid (most towns, a third of the villages), radio elsewhere."""
    rng = d.rng
    fiber_here = town.name not in VILLAGES or rng.random() < 0.35
    if company and rng.random() < 0.4:
        return "Business Fiber 1000"
    if fiber_here:
        return rng.choices(["Fiber 250", "Fiber 500", "Fiber 1000"], weights=[55, 30, 15])[0]
    return rng.choices(["Air 20", "Air 50", "Air 100"], weights=[15, 55, 30])[0]


def _upgrade(d: DemoState, town: Town, plan: str, started: date) -> tuple[date, str] | None:
    """(the day, the old plan) for fibre customers who moved up within the two years."""
    rng = d.rng
    if PLANS[plan][1] != "fiber" or plan == "Business Fiber 1000" or rng.random() >= 0.18:
        return None
    first_month = max(add_months(started, 1), d.start)
    if first_month >= date(2026, 6, 1):
        return None
    day = d.rand_day(first_month + timedelta(days=60), date(2026, 9, 1))
    old = rng.choice(["Air 50", "Air 100"] if town.name in VILLAGES else ["Fiber 250", "Air 100"])
    return day, "Air 50" if old == plan else old


def _service(plan: str, started: date, ended: date | None, ips: list[dict]) -> dict:
    service = {"plan": plan, "price": PLANS[plan][0], "vat_rate": str(VAT), "active": ended is None,
               "started_on": started.isoformat(), "ips": ips}
    if ended:
        service["ended_on"] = ended.isoformat()
    return service


def _internet(d: DemoState, c: dict, plan: str, started: date, ended: date | None,
              upgraded: tuple[date, str] | None) -> dict:
    """The internet service; an upgrade keeps the old plan for the invoices (``_upgrade``)."""
    internet = {
        "plan": plan, "price": PLANS[plan][0], "vat_rate": str(VAT),
        "active": ended is None, "started_on": started.isoformat(),
        "dns": "10.0.0.53, 185.63.96.1" if d.rng.random() < 0.5 else None,
        "ips": [],
    }
    if ended:
        internet["ended_on"] = ended.isoformat()
    if upgraded:
        day, old = upgraded
        internet["_upgrade"] = (day.isoformat(), old)
        internet["started_on"] = day.isoformat()
        internet["note"] = f"Upgraded from {old} on {day.isoformat()}"
        c["_upgrade"] = (day, old, started)
    if internet["dns"] is None:
        del internet["dns"]
    return internet


def _internet_ips(d: DemoState, c: dict, ips: list[dict], company: bool) -> bool:
    """A private address, then a public one or a /29 for companies, CGNAT for some; returns
    whether the customer has a public address."""
    rng = d.rng
    ips.append({"address": d.ip("private", c["_town"]), "mac": d.mac()})
    public = company or rng.random() < 0.15
    if company and rng.random() < 0.35:
        ips.append({"address": d.ip("subnet"), "mac": None, "color": "cyan"})
    elif public:
        ips.append({"address": d.ip("public"), "mac": d.mac(), "color": "yellow"})
    elif rng.random() < 0.5:
        ips.append({"address": d.ip("cgnat"), "mac": d.mac()})
    return public


# =========================================================================== contacts, inventory


def contacts(d: DemoState, c: dict) -> None:
    """Companies: their representative, accountant and IT; some people: a relative."""
    if c["legal_form"] == "company":
        out = _company_contacts(d, c)
    else:
        out = _relative(d)
    for contact in out:
        contact["created_at"] = c["created_at"]
    c["contacts"] = out


def _company_contacts(d: DemoState, c: dict) -> list[dict]:
    """One to three contact persons; the accountant (or the only one) gets the invoices."""
    rng = d.rng
    out = []
    domain = c["email"].split("@")[1]
    positions = [("Jednatel", False), ("Účetní", True), ("Správce IT", False)]
    for k, (position, billing) in enumerate(positions[: rng.randint(1, 3)]):
        if k == 0:
            name = c["representative"]
            surname, first = name.split(" ", 1)
        else:
            name, first, surname = d.person_name()
        email = (c.get("_rep_email") if k == 0 else None) or d.email_for(first, surname, domain)
        contact = {"name": name, "position": position, "email": email,
                   "mobile": d.mobile(), "billing_default": billing}
        if billing and rng.random() < 0.6:
            contact["portal_access"] = True
            contact["portal_level"] = "Invoices"
            contact["portal_login"] = f"{c['number']}-{ascii_fold(surname).replace(' ', '')}"
        out.append(contact)
    if len(out) == 1:
        out[0]["billing_default"] = True
    return out


def _relative(d: DemoState) -> list[dict]:
    """A relative or landlord to call when the customer cannot be reached (one in eight)."""
    rng = d.rng
    if rng.random() >= 0.12:
        return []
    name, first, surname = d.person_name()
    position = rng.choice(["Manžel/ka", "Syn", "Dcera", "Pronajímatel"])
    contact = {"name": name, "position": position, "mobile": d.mobile(), "billing_default": False,
               "note": rng.choice(["Contact when the customer cannot be reached.",
                                   "Pays the invoices on behalf of the customer.",
                                   "Owner of the flat; agree any installation with him."])}
    if rng.random() < 0.5:
        contact["email"] = d.email_for(first, surname)
    return [contact]


def inventory(d: DemoState, c: dict) -> None:
    """The devices lent with each service (routers, ONTs, antennas, set-top boxes)."""
    rng = d.rng
    items = []
    for service in c["services"]:
        kind = PLANS[service["plan"]][1]
        pick = {"fiber": [0, 2, 4], "air": [3, 1], "tv": [5], "ip": []}[kind]
        for k in pick[: rng.randint(1, 2)] if pick else []:
            name, cost = DEVICES[k]
            serial = f"{ascii_fold(name)[:2].upper()}{rng.randint(10**8, 10**9 - 1)}"
            items.append({"name": name, "serial": serial, "quantity": 1, "cost": cost})
    if items and rng.random() < 0.1:
        items.append({"name": "Cat6 patch cable 10 m", "quantity": 2, "cost": "89.00"})
    c["inventory"] = items
