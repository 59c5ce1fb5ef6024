"""Mail and SMS in the app through Pilot: compose from the card, refusals inline, the SMS
counter, the queue screen's retry and cancel, read-only operators, the e-mail history."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Input, Select, Static, TextArea
from textual.worker import WorkerState

from ispterm.customers import service as cs
from ispterm.messaging import service as ms
from screens.app import make_app
from tests.pilot_help import active_keys, screen_text, settle


def make_customer(ctx) -> int:
    from ispterm.settings.service import set_setting

    set_setting(ctx, "sender_addresses", "noc@isp.example, billing@isp.example")
    return cs.create(ctx, "Novák Jan", {"email": "jan@example.cz", "tech_email": "tech@example.cz",
                                        "mobile": "+420601123456"})


@pytest.fixture
def customer(ctx):
    return make_customer(ctx)


# Screens that only show what services return run on SQLite alone (the services are tested on
# both databases); flows that write through the app run on both.
@pytest.fixture
def sqlite_ctx(sqlite_url):
    from ispterm.connect import open_ctx

    return open_ctx(sqlite_url, "admin")


def error_text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def files_shown(app) -> list[str]:
    files = app.screen.query_one("#mail-files")
    return [str(files.get_option_at_index(i).prompt) for i in range(files.option_count)]


def check_only(app, address: str) -> None:
    """Tick just the offered recipient whose label shows ``address``."""
    boxes = list(app.screen.query("#mail-recipients Checkbox").results(Checkbox))
    assert any(address in str(b.label) for b in boxes), [str(b.label) for b in boxes]
    for box in boxes:
        box.value = address in str(box.label)


async def test_compose_mail_from_the_card_queues_it_for_the_chosen_recipient(ctx, customer, db_url, tmp_path):
    (tmp_path / "sm louva.txt").write_text("terms\n")
    app = make_app(db_url, "admin", number=customer)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ComposeMailDialog"
        assert app.screen.query_one("#mail-sender", Select).value == "noc@isp.example"
        check_only(app, "tech@example.cz")
        app.screen.query_one("#mail-subject", Input).value = "Outage for {{ name }}"
        app.screen.query_one("#mail-body", TextArea).text = "Hello,\n"
        app.screen.query_one("#mail-sender", Select).value = "billing@isp.example"
        attach = app.screen.query_one("#mail-attach", Input)
        attach.value = str(tmp_path / "sm louva.txt")
        attach.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert files_shown(app) == ["sm louva.txt  6 B"]
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen", error_text(app, "#mail-error") \
            if type(app.screen).__name__ == "ComposeMailDialog" else ""
    [item] = ms.list_queue(ctx)
    assert (item.kind, item.status, item.to) == ("email", "queued", "tech@example.cz")
    assert item.subject == "Outage for Novák Jan"  # rendered by the service
    assert item.sender == "billing@isp.example"
    assert item.attachments == (("sm louva.txt", 6),)
    # The operator's choice is remembered for the next mail.
    assert ms.senders(ctx).preselected == "billing@isp.example"


async def test_sixth_attachment_and_bad_address_are_refused_inline_and_nothing_is_queued(
        sqlite_ctx, sqlite_url, tmp_path):
    ctx, db_url = sqlite_ctx, sqlite_url
    customer = make_customer(ctx)
    files = []
    for i in range(6):
        files.append(tmp_path / f"f{i}.txt")
        files[-1].write_text("x" * (i + 1))
    app = make_app(db_url, "admin", number=customer)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        attach = app.screen.query_one("#mail-attach", Input)
        for f in files:
            attach.value = str(f)
            attach.focus()
            await pilot.press("enter")
            await settle(app, pilot)
        assert "at most 5 attachments" in error_text(app, "#mail-error")
        assert len(app.screen.attachments) == 5
        assert attach.has_class("-invalid")
        # A missing file is refused the same way.
        attach.value = str(tmp_path / "missing.pdf")
        attach.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert "attach" in error_text(app, "#mail-error")

        app.screen.query_one("#mail-typed", Input).value = "not an address"
        app.screen.query_one("#mail-subject", Input).value = "Hi"
        app.screen.query_one("#mail-body", TextArea).text = "Body"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ComposeMailDialog", "the dialog stays open"
        assert error_text(app, "#mail-error").startswith("To: not a valid e-mail address")
        assert app.screen.query_one("#mail-typed", Input).has_class("-invalid")

        # An unknown variable in the subject is the service's error too.
        app.screen.query_one("#mail-typed", Input).value = ""
        app.screen.query_one("#mail-subject", Input).value = "Hi {{ nosuch }}"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ComposeMailDialog"
        assert "nosuch" in error_text(app, "#mail-error")
        await pilot.press("escape", "y")  # typed into: esc asks before discarding
        await settle(app, pilot)
    assert ms.list_queue(ctx) == []


async def template_then_none(app, pilot, dialog: str, filled) -> None:
    """Pick a template in the ``dialog`` (mail or sms), then none: what it filled stays, no error."""
    template = app.screen.query_one(f"#{dialog}-template", Select)
    template.value = "payment_reminder"
    await settle(app, pilot)
    text = filled()
    assert text
    template.clear()
    await settle(app, pilot)
    assert error_text(app, f"#{dialog}-error") == ""
    assert filled() == text


async def test_without_sender_addresses_the_dialog_says_which_setting_is_missing(sqlite_ctx, sqlite_url):
    """No sender chosen (none configured): the service's own line naming the setting, not a
    complaint about the address of an empty choice; picking the blank template loads nothing."""
    ctx = sqlite_ctx
    number = cs.create(ctx, "Novák Jan", {"email": "jan@example.cz"})
    app = make_app(sqlite_url, "admin", number=number)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        assert app.screen.query_one("#mail-sender", Select).value is Select.NULL
        await template_then_none(app, pilot, "mail", lambda: app.screen.query_one("#mail-subject", Input).value)
        app.screen.query_one("#mail-body", TextArea).text = "Hello"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ComposeMailDialog"
        assert error_text(app, "#mail-error") == ("Sender: no sender address is configured; set one with "
                                                  "'ispterm settings set sender_addresses ADDRESS'")
        await pilot.press("escape", "y")
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        await template_then_none(app, pilot, "sms", lambda: app.screen.query_one("#sms-text", TextArea).text)
    assert ms.list_queue(ctx) == []


async def test_send_settings_attaches_the_pdf_to_the_prefilled_mail(sqlite_ctx, sqlite_url):
    ctx, db_url = sqlite_ctx, sqlite_url
    customer = make_customer(ctx)
    app = make_app(db_url, "admin", number=customer)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        assert app.screen.query_one("#mail-template", Select).value == "service_settings"
        assert "Service settings" in app.screen.query_one("#mail-subject", Input).value
        assert files_shown(app)[0].startswith(f"service-settings-{customer}.pdf  ")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
    [item] = ms.list_queue(ctx)
    [(name, size)] = item.attachments
    assert name == f"service-settings-{customer}.pdf" and size > 500
    assert item.subject == f"Service settings of customer {customer}"


async def test_sms_counter_shows_parts_of_a_long_ucs2_text_and_queues_it(sqlite_ctx, sqlite_url):
    ctx, db_url = sqlite_ctx, sqlite_url
    customer = make_customer(ctx)
    text = "Příliš žluťoučký kůň úpěl ďábelské ódy. " * 3  # 120 characters with diacritics
    app = make_app(db_url, "admin", number=customer)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ComposeSmsDialog"
        app.screen.query_one("#sms-text", TextArea).text = text
        await settle(app, pilot)
        label = error_text(app, "#sms-count")
        assert "UCS-2" in label and "2 SMS" in label and f"{len(text)} chars" in label
        app.screen.query_one("#sms-text", TextArea).text = "Ahoj"
        await settle(app, pilot)
        assert error_text(app, "#sms-count").startswith("4 chars, 1 SMS, GSM-7")
        # A recipient that is not a number nor an operator is refused inline.
        app.screen.query_one("#sms-to", Input).value = "nobody"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ComposeSmsDialog"
        assert "nobody" in error_text(app, "#sms-error")
        app.screen.query_one("#sms-to", Input).value = "customer"
        app.screen.query_one("#sms-text", TextArea).text = text
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
    [item] = ms.list_queue(ctx, kind="sms")
    assert item.to == "+420601123456" and item.status == "queued"


async def test_sms_from_the_app_without_a_gateway_in_its_config_is_refused(sqlite_ctx, sqlite_url, tmp_path):
    """The app passes its config to the services, as the CLI does: no sms.url, nothing queued."""
    from ispterm.config import load

    customer = make_customer(sqlite_ctx)
    path = tmp_path / "config.toml"
    path.write_text('[ui]\ntheme = "ispterm-dark"\n', encoding="utf-8")
    app = make_app(sqlite_url, "admin", number=customer, config=load(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        app.screen.query_one("#sms-text", TextArea).text = "Ahoj"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ComposeSmsDialog"
        shown = error_text(app, "#sms-error") + " ".join(str(n.message) for n in app._notifications)
        assert "sms.url" in shown
    assert ms.list_queue(sqlite_ctx, kind="sms") == []


async def test_queue_screen_cancel_and_retry_change_the_state(ctx, customer, db_url):
    first = ms.send_email(ctx, customer, subject="One", body="1")
    second = ms.send_email(ctx, customer, subject="Two", body="2")
    app = make_app(db_url, "admin")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("f4")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "MailQueueScreen"
        text = screen_text(app)
        assert "One" in text and "Two" in text
        assert f"#{second.id} email" in text  # the newest is highlighted and described
        await pilot.press("x")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ConfirmDialog"
        await pilot.press("y")
        await settle(app, pilot)
        assert ms.get_message(ctx, second.id).status == "cancelled"
        assert "cancelled" in screen_text(app)
        await pilot.press("x")  # a cancelled message cannot be cancelled again: the service says so
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert ms.get_message(ctx, second.id).status == "cancelled"
        await pilot.press("r")
        await settle(app, pilot)
        assert ms.get_message(ctx, second.id).status == "queued"
        assert ms.get_message(ctx, first.id).status == "queued"

        # The filter shows only what was asked for.
        ms.cancel(ctx, first.id)
        app.screen.query_one("#queue-filter", Select).value = "cancelled"
        await settle(app, pilot)
        text = screen_text(app)
        assert "One" in text and "Two" not in text


async def test_mail_history_on_the_card_shows_the_error(sqlite_ctx, sqlite_url):
    ctx, db_url = sqlite_ctx, sqlite_url
    customer = make_customer(ctx)
    from datetime import timedelta

    from ispterm.messaging import queue

    queued = ms.send_email(ctx, customer, subject="Bounced", body="x", to="technical")
    [claimed] = queue.claim(ctx.engine, "t", kind="email", limit=1, lease=timedelta(seconds=60),
                            now=ctx.now())
    queue.finish(ctx.engine, claimed, "t", queue.Outcome("failed", "550 5.1.1 mailbox unavailable"), now=ctx.now(),
                 policy=queue.Policy())
    app = make_app(db_url, "admin", number=customer)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("M")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "MailHistoryScreen"
        text = screen_text(app)
        assert "Bounced" in text and "550 5.1.1 mailbox unavailable" in text and "failed" in text
        await pilot.press("escape")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
        await pilot.press("5")  # the Tech support timeline shows the server's reply too
        await settle(app, pilot)
        detail = str(app.screen.query_one("#timeline-detail").render())
        assert "failed" in detail and "reply: 550 5.1.1 mailbox unavailable" in detail
    assert ms.get_message(ctx, queued.id).status == "failed"


async def test_readonly_operator_has_no_send_actions(ctx, customer, as_role, db_url):
    ms.send_email(ctx, customer, subject="One", body="1")
    as_role("readonly", "viewer")
    app = make_app(db_url, "viewer", number=customer)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        keys = active_keys(app)
        assert not {"m", "t", "g"} & keys
        assert "M" in keys  # reading the history is allowed
        await pilot.press("m")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
        app.open_mail_queue()
        await settle(app, pilot)
        assert type(app.screen).__name__ == "MailQueueScreen"
        assert not {"r", "x"} & active_keys(app)
    app = make_app(db_url, "admin", number=customer, readonly=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert not {"m", "t", "g"} & active_keys(app)
        assert not app.sender.running



async def test_the_sender_started_by_the_app_delivers_to_a_local_smtp_server(sqlite_ctx, sqlite_url, tmp_path):
    """The App runs the sender as its own worker: a queued mail reaches aiosmtpd, the queue
    row turns sent with the server's reply, and leaving the app stops the sender cleanly."""
    import asyncio
    import time

    from ispterm.config import load
    from tests.mailfixtures import SmtpServer, write_config

    customer = make_customer(sqlite_ctx)
    queued = ms.send_email(sqlite_ctx, customer, subject="Hello from the app", body="x")
    with SmtpServer() as server:
        path = tmp_path / "config.toml"
        write_config(path, server.port)
        app = make_app(sqlite_url, "admin", config=load(path))
        async with app.run_test(size=(100, 30)) as pilot:
            arrived = await asyncio.to_thread(server.handler.wait_for, 1, 20)
            assert arrived, "the app's sender delivered nothing"
            deadline = time.monotonic() + 20
            while app.sender.events == 0 and time.monotonic() < deadline:
                await pilot.pause(0.05)  # waiting for the sender's event, not for time
            assert app.sender.events >= 1
            assert app.sender.running
            worker = app.sender.worker
            app.exit()  # what q does: the App asks the sender to stop and waits for it
            await asyncio.wait_for(worker.wait(), 15)
            assert worker.state == WorkerState.SUCCESS, "stopped by its stop event, not cancelled"
    [got] = server.handler.received
    assert got.message["Subject"] == "Hello from the app" and got.rcpt_tos == ["jan@example.cz"]
    item = ms.get_message(sqlite_ctx, queued.id)
    assert item.status == "sent" and "queued as 42" in (item.reply or "")
    assert got.message_id == item.message_id


