"""Search: accent- and case-insensitive, by every identifier, ranked and paged, index kept in step."""

from __future__ import annotations

import pytest
from sqlmodel import select

from ispterm.customers import service as cs


@pytest.fixture
def people(ctx):
    made = {
        "novak": cs.create(ctx, "Novák Jan", {"email": "jan.novak@seznam.cz", "mobile": "+420 777 123 456",
                                              "street": "Žerotínova 3056/81a", "city": "Šumperk", "zip": "78701"}),
        "novakova": cs.create(ctx, "Nováková Marie", {"city": "Zábřeh", "phone": "583 211 222"}),
        "firm": cs.create(ctx, "Sítě Olomouc s.r.o.", {"legal_form": "company", "ico": "25596641",
                                                       "email": "info@site-olomouc.cz", "vs_alt1": "998877"}),
        "smith": cs.create(ctx, "Smith John", {"city": "Brno"}),
    }
    from ispterm.customers.model import Customer, Service, ServiceIp

    with ctx.write() as s:
        cid = s.exec(select(Customer.id).where(Customer.number == made["smith"])).one()
        svc = Service(customer_id=cid, plan="Fiber 250")
        s.add(svc)
        s.flush()
        s.add(ServiceIp(service_id=svc.id, address="10.20.30.40", mac="00:11:22:33:44:55"))
    return made


def numbers(ctx, query, **kw):
    return [r.number for r in cs.search(ctx, query, **kw)]


@pytest.mark.parametrize("query", ["novak jan", "NOVÁK", "Novak J", "jan.novak@seznam.cz", "seznam",
                                   "777 123 456", "+420777123456", "00420 777 123 456", "777123",
                                   "zerotinova", "sumperk", "787 01"])
def test_finds_by_name_email_phone_and_address(ctx, people, query):
    assert numbers(ctx, query)[0] == people["novak"]


def test_prefix_finds_both_novak_and_novakova(ctx, people):
    assert set(numbers(ctx, "novak")) == {people["novak"], people["novakova"]}


def test_number_and_vs_rank_first(ctx, people):
    assert numbers(ctx, str(people["novakova"]))[0] == people["novakova"]
    assert numbers(ctx, "998877") == [people["firm"]]
    assert numbers(ctx, "25596641") == [people["firm"]]


def test_ip_address_and_mac(ctx, people):
    assert numbers(ctx, "10.20.30.40") == [people["smith"]]
    assert numbers(ctx, "10.20.30") == [people["smith"]]


def test_index_follows_edits(ctx, people):
    cs.update(ctx, people["smith"], {"name": "Šťastný Karel"})
    assert numbers(ctx, "stastny") == [people["smith"]]
    assert numbers(ctx, "smith") == []


def test_paging_and_limits(ctx, people):
    for i in range(7):
        cs.create(ctx, f"Pager Person{i}")
    first = numbers(ctx, "pager", limit=5)
    second = numbers(ctx, "pager", limit=5, offset=5)
    assert len(first) == 5 and len(second) == 2 and not set(first) & set(second)
    with pytest.raises(Exception, match="limit"):
        cs.search(ctx, "pager", limit=0)


@pytest.mark.parametrize("query", ["", "   ", '"', "*", "AND", "OR (", "NEAR(", "'; drop table customer; --",
                                   "ä", "💡"])
def test_odd_queries_do_not_crash(ctx, people, query):
    assert isinstance(numbers(ctx, query), list)


def test_search_rows_carry_list_columns(ctx, people):
    cs.update(ctx, people["novak"], {"marks": "VIP, Problem"})
    row = cs.search(ctx, "novak jan")[0]
    assert row.city == "Šumperk" and row.status == "Connected"
    assert [m.name for m in row.marks] == ["VIP", "Problem"]
    assert row.marks[0].color == "yellow"
    assert str(row.balance) == "0.00"


def test_mac_and_email_prefixes(ctx, people):
    assert numbers(ctx, "00:11:22:33") == [people["smith"]]
    assert numbers(ctx, "jan.novak@sez") == [people["novak"]]
    assert numbers(ctx, "info@site-olomouc.cz") == [people["firm"]]


def test_name_start_ranks_before_other_matches(ctx, people):
    other = cs.create(ctx, "Dvořák Petr", {"street": "Novákova 12"})
    found = numbers(ctx, "novak")
    assert found.index(people["novak"]) < found.index(other)
    assert found.index(people["novakova"]) < found.index(other)
