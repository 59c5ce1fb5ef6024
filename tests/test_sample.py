"""The demo data set (sample_data/demo.json), its loader and the scale generator (ispterm.sample)."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ispterm import validation as v
from ispterm.errors import IsptermError, NotFound, PermissionDenied, ValidationError
from ispterm.sample import loader, scale
from ispterm.sample.demo import build_demo, dumps

# --------------------------------------------------------------------------- helpers


@cache
def demo() -> dict:
    return json.loads(loader.demo_path().read_text(encoding="utf-8"))


def live_invoices(c: dict) -> list[dict]:
    return [i for i in c["invoices"] if i.get("status", "issued") != "cancelled"]


def expected_balance(c: dict) -> Decimal:
    paid = sum((Decimal(p["amount"]) for p in c["payments"]), Decimal("0.00"))
    invoiced = sum((Decimal(i["total"]) for i in live_invoices(c)), Decimal("0.00"))
    return paid - invoiced


def expected_scoring(c: dict) -> int:
    return sum((date.fromisoformat(i["due_on"]) - date.fromisoformat(i["paid_on"])).days
               for i in c["invoices"] if i.get("status") == "paid")


def counts(ctx) -> dict[str, int]:
    from ispterm.store import models as m

    with ctx.read() as s:
        conn = s.connection()
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (m.Customer.__table__, m.Invoice.__table__, m.Payment.__table__,
                          m.Note.__table__, m.Operator.__table__, m.CodeItem.__table__,
                          m.AuditEvent.__table__, m.BillingGroup.__table__)}


def customer_ids(ctx) -> dict[int, int]:
    from ispterm.customers.model import Customer

    with ctx.read() as s:
        return dict(s.connection().execute(select(Customer.number, Customer.id)).all())


# --------------------------------------------------------------------------- the data set itself


def test_demo_file_is_what_build_demo_makes():
    fresh = build_demo()
    assert fresh == build_demo(), "build_demo must be deterministic"
    assert demo() == json.loads(dumps(fresh)), (
        "sample_data/demo.json is out of date; regenerate it with 'python -m ispterm.sample'")
    assert build_demo(8)["customers"] != fresh["customers"]
    assert loader.demo_path().stat().st_size < 3_200_000


def test_demo_customers_are_realistic_and_valid():
    data = demo()
    customers = data["customers"]
    assert len(customers) >= 220
    forms = Counter(c["legal_form"] for c in customers)
    assert 0.78 <= forms["person"] / len(customers) <= 0.92
    numbers = [c["number"] for c in customers]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers) and numbers[0] == 10001
    names = " ".join(c["name"] for c in customers)
    for fragment in ("Novák", "Dvořáková", "Černý", "Šťastn", "Kříž", "Procházk", "Růžičk", "Žák"):
        assert fragment in names, fragment
    assert re.search(r"\b(Smith|O'Brien|Johnson|Williams|Brown|Taylor)\b", names)
    statuses = Counter(c["status"] for c in customers)
    assert statuses.most_common(1)[0][0] == "Connected"
    assert {"Limited", "Non-payer", "Disconnected", "Potential"} <= set(statuses)
    for c in customers:
        where = c["number"]
        for key in ("phone", "mobile"):
            if key in c:
                assert v.phone(c[key], field=key) == c[key], (where, c[key])
        for key in ("email", "billing_email", "tech_email", "business_email"):
            if key in c:
                assert v.email(c[key], field=key) == c[key], (where, c[key])
                assert c[key].isascii()
        assert re.fullmatch(r"\d{3} \d{2}", c["zip"])
        assert isinstance(c["gps_lat"], float) and 49.0 < c["gps_lat"] < 50.2
        assert isinstance(c["gps_lon"], float) and 14.3 < c["gps_lon"] < 17.3
        if c["legal_form"] == "company":
            assert v.ico(c["ico"], field="ico") == c["ico"]
            assert c.get("dic") in (None, "CZ" + c["ico"])
            assert c["representative"]
            assert c["contacts"] and any(k["billing_default"] for k in c["contacts"])
        for key, check in (("iban", v.iban), ("bank_account", v.bank_account), ("bic", v.bic)):
            if key in c:
                assert check(c[key], field=key) == c[key], (where, key, c[key])
        for contact in c["contacts"]:
            for key in ("phone", "mobile"):
                if key in contact:
                    assert v.phone(contact[key], field=key) == contact[key]
    floors = {c.get("floor") for c in customers}
    assert 0 in floors and len(floors) > 4
    assert any(c.get("vs_alt1") for c in customers)
    for group in data["billing_groups"]:
        assert v.ico(group["ico"], field="ico") == group["ico"]
        assert v.dic(group["dic"], field="dic") == group["dic"] == "CZ" + group["ico"]
        assert v.iban(group["iban"], field="iban") == group["iban"]
        assert v.bank_account(group["bank_account"], field="bank_account") == group["bank_account"]
    main = next(g for g in data["billing_groups"] if g["is_default"])
    assert (main["name"], main["company_name"]) == ("Main", "Sítě Šumperk s.r.o.")


def test_demo_addresses_are_unique_per_service():
    ips, macs = [], []
    subnets = 0
    for c in demo()["customers"]:
        for service in c["services"]:
            assert Decimal(service["price"]) > 0 and service["vat_rate"] == "21.00"
            assert 1 <= len(service["ips"]) <= 2
            for ip in service["ips"]:
                ips.append(ip["address"])
                subnets += "/" in ip["address"]
                if "mac" in ip:
                    macs.append(ip["mac"])
                    assert re.fullmatch(r"([0-9A-F]{2}:){5}[0-9A-F]{2}", ip["mac"])
    assert len(ips) == len(set(ips)) and len(macs) == len(set(macs))
    assert subnets > 0
    assert {a.split(".")[0] for a in ips} == {"10", "100", "185"}


def test_demo_billing_is_consistent():
    customers = demo()["customers"]
    anchor = date.fromisoformat(demo()["anchor"])
    series: dict[tuple[str, str], list[int]] = defaultdict(list)
    balances = []
    for c in customers:
        by_number = {i["number"]: i for i in c["invoices"]}
        allocated: dict[str, Decimal] = defaultdict(Decimal)
        completed: dict[str, str] = {}
        for p in sorted(c["payments"], key=lambda p: p["received_on"]):
            assert p["received_on"] < anchor.isoformat()
            parts = sum((Decimal(a["amount"]) for a in p.get("allocations", [])), Decimal(0))
            assert parts <= Decimal(p["amount"])
            for a in p.get("allocations", []):
                inv = by_number[a["invoice"]]
                allocated[a["invoice"]] += Decimal(a["amount"])
                if allocated[a["invoice"]] == Decimal(inv["total"]):
                    completed[a["invoice"]] = max(p["received_on"], inv["issued_on"])
        open_seen = False
        for inv in sorted(live_invoices(c), key=lambda i: i["issued_on"]):
            issued = date.fromisoformat(inv["issued_on"])
            assert issued.day == 1 and issued < anchor
            assert (date.fromisoformat(inv["due_on"]) - issued).days == c.get("due_days", 14)
            total = sum((Decimal(line["total"]) for line in inv["lines"]), Decimal(0))
            assert total == Decimal(inv["total"])
            if inv["status"] == "paid":
                assert not open_seen, "a later invoice was paid while an older one is open"
                assert inv["paid_on"] == completed[inv["number"]]
            else:
                assert inv["status"] == "issued" and "paid_on" not in inv
                assert allocated[inv["number"]] < Decimal(inv["total"])
                open_seen = True
        for inv in c["invoices"]:
            series[(c["billing_group"], inv["number"][:4])].append(int(inv["number"][4:]))
            assert inv["number"][:4] == inv["issued_on"][:4] and len(inv["number"]) == 9
        balances.append(expected_balance(c))
    for key, seq in series.items():
        assert sorted(seq) == list(range(1, len(seq) + 1)), f"gap in the {key} series"
    assert {g for g, _ in series} == {"Main", "Haná"}
    assert sum(b < 0 for b in balances) >= 10
    assert sum(b == 0 for b in balances) >= 100
    assert sum(b > 0 for b in balances) >= 3
    months = Counter(len(c["invoices"]) for c in customers)
    assert months.most_common(1)[0][0] >= 24
    unmatched = demo()["unmatched_payments"]
    known = {str(c["number"]) for c in customers} | {c["vs_alt1"] for c in customers if "vs_alt1" in c}
    assert unmatched and all(p.get("vs") not in known for p in unmatched)


def test_demo_notes_tasks_history_and_operators():
    data = demo()
    logins = {o["login"] for o in data["operators"]}
    assert {"jana", "petr", "tech1", "support1", "viewer"} <= logins
    notes = [n for c in data["customers"] for n in c["notes"]]
    private_authors = {n["author"] for n in notes if n["private"]}
    assert len(private_authors) >= 3
    alerts = [n["text"] for n in notes if n["alert"]]
    assert any("Dog on the premises" in t for t in alerts)
    assert any(t.startswith("Customer disputes invoice 20") for t in alerts)
    assert any(n.get("deleted_at") for n in notes)
    tasks = [t for c in data["customers"] for t in c["tasks"]]
    assert {"Installation", "Fault repair"} <= {t["type"] for t in tasks}
    assert len({t["status"] for t in tasks}) >= 3 and any(t["assignees"] for t in tasks)
    channels = {e["channel"] for c in data["customers"] for e in c["communications"]}
    assert {"email", "sms", "call"} <= channels
    history = [h for c in data["customers"] for h in c["history"]]
    changes = [h for h in history if h.get("field")]
    assert len(changes) > 200
    window = {h["at"][:7] for h in changes}
    assert len(window) >= 20  # spread over the two years
    assert all(h["operator"] for h in history)


# --------------------------------------------------------------------------- loading


def test_demo_loads_with_balances_scoring_and_search(ctx):
    from ispterm.billing.balance import balances, standing
    from ispterm.customers import service as cs

    summary = loader.load_file(ctx, loader.demo_path())
    data = demo()
    customers = data["customers"]
    assert re.fullmatch(r"loaded [\d,]+ customers, [\d,]+ invoices, [\d,]+ payments, [\d,]+ notes",
                        summary)
    n = counts(ctx)
    assert n["customer"] == len(customers) >= 200
    assert n["invoice"] == sum(len(c["invoices"]) for c in customers)
    assert n["payment"] == (sum(len(c["payments"]) for c in customers)
                            + len(data["unmatched_payments"]))
    ids = customer_ids(ctx)
    with ctx.read() as s:
        conn = s.connection()
        got = balances(conn, list(ids.values()))
        for c in customers:
            assert got[ids[c["number"]]] == expected_balance(c), c["number"]
        values = list(got.values())
        assert min(values) < 0 and max(values) > 0 and values.count(Decimal("0.00")) > 50
        scored = [c for c in customers if sum(i.get("status") == "paid" for i in c["invoices"]) > 5]
        for c in scored[:10] + [max(scored, key=expected_scoring), min(scored, key=expected_scoring)]:
            st = standing(conn, ids[c["number"]])
            assert st.scoring == expected_scoring(c), c["number"]
            assert st.paid_invoices == sum(i.get("status") == "paid" for i in c["invoices"])
    hits = cs.search(ctx, "novak")
    assert any(re.match(r"Novák\b", h.name) for h in hits)
    card = cs.get_card(ctx, customers[0]["number"])
    assert card.status == customers[0]["status"]
    assert card.values["billing_group"] == customers[0]["billing_group"]
    # The next customer added by hand continues the numbering.
    assert cs.create(ctx, "Nový Zákazník") == customers[-1]["number"] + 1
    # System settings come with it: mail can be sent from the demo at once.
    from ispterm.messaging.service import senders

    assert senders(ctx).addresses == ("podpora@sitesumperk.cz", "fakturace@sitesumperk.cz")


def test_private_notes_are_hidden_from_other_operators(ctx, db_url):
    from ispterm.audit.service import history
    from ispterm.connect import open_ctx
    from ispterm.notes.service import list_notes

    loader.load(ctx, demo())
    support = open_ctx(db_url, "support1")
    target = next(c for c in demo()["customers"]
                  if any(n["private"] and n["author"] != "support1" and not n.get("deleted_at")
                         for n in c["notes"]))
    secret = next(n["text"] for n in target["notes"] if n["private"] and n["author"] != "support1")
    assert secret in [n.text for n in list_notes(ctx, target["number"])]
    seen = [n.text for n in list_notes(support, target["number"])]
    assert secret not in seen
    public = [n["text"] for n in target["notes"] if not n["private"] and not n.get("deleted_at")]
    assert sorted(seen) == sorted(public)
    assert secret in [h.new for h in history(ctx, target["number"], limit=500)]
    assert secret not in [h.new for h in history(support, target["number"], limit=500)]
    # A loaded operator can act: viewer is read-only, support may not load data.
    with pytest.raises(PermissionDenied):
        loader.load(support, demo())


def test_second_load_is_refused_and_changes_nothing(ctx):
    loader.load(ctx, demo())
    before = counts(ctx)
    with pytest.raises(ValidationError) as info:
        loader.load_file(ctx, loader.demo_path())
    assert info.value.field == "database"
    assert f"already has {before['customer']:,} customers" in str(info.value)
    assert counts(ctx) == before


def test_bad_files_give_one_line_errors_and_write_nothing(ctx, tmp_path):
    before = counts(ctx)
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "ispterm-demo/1", "customers": [', encoding="utf-8")
    with pytest.raises(IsptermError) as info:
        loader.load_file(ctx, broken)
    assert str(broken) in str(info.value) and "\n" not in str(info.value)

    with pytest.raises(NotFound) as info:
        loader.load_file(ctx, tmp_path / "missing.json")
    assert "missing.json" in str(info.value)

    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(ValidationError, match="not an ispterm data set"):
        loader.load_file(ctx, other)

    # A bad value deep in the file fails the whole load, after operators and codes were added.
    data = json.loads(json.dumps(demo()))
    last = [c for c in data["customers"] if c["invoices"]][-1]
    last["invoices"][0]["total"] = 12.5
    last["marks"] = ["Brand new mark"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        loader.load_file(ctx, bad)
    message = str(info.value)
    assert str(bad) in message and f"customer {last['number']}" in message and "total" in message
    assert counts(ctx) == before


@pytest.mark.parametrize("settings,why", [
    ({"sender_addresses": "not an address"}, "settings.sender_addresses: "),
    ({"sender_adresses": "noc@isp.example"}, "settings.sender_adresses: unknown setting 'sender_adresses' "
                                             "(did you mean 'sender_addresses'?)"),
    (["sender_addresses"], "settings: must be an object of setting names and values"),
])
def test_bad_settings_in_a_data_set_name_the_setting_and_load_nothing(ctx, tmp_path, settings, why):
    before = counts(ctx)
    data = json.loads(json.dumps(demo()))
    data["settings"] = settings
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        loader.load_file(ctx, bad)
    assert str(info.value).startswith(f"file: {bad}: {why}") and "\n" not in str(info.value)
    assert counts(ctx) == before
    from ispterm.messaging.service import senders

    assert senders(ctx).addresses == ()


def test_demo_path_reports_a_missing_file(monkeypatch, tmp_path):
    # A data package without the file, then no data package at all.
    (tmp_path / "empty_sample_data").mkdir()
    (tmp_path / "empty_sample_data" / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(loader, "DATA_PACKAGE", "empty_sample_data")
    with pytest.raises(NotFound, match="demo data set not found at .*empty_sample_data"):
        loader.demo_path()
    monkeypatch.setattr(loader, "DATA_PACKAGE", "no_such_sample_data")
    with pytest.raises(NotFound, match="demo data set not found: the no_such_sample_data package"):
        loader.demo_path()


def test_demo_path_is_package_data_of_sample_data():
    """Found with importlib.resources (so an installed wheel finds its own copy, see
    test_wheel.py); in a checkout that is the committed file."""
    path = loader.demo_path()
    assert path == loader.data_dir() / "demo.json"
    assert path.resolve() == (Path(__file__).resolve().parents[1] / "sample_data" / "demo.json").resolve()


# --------------------------------------------------------------------------- scale generator


def test_generate_adds_customers_invoices_and_search_documents(ctx):
    from ispterm.billing.balance import balances
    from ispterm.customers import service as cs

    before = counts(ctx)
    summary = scale.generate(ctx, customers=300, months=3)
    after = counts(ctx)
    assert after["customer"] - before["customer"] == 300
    assert after["invoice"] - before["invoice"] == 900
    paid = after["payment"] - before["payment"]
    assert summary == f"generated 300 customers, 900 invoices, {paid:,} payments"
    assert 600 < paid < 900
    ids = customer_ids(ctx)
    assert sorted(ids) == list(range(10001, 10301))
    hits = cs.search(ctx, "10257")
    assert [h.number for h in hits][:1] == [10257]
    card = cs.get_card(ctx, 10257)
    assert card.services and card.services[0].ips
    assert card.standing.invoiced == card.services[0].price * 3
    with ctx.read() as s:
        values = balances(s.connection(), list(ids.values()))
    assert all(b <= 0 for b in values.values()) and any(b < 0 for b in values.values())
    # Numbers continue after the highest; invoice numbers stay unique.
    scale.generate(ctx, customers=5, months=2, seed=2)
    assert max(customer_ids(ctx)) == 10305
    with pytest.raises(ValidationError):
        scale.generate(ctx, customers=0)


def test_generate_after_the_demo_continues_numbers_and_invoice_series(ctx):
    from ispterm.billing.model import Invoice

    loader.load(ctx, demo())
    last = demo()["customers"][-1]["number"]
    scale.generate(ctx, customers=20, months=2)
    ids = customer_ids(ctx)
    assert max(ids) == last + 20
    with ctx.read() as s:
        numbers = s.connection().execute(select(Invoice.billing_group_id, Invoice.number)).all()
    assert len(numbers) == len(set(numbers))
