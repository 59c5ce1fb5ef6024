"""The service pieces the mail screens added: paging the queue and the e-mail history, the
history's status filter, counts per status, generated attachments counting towards the limit."""

from __future__ import annotations

import pytest

from ispterm.customers import service as cs
from ispterm.errors import ValidationError
from ispterm.messaging import service as ms
from ispterm.messaging.compose import read_attachments


@pytest.fixture
def customer(ctx):
    from ispterm.settings.service import set_setting

    set_setting(ctx, "sender_addresses", "noc@isp.example")
    return cs.create(ctx, "Paging Test", {"email": "p@example.cz"})


def test_queue_and_history_pages_do_not_overlap_and_filter_by_status(ctx, customer):
    ids = [ms.send_email(ctx, customer, subject=f"m{i}", body="x").id for i in range(5)]
    ms.cancel(ctx, ids[0])
    first, second = ms.list_queue(ctx, limit=3), ms.list_queue(ctx, limit=3, offset=3)
    assert [i.id for i in first + second] == sorted(ids, reverse=True)
    page = ms.email_history(ctx, customer, limit=2, offset=2)
    assert [i.id for i in page] == sorted(ids, reverse=True)[2:4]
    assert [i.id for i in ms.email_history(ctx, customer, status="cancelled")] == [ids[0]]
    with pytest.raises(ValidationError) as err:
        ms.email_history(ctx, customer, status="lost")
    assert err.value.field == "status"
    counts = ms.queue_counts(ctx)
    assert counts == {"queued": 4, "sending": 0, "sent": 0, "failed": 0, "cancelled": 1}


def test_generated_attachments_count_towards_the_limit(tmp_path):
    paths = []
    for i in range(5):
        paths.append(tmp_path / f"f{i}")
        paths[-1].write_bytes(b"x")
    assert len(read_attachments(paths)) == 5
    with pytest.raises(ValidationError, match="at most 5 attachments, got 6"):
        read_attachments(paths, already=1)
    assert len(read_attachments(paths[:4], already=1)) == 4
