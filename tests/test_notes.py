"""Notes: private notes reach only their author and master admins, in every path."""

from __future__ import annotations

import pytest

from ispterm.audit.service import history
from ispterm.customers import service as cs
from ispterm.errors import Conflict, NotFound, PermissionDenied, ValidationError
from ispterm.notes import service as ns


@pytest.fixture
def people(ctx, as_role):
    return {"boss": ctx, "eva": as_role("support", "eva"), "petr": as_role("admin", "petr"),
            "tech": as_role("technician", "tech")}


def test_private_note_visible_only_to_author_and_master_admin(people):
    n = cs.create(people["boss"], "Private Case")
    note = ns.add_note(people["eva"], n, "He shouted at me; handle carefully", private=True)
    ns.add_note(people["eva"], n, "Public remark")
    seen = {who: [x.text for x in ns.list_notes(c, n)] for who, c in people.items()}
    assert "He shouted at me; handle carefully" in seen["eva"]
    assert "He shouted at me; handle carefully" in seen["boss"]
    assert "He shouted at me; handle carefully" not in seen["petr"]  # admin, not master admin
    assert "He shouted at me; handle carefully" not in seen["tech"]
    assert "Public remark" in seen["tech"]
    # History withholds it the same way, per customer and globally.
    for who in ("petr", "tech"):
        texts = [h.new for h in history(people[who], n)] + [h.new for h in history(people[who])]
        assert "He shouted at me; handle carefully" not in texts
    assert "He shouted at me; handle carefully" in [h.new for h in history(people["eva"], n)]
    # Another operator cannot even address it.
    with pytest.raises(NotFound):
        ns.edit_note(people["petr"], note.id, text="rewritten")
    with pytest.raises(NotFound):
        ns.delete_note(people["tech"], note.id)


def test_alert_notes_are_flagged_for_the_card(ctx):
    n = cs.create(ctx, "Dog Owner")
    ns.add_note(ctx, n, "Dog on the premises - call before visit", alert=True)
    ns.add_note(ctx, n, "Ordinary")
    assert cs.get_card(ctx, n).alert_count == 1
    assert [x.text for x in ns.list_notes(ctx, n, alerts_only=True)] == ["Dog on the premises - call before visit"]


def test_private_alert_note_counts_only_for_those_who_see_it(ctx, as_role):
    n = cs.create(ctx, "Private Alert")
    ns.add_note(ctx, n, "boss only alert", private=True, alert=True)
    assert cs.get_card(ctx, n).alert_count == 1
    assert cs.get_card(as_role("support"), n).alert_count == 0


def test_edit_delete_and_show_deleted(ctx):
    n = cs.create(ctx, "Note Life")
    note = ns.add_note(ctx, n, "first")
    edited = ns.edit_note(ctx, note.id, text="second", expected_version=note.version)
    assert edited.text == "second" and edited.version == note.version + 1
    with pytest.raises(Conflict):
        ns.edit_note(ctx, note.id, text="third", expected_version=note.version)
    ns.delete_note(ctx, note.id)
    assert ns.list_notes(ctx, n) == []
    deleted = ns.list_notes(ctx, n, include_deleted=True)
    assert [(x.text, x.deleted) for x in deleted] == [("second", True)]
    ns.restore_note(ctx, note.id)
    assert [x.text for x in ns.list_notes(ctx, n)] == ["second"]
    fields = [(h.field, h.old, h.new) for h in history(ctx, n)]
    assert ("text", "first", "second") in fields


def test_empty_note_and_permissions(ctx, as_role):
    n = cs.create(ctx, "Note Rules")
    with pytest.raises(ValidationError, match="needs some text"):
        ns.add_note(ctx, n, "   ")
    with pytest.raises(PermissionDenied):
        ns.add_note(as_role("readonly"), n, "hello")
    with pytest.raises(NotFound):
        ns.add_note(ctx, 424242, "hello")
    assert ns.list_notes(ctx, n) == []


def test_only_author_may_make_note_private(ctx, as_role):
    n = cs.create(ctx, "Flip")
    note = ns.add_note(as_role("support", "eva"), n, "shared")
    with pytest.raises(PermissionDenied):
        ns.edit_note(as_role("admin", "petr"), note.id, private=True)


def test_a_note_made_private_takes_its_whole_history_with_it(ctx, as_role, cli):
    """Rows written while the note was public (its creation with the text, its edits) follow
    the note's visibility now: per customer, globally, through the filter, in the CLI."""
    n = cs.create(ctx, "Was Public")
    eva, support = as_role("support", "eva"), as_role("support", "jana")
    note = ns.add_note(eva, n, "was public X")
    ns.edit_note(eva, note.id, text="was public XY")
    assert "was public X" in [h.new for h in history(support, n)]  # public: everyone sees it
    ns.edit_note(eva, note.id, private=True)

    def leaked(c) -> list[str]:
        rows = history(c, n) + history(c) + history(c, text="public X") + history(c, n, text="X")
        return [f"{h.old} {h.new} {h.summary}" for h in rows if h.entity == "note"]

    assert leaked(support) == []
    assert leaked(as_role("admin", "petr")) == []
    for c in (eva, ctx):  # the author and the master admin still see all of it
        assert any("was public X" in row for row in leaked(c))
    for args in (["history", str(n), "--json"], ["history", "--json"], ["history", "--filter", "X", "--json"]):
        code, out, _err = cli(*args, operator="jana")
        assert code == 0 and "was public" not in out, args
    # Made public again, its rows (also those written while private) are everyone's again.
    ns.edit_note(eva, note.id, text="now public again")
    ns.edit_note(eva, note.id, private=False)
    assert {"was public X", "now public again"} <= {h.new for h in history(support, n)}


def test_the_history_of_an_operator_who_sees_not_all_notes_uses_indexes(ctx, as_role):
    from sqlmodel import select

    from ispterm.audit.model import AuditEvent
    from ispterm.audit.service import visible_rows
    from tests.plans import plan

    support = as_role("support", "eva")
    stmt = (select(AuditEvent.id).where(AuditEvent.customer_id == 1, visible_rows(support))
            .order_by(AuditEvent.at.desc()).limit(50))
    with support.read() as s:
        text = plan(s, stmt)
    assert "ix_note_private_author" in text, text  # the private notes of others, not every note
    assert "ix_audit_event_customer_at" in text, text
