"""Reading the history (HIS-1): the text filter, customer numbers in the global trail, paging."""

from __future__ import annotations

from ispterm.audit.service import history
from ispterm.customers import service as cs


def test_global_filter_by_customer_number_and_text(ctx):
    first = cs.create(ctx, "First Filter")
    cs.update(ctx, first, {"city": "Brno"})
    second = cs.create(ctx, "Second Filter", {"city": "Zlin"})
    cs.update(ctx, second, {"city": "Olomouc"})
    by_number = history(ctx, text=str(second))
    assert by_number and {h.customer_number for h in by_number} == {second}
    assert ("city", "Zlin", "Olomouc") in [(h.field, h.old, h.new) for h in by_number]
    # Text still matches values wherever they are; blank means no filter.
    assert {h.customer_number for h in history(ctx, text="brno")} == {first}
    assert len(history(ctx, text="  ")) == len(history(ctx))
    # Within one customer a number is only text (it does not widen to another customer).
    assert history(ctx, first, text=str(second)) == []


def test_pages_do_not_overlap_and_cover_everything(ctx):
    n = cs.create(ctx, "Pages")
    for i in range(7):
        cs.update(ctx, n, {"city": f"Town {i}"})
    everything = history(ctx, n, limit=100)
    pages = [history(ctx, n, limit=3, offset=o) for o in range(0, len(everything), 3)]
    assert [h.id for page in pages for h in page] == [h.id for h in everything]


def test_invoice_and_payment_rows_name_their_invoice_and_payment(ctx, cli):
    from datetime import date
    from decimal import Decimal

    from ispterm.billing import invoicing as inv
    from ispterm.billing import service as bs

    n = cs.create(ctx, "Two Invoices")
    first = inv.issue_invoice(ctx, n, [inv.Line("Fiber", Decimal("13.00"))], issued_on=date(2026, 11, 1))
    second = inv.issue_invoice(ctx, n, [inv.Line("TV", Decimal("20.00"))], issued_on=date(2026, 11, 2))
    pay = bs.record_payment(ctx, n, "13.00", date(2026, 11, 5))
    bs.cancel_payment(ctx, pay.id)
    inv.cancel_invoice(ctx, second.id)
    rows = [h for h in history(ctx, n, limit=100) if h.entity in ("invoice", "payment")]
    paid_label = f"payment {pay.id} (13.00 CZK received 2026-11-05)"
    for h in rows:
        # Every row says which invoice or payment: in what it stores and in what it shows.
        assert h.about in (f"invoice {first.number}", f"invoice {second.number}", paid_label), h
        assert h.about in (h.summary or ""), h
        assert h.about in h.describe(), h
    lines = [h.describe() for h in rows]
    assert f"invoice {first.number} status: issued -> paid" in lines
    assert f"invoice {second.number} status: issued -> cancelled" in lines
    assert f"{paid_label} added" in lines
    assert any(x.startswith(f"{paid_label} cancelled_at: ∅ -> ") for x in lines)
    # The payment's "added" row carries the payment's id, as its later rows do.
    assert {h.entity_id for h in rows if h.entity == "payment"} == {pay.id}
    # The CLI prints the same, and --filter finds an invoice's rows by its number.
    code, out, err = cli("history", str(n), "--filter", first.number)
    assert code == 0, err
    assert f"invoice {first.number} status: issued -> paid" in out and second.number not in out


def test_rows_written_before_they_named_their_invoice_still_say_which(ctx):
    """Audit rows are never rewritten: older rows (no summary) get their invoice's number on
    reading, and the number filter finds them too."""
    from datetime import date
    from decimal import Decimal

    from ispterm.audit.model import AuditEvent
    from ispterm.billing import invoicing as inv
    from ispterm.billing.model import Payment
    from ispterm.customers.lookup import customer_by_number

    n = cs.create(ctx, "Old Rows")
    view = inv.issue_invoice(ctx, n, [inv.Line("Fiber", Decimal("13.00"))], issued_on=date(2026, 11, 1))
    with ctx.write() as s:
        c = customer_by_number(s, n)
        p = Payment(customer_id=c.id, received_on=date(2026, 11, 5), amount=Decimal("13.00"), vs=str(n))
        s.add(p)
        s.flush()
        for entity, eid in (("invoice", view.id), ("payment", p.id)):
            s.add(AuditEvent(at=ctx.now(), operator="old", customer_id=c.id, entity=entity, entity_id=eid,
                             action="update", field="status", old="a", new="b", summary=None))
    old = [h for h in history(ctx, n, limit=100) if h.operator == "old"]
    assert sorted(h.describe() for h in old) == [f"invoice {view.number} status: a -> b",
                                                  f"payment {p.id} (13.00 CZK received 2026-11-05) status: a -> b"]
    assert [h.operator for h in history(ctx, n, text=view.number) if h.summary is None] == ["old"]
