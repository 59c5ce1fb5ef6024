"""History through the real app: the card's tab filters the audit trail in a worker and shows
old -> new; the global screen pages (never all rows at once) and opens a customer's card."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from ispterm.customers import service as cs
from screens.app import make_app
from tests.pilot_help import active_keys, screen_text, settle


def rows(app) -> list[list[str]]:
    table = app.screen.query_one("#history-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_card_history_filter_finds_an_edit_with_old_and_new(ctx, db_url):
    n = cs.create(ctx, "Filter Case", {"city": "Brno"})
    cs.update(ctx, n, {"city": "Olomouc"})
    cs.update(ctx, n, {"email": "filter@example.cz"})
    app = make_app(db_url, "admin", number=n, tab="history")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        shown = rows(app)
        assert len(shown) >= 3 and ["customer.city", "Brno -> Olomouc"] in [r[2:] for r in shown]
        assert app.focused is app.screen.query_one("#history-table")  # digits still switch tabs
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#history-filter", Input)
        await pilot.press(*"olomouc")
        await settle(app, pilot)
        assert [r[2:] for r in rows(app)] == [["customer.city", "Brno -> Olomouc"]]
        assert "Brno -> Olomouc" in str(app.screen.query_one("#history-detail").render())
        await pilot.press(*"zzz")
        await settle(app, pilot)
        assert rows(app) == []
        assert "Nothing matches 'olomouczzz'" in str(app.screen.query_one("#history-detail").render())
        # esc leaves the box for the rows first, then goes back as everywhere.
        await pilot.press("escape")
        assert app.focused is app.screen.query_one("#history-table")
        assert not {"a", "e", "d", "n"} & active_keys(app)


async def test_global_history_pages_and_opens_the_customer(ctx, db_url, monkeypatch):
    import screens.widgets.history_view as hv

    monkeypatch.setattr(hv, "PAGE", 4)
    first = cs.create(ctx, "Paging One")
    second = cs.create(ctx, "Paging Two")
    for i in range(5):
        cs.update(ctx, first, {"city": f"Town {i}"})
    cs.update(ctx, second, {"city": "Last Town"})
    app = make_app(db_url, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.open_history()
        await settle(app, pilot)
        assert type(app.screen).__name__ == "GlobalHistoryScreen"
        assert len(rows(app)) == 4  # one page, not the whole trail
        assert rows(app)[0][2:] == [str(second), "customer.city", "∅ -> Last Town"]
        await pilot.press("end")  # cursor to the last loaded row fetches the next page
        await settle(app, pilot)
        assert len(rows(app)) == 8
        await pilot.press("end")
        await settle(app, pilot)
        total = 1 + 2 + 6  # operator admin added, two customers added, six edits
        loaded = app.screen.query_one("#global-history").entries
        assert len(loaded) == total and len({e.id for e in loaded}) == total
        assert rows(app)[-1][3:] == ["operator create", "operator admin added"]
        # Filter, then enter opens that customer's card.
        await pilot.press("slash", *"last town", "enter")
        await settle(app, pilot)
        assert len(rows(app)) == 1
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen" and app.screen.number == second
        await pilot.press("escape")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "GlobalHistoryScreen"


async def test_an_invoice_paid_shows_which_invoice_in_the_history(ctx, db_url):
    from datetime import timedelta
    from decimal import Decimal

    from ispterm.billing import service as bs
    from ispterm.billing.invoicing import Line, issue_invoice

    n = cs.create(ctx, "Which Invoice")
    today = ctx.today()
    inv = issue_invoice(ctx, n, [Line("Fiber", Decimal("499.00"))], issued_on=today - timedelta(days=3))
    bs.record_payment(ctx, n, Decimal("499.00"), today)
    app = make_app(db_url, "admin", number=n, tab="history")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
    assert f"invoice {inv.number} · status" in text and "issued -> paid" in text