async def test_a_sender_that_cannot_start_is_reported_once_and_the_app_goes_on(sqlite_url, tmp_path):
    from ispterm.config import load

    path = tmp_path / "config.toml"
    # A login without any password: the sender refuses to start (ConfigError), the app lives.
    path.write_text('[smtp]\nhost = "127.0.0.1"\nusername = "me"\npassword_env = "NO_SUCH_VARIABLE_X"\n')
    app = make_app(sqlite_url, "admin", config=load(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert not app.sender.running
        assert app.sender.warned == {"stopped"}
        assert type(app.screen).__name__ == "CustomerListScreen"
        await pilot.press("f4")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "MailQueueScreen"


async def test_contact_mails_from_the_contacts_table_and_the_contacts_history(sqlite_ctx, sqlite_url):
    from ispterm.customers.contacts import add_contact

    ctx = sqlite_ctx
    customer = make_customer(ctx)
    add_contact(ctx, customer, {"name": "Eva Nováková", "email": "eva@example.cz"})
    app = make_app(sqlite_url, "admin", number=customer)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("c", "w")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ContactMailMenu"
        await pilot.press("enter")  # the first choice: welcome
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
        await pilot.press("w", "end", "enter")  # the last choice: this contact's history
        await settle(app, pilot)
        assert type(app.screen).__name__ == "MailHistoryScreen"
        text = screen_text(app)
        assert "Welcome, Eva Nováková" in text and "eva@example.cz" in text
    [item] = ms.list_queue(ctx)
    assert item.to == "eva@example.cz" and item.contact_id is not None


async def test_a_payment_reminder_to_a_customer_who_owes_nothing_is_refused_in_the_dialog(
        sqlite_ctx, sqlite_url):
    n = make_customer(sqlite_ctx)  # owes nothing
    app = make_app(sqlite_url, "admin", number=n)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        app.screen.query_one("#mail-template", Select).value = "payment_reminder"
        await settle(app, pilot)
        assert app.screen.query_one("#mail-subject", Input).value  # the template filled it
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ComposeMailDialog"
        assert "owes nothing" in error_text(app, "#mail-error")
    assert ms.list_queue(sqlite_ctx) == []
