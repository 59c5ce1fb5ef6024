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
