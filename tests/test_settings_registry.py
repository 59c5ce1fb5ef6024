"""The settings registry: every value ``settings set`` accepts is one that the commands
reading it can use, and a value out of range is refused naming the setting and its range."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ispterm.errors import ValidationError
from ispterm.settings import registry
from ispterm.settings import service as ss

# The commands that read each setting (a setting not named here is read by none of these,
# only checked by `settings list`, which every example runs).
READERS: dict[str, list[list[str]]] = {
    "customer_number_start": [["customer", "add", "--name", "Next Customer"]],
    "phone_region": [["customer", "add", "--name", "Phone", "--set", "mobile=604 123 456"]],
    "invoice_due_days": [["billing", "invoice", "{n}", "--line", "Router:1200"],
                         ["billing", "invoice-run", "--period", "{period}", "--dry-run"]],
    "currency": [["billing", "invoice", "{n}", "--line", "Router:1200"], ["customer", "show", "{n}"]],
    "suspend_enabled": [["billing", "suspend", "--dry-run"]],
    "suspend_min_amount": [["billing", "suspend", "--dry-run"]],
    "suspend_days_after_due": [["billing", "suspend", "--dry-run"]],
    "sms_divide_after_chars": [["sms", "count", "Dobrý den, " * 30]],
    "sender_addresses": [["mail", "send", "{n}", "--template", "payment_reminder"]],
}

# Text an operator (or a script) might type: numbers around every range, decimals in every
# notation, words, and the usual tricks.
VALUES = st.one_of(
    st.integers(-10**13, 10**13).map(str),
    st.sampled_from(["0", "1", "-1", "14", "365", "366", "999999999", "1000000000", "1600", "1601",
                     "1e999", "1E3", "0x10", "１２", "٣", " 14 ", "14.5", "100,00", "1 000",
                     "1000000.01", "-0.00", "NaN", "Infinity", "yes", "no", "CZK", "eur", "usd",
                     "SK", "xx", "a@b.cz", "a@b.cz, c@d.cz", "not an address", "http://crm/[id]",
                     "javascript:alert(1)", "", " ", "\x00", "a\u202eb", "x" * 2000]),
    st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
    st.text(max_size=20),
)


@pytest.mark.parametrize("key", sorted(registry.SETTINGS))
def test_any_value_settings_accept_never_breaks_the_commands_that_read_it(key, sqlite_url, capsys):
    from tests.conftest import ADMIN, cli_on

    cli = cli_on(sqlite_url, capsys)
    code, out, _err = cli("customer", "add", "--name", "Reader Customer")
    number = out.strip().split()[-1]
    from ispterm.connect import open_ctx

    ctx = open_ctx(sqlite_url, ADMIN)
    period = ctx.today().strftime("%Y-%m")

    @settings(max_examples=25, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(raw=VALUES)
    def check(raw: str) -> None:
        try:
            ss.set_setting(ctx, key, raw)
        except ValidationError as exc:
            assert exc.field == key and "Traceback" not in str(exc)
            return
        for args in [["settings", "list"], ["settings", "get", key], *READERS.get(key, [])]:
            args = [a.format(n=number, period=period) for a in args]
            code, _out, err = cli(*args)
            # Accepted means usable: a command may still refuse for its own reasons (no SMTP
            # sender, nothing to bill) with one error line, never with a crash.
            assert "Traceback" not in err and code in (0, 1), (key, raw, args, err)
            if code == 1:
                assert err.startswith("error: ") and err.count("\n") == 1, (key, raw, args, err)
                assert key not in err, f"{key}={raw!r} was accepted, then refused by {args}: {err}"

    check()


@pytest.mark.parametrize("key,raw,words", [
    ("invoice_due_days", "1000000", "at most 365"),
    ("invoice_due_days", "-1", "at least 0"),
    ("customer_number_start", "10000000000", "at most 999999999"),
    ("suspend_days_after_due", "99999999999999", "at most 365"),
    ("suspend_min_amount", "1e999", "not an amount"),
    ("suspend_min_amount", "2000000", "at most 1000000.00"),
    ("sms_divide_after_chars", "5000", "at most 1600"),
    ("currency", "USD", "one of CZK, EUR"),
    ("external_client_link", "javascript:alert(1)", "http:// or https://"),
    ("invoice_due_days", "１２", "whole number"),  # fullwidth digits: int() takes them, we do not
])
def test_values_out_of_range_are_refused_naming_the_range(ctx, key, raw, words):
    before = ss.get_setting(ctx, key)
    with pytest.raises(ValidationError) as exc:
        ss.set_setting(ctx, key, raw)
    assert exc.value.field == key and words in exc.value.why
    assert ss.get_setting(ctx, key) == before


def test_a_value_stored_out_of_range_is_an_error_naming_the_setting(ctx):
    """Written before the range was enforced (or by hand): the commands that read it say
    which setting to fix instead of failing on a date a million days away."""
    from ispterm.settings.model import Setting

    with ctx.write() as s:
        s.add(Setting(key="invoice_due_days", value="1000000"))
    with pytest.raises(ValidationError, match="settings set invoice_due_days"):
        ss.get_setting(ctx, "invoice_due_days")
    listed = {v.key: v.value for v in ss.list_settings(ctx)}
    assert "out of range" in str(listed["invoice_due_days"])


@pytest.mark.parametrize("raw", ["notacolor", "bold", "on red", "red on blue", "#12345", "default",
                                 "color(999)", "x" * 40])
def test_code_colours_must_be_colours(ctx, raw):
    with pytest.raises(ValidationError, match="colour"):
        ss.add_code(ctx, "mark", "Painted", color=raw)
    assert "Painted" not in {c.name for c in ss.list_codes(ctx, "mark")}


@pytest.mark.parametrize("raw,stored", [("Red", "red"), ("bright_black", "bright_black"),
                                        ("#FF8800", "#ff8800"), ("color(33)", "color(33)")])
def test_code_colours_a_terminal_shows_are_kept(ctx, raw, stored):
    assert ss.add_code(ctx, "mark", f"Painted {stored}", color=raw).color == stored
