"""PDFs read back: text extraction (pypdf) and the payment QR decoded from a rendered page
(pypdfium2 renders, zxing-cpp decodes) into a valid SPAYD / EPC payload."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import date
from decimal import Decimal

import pytest

from ispterm.billing import groups, qr
from ispterm.billing import invoicing as inv
from ispterm.billing import service as bs
from ispterm.customers import contacts
from ispterm.customers import service as cs
from ispterm.errors import ValidationError

D = Decimal


@pytest.fixture
def sctx(sqlite_url):
    from ispterm.connect import open_ctx

    return open_ctx(sqlite_url, "admin")


def _text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _qr_codes(data: bytes) -> list[str]:
    import pypdfium2
    import zxingcpp

    pdf = pypdfium2.PdfDocument(data)
    try:
        image = pdf[0].render(scale=3).to_pil()
    finally:
        pdf.close()
    return [b.text for b in zxingcpp.read_barcodes(image) if b.format == zxingcpp.BarcodeFormat.QRCode]


def _png(path) -> str:
    """A tiny valid PNG (logo/stamp)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 8 for _ in range(8))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return str(path)


def test_czech_iban_from_account_numbers():
    # The Czech National Bank's own example, and a demo group account.
    assert qr.czech_iban("19-2000145399/0800") == "CZ6508000000192000145399"
    assert qr.czech_iban("310026767/2010") == "CZ3620100000000310026767"
    with pytest.raises(ValidationError):
        qr.czech_iban("CZ65 0800")


def test_spayd_and_epc_payloads_are_well_formed():
    text = qr.spayd(iban="CZ6508000000192000145399", amount=D("1234.5"), vs="10042",
                    due=date(2026, 1, 15), message="Faktura *1* Šumperk")
    assert text == ("SPD*1.0*ACC:CZ6508000000192000145399*AM:1234.50*CC:CZK*X-VS:10042*DT:20260115"
                    "*MSG:FAKTURA  1  SUMPERK")
    assert qr.parse_spayd(text)["AM"] == "1234.50"
    with pytest.raises(ValueError):
        qr.parse_spayd("SPD*1.0*ACC:CZ0000000000000000000000")
    epc = qr.epc(name="Síť s.r.o.", iban="AT611904300234573201", bic="BKAUATWW", amount=D("12.3"),
                 remittance="Invoice 1")
    assert epc.split("\n") == ["BCD", "002", "1", "SCT", "BKAUATWW", "Síť s.r.o.", "AT611904300234573201",
                               "EUR12.30", "", "", "Invoice 1"]
    assert qr.parse_epc(epc)["amount"] == "12.30"
    with pytest.raises(ValidationError):
        qr.epc(name="x", iban="AT611904300234573201", amount=D("0"))


def test_invoice_pdf_has_number_total_vs_and_a_spayd_qr(sctx, tmp_path):
    from ispterm.billing.printing import invoice_pdf

    groups.edit_group(sctx, "Main", {"company_name": "Sítě Šumperk s.r.o.", "bank_account": "19-2000145399/0800",
                                     "ico": "25596641", "logo_path": _png(tmp_path / "logo.png"),
                                     "stamp_path": _png(tmp_path / "stamp.png")})
    n = cs.create(sctx, "Šťastný Vojtěch", {"street": "Žerotínova 12", "city": "Šumperk"})
    view = inv.issue_invoice(sctx, n, [inv.Line("Fiber 500", D("649.60")), inv.Line("TV", D("199.00"), 1, D("12"))],
                             issued_on=date(2026, 2, 1))
    bs.record_payment(sctx, n, "300.00", date(2026, 2, 3))
    data = invoice_pdf(sctx, view.number)
    text = _text(data)
    for needle in (view.number, "849.00 CZK", str(n), "Šťastný Vojtěch", "Rounding", "12.00 %", "21.00 %",
                   "15.02.2026"):
        assert needle in text, needle
    [code] = _qr_codes(data)
    fields = qr.parse_spayd(code)
    # The QR asks for what is left to pay, with the customer's VS and the due date.
    assert fields["ACC"] == "CZ6508000000192000145399"
    assert (fields["AM"], fields["X-VS"], fields["DT"], fields["CC"]) == ("549.00", str(n), "20260215", "CZK")


def test_eur_group_prints_an_epc_qr(sctx):
    from ispterm.billing.printing import invoice_pdf

    groups.add_group(sctx, "Euro", {"company_name": "Euro Net GmbH", "currency": "EUR",
                                    "iban": "AT61 1904 3002 3457 3201", "bic": "BKAUATWW",
                                    "invoice_prefix": "EU"})
    n = cs.create(sctx, "Euro Customer", {"billing_group": "Euro"})
    view = inv.issue_invoice(sctx, n, [inv.Line("Fiber", D("19.99"), 2, D("20"))], issued_on=date(2026, 3, 1))
    assert (view.number, view.total) == ("EU202600001", D("39.98"))
    data = invoice_pdf(sctx, view.number)
    assert "39.98 EUR" in _text(data)
    [code] = _qr_codes(data)
    fields = qr.parse_epc(code)
    assert (fields["iban"], fields["amount"], fields["bic"]) == ("AT611904300234573201", "39.98", "BKAUATWW")
    assert view.number in fields["remittance"]


def test_paid_invoice_has_no_qr(sctx):
    from ispterm.billing.printing import invoice_pdf

    groups.edit_group(sctx, "Main", {"iban": "CZ6508000000192000145399"})
    n = cs.create(sctx, "Paid Up")
    view = inv.issue_invoice(sctx, n, [inv.Line("Fiber", D("500.00"))], issued_on=date(2026, 2, 1))
    bs.record_payment(sctx, n, "500.00", date(2026, 2, 2))
    assert _qr_codes(invoice_pdf(sctx, view.number)) == []


def _flat(data: bytes) -> str:
    """The PDF's text with line breaks and runs of spaces as one space (pypdf wraps lines)."""
    return " ".join(_text(data).split())


def test_paid_invoice_says_paid_and_when_and_asks_for_nothing(sctx):
    from ispterm.billing.printing import invoice_document, invoice_pdf

    groups.edit_group(sctx, "Main", {"iban": "CZ6508000000192000145399"})
    n = cs.create(sctx, "Paid In Full")
    view = inv.issue_invoice(sctx, n, [inv.Line("Fiber", D("13.00"))], issued_on=date(2026, 12, 1))
    bs.record_payment(sctx, n, "13.00", date(2026, 12, 3))
    doc = invoice_document(sctx, view.number)
    assert (doc.settlement, doc.paid_on, doc.outstanding) == ("paid", date(2026, 12, 3), D("0.00"))
    data = invoice_pdf(sctx, view.number)
    text = _flat(data)
    assert "Total: 13.00 CZK" in text and "Paid in full on 03.12.2026" in text and "(PAID)" in text
    for wrong in ("Total to pay", "Please pay", "Left to pay", "0.00 CZK by", "Scan the QR"):
        assert wrong not in text, wrong
    assert _qr_codes(data) == []


def test_partly_paid_invoice_says_total_paid_and_what_remains_by_the_due_date(sctx):
    from ispterm.billing.printing import invoice_document, invoice_pdf

    groups.edit_group(sctx, "Main", {"iban": "CZ6508000000192000145399"})
    n = cs.create(sctx, "Part Paid")
    view = inv.issue_invoice(sctx, n, [inv.Line("Fiber", D("500.00"))], issued_on=date(2026, 12, 1),
                             due_on=date(2026, 12, 16))
    bs.record_payment(sctx, n, "120.00", date(2026, 12, 3))
    assert invoice_document(sctx, view.number).settlement == "part_paid"
    data = invoice_pdf(sctx, view.number)
    text = _flat(data)
    for needle in ("Total: 500.00 CZK", "Paid: 120.00 CZK", "Left to pay: 380.00 CZK by 16.12.2026",
                   "Please pay 380.00 CZK by 16.12.2026"):
        assert needle in text, needle
    assert "Total to pay" not in text and "Paid in full" not in text
    [code] = _qr_codes(data)
    assert qr.parse_spayd(code)["AM"] == "380.00"


def test_unpaid_and_cancelled_invoices(sctx):
    from ispterm.billing.printing import invoice_document, invoice_pdf

    groups.edit_group(sctx, "Main", {"iban": "CZ6508000000192000145399"})
    n = cs.create(sctx, "Unpaid Then Cancelled")
    view = inv.issue_invoice(sctx, n, [inv.Line("Fiber", D("500.00"))], issued_on=date(2026, 12, 1),
                             due_on=date(2026, 12, 16))
    text = _flat(invoice_pdf(sctx, view.number))
    assert "Total to pay: 500.00 CZK" in text and "Please pay 500.00 CZK by 16.12.2026" in text
    assert "Paid" not in text.replace("Please pay", "")
    inv.cancel_invoice(sctx, view.id)
    assert invoice_document(sctx, view.number).settlement == "cancelled"
    data = invoice_pdf(sctx, view.number)
    text = _flat(data)
    assert "(CANCELLED)" in text and "This invoice is cancelled" in text
    for wrong in ("Total to pay", "Please pay", "Left to pay", "Scan the QR"):
        assert wrong not in text, wrong
    assert _qr_codes(data) == []


def test_statement_pdf_balances(sctx):
    from ispterm.billing.account import account_statement, statement_pdf

    n = cs.create(sctx, "Statement Customer")
    for month in (1, 2, 3):
        inv.issue_invoice(sctx, n, [inv.Line("Fiber", D("500.00"))], issued_on=date(2026, month, 1))
    bs.record_payment(sctx, n, "700.00", date(2026, 1, 10))
    bs.record_payment(sctx, n, "200.00", date(2026, 2, 20))
    doc = account_statement(sctx, n, date(2026, 2, 1), date(2026, 2, 28))
    assert (doc.opening, doc.invoiced, doc.paid, doc.closing) == (D("200.00"), D("500.00"), D("200.00"), D("-100.00"))
    assert [e.balance for e in doc.entries] == [D("-300.00"), D("-100.00")]
    full = account_statement(sctx, n, date(2025, 1, 1), date(2026, 12, 31))
    assert full.closing == cs.get_card(sctx, n).standing.balance == D("-600.00")
    text = _text(statement_pdf(sctx, n, date(2026, 2, 1), date(2026, 2, 28)))
    assert "Opening balance: 200.00 CZK" in text and "Closing balance: -100.00 CZK" in text
    with pytest.raises(ValidationError, match="before its start"):
        account_statement(sctx, n, date(2026, 3, 1), date(2026, 2, 1))


def test_service_settings_pdf_lists_ip_mac_and_dns(sctx):
    from ispterm.documents.service_settings import settings_pdf

    n = cs.create(sctx, "Settings Customer")
    contacts.add_service(sctx, n, "Fiber 1000", "899.00", ips=["10.1.2.3"], mac="AA:BB:CC:DD:EE:01",
                         dns="1.1.1.1, 9.9.9.9")
    text = _text(settings_pdf(sctx, n))
    for needle in ("Fiber 1000", "10.1.2.3", "aa:bb:cc:dd:ee:01", "1.1.1.1, 9.9.9.9", str(n)):
        assert needle in text, needle


def test_group_validation_refuses_bad_values_and_keeps_the_group(sctx, tmp_path):
    before = groups.get_group(sctx, "Main")
    (tmp_path / "logo.gif").write_bytes(b"GIF89a....")
    for values, field in (({"iban": "CZ00 1234"}, "iban"), ({"bank_account": "124/0100"}, "bank_account"),
                          ({"logo_path": str(tmp_path / "logo.gif")}, "logo_path"),
                          ({"stamp_path": str(tmp_path / "missing.png")}, "stamp_path"),
                          ({"currency": "USD"}, "currency"), ({"ico": "12345678"}, "ico"),
                          ({"colour": "red"}, "colour")):
        with pytest.raises(ValidationError) as info:
            groups.edit_group(sctx, "Main", values)
        assert info.value.field == field
    assert groups.get_group(sctx, "Main") == before
    with pytest.raises(ValidationError, match="IBAN"):
        groups.add_group(sctx, "NoIban", {"currency": "EUR"})


def test_cli_pdf_and_errors(cli, ctx, tmp_path):
    n = cs.create(ctx, "Cli Pdf")
    view = inv.issue_invoice(ctx, n, [inv.Line("Fiber", D("500.00"))], issued_on=date(2026, 2, 1))
    out = tmp_path / "inv.pdf"
    code, stdout, err = cli("billing", "pdf", view.number, "-o", str(out))
    assert code == 0, err
    assert view.number in _text(out.read_bytes())
    code, _, err = cli("billing", "pdf", "209900001")
    assert code == 1 and err == "error: invoice 209900001 does not exist\n"
    code, _, err = cli("billing", "statement", str(n), "--from", "2026-01-01", "--to", "2026-13-01")
    assert code == 1 and err.startswith("error: --to:")
    code, _, err = cli("billing", "group", "edit", "Main", "--set", "iban=XX")
    assert code == 1 and "iban" in err


def test_send_account_summary_queues_the_statement_pdf(cli, ctx):
    from ispterm.messaging.service import list_queue
    from ispterm.settings.service import set_setting

    n = cs.create(ctx, "Summary", {"email": "summary@example.cz", "billing_email": "money@example.cz"})
    inv.issue_invoice(ctx, n, [inv.Line("Fiber", D("500.00"))], issued_on=date(2026, 1, 5))
    code, _, err = cli("billing", "statement", str(n), "--from", "2026-01-01", "--to", "2026-01-31", "--send")
    assert code == 1 and "sender" in err and list_queue(ctx, number=n) == []
    set_setting(ctx, "sender_addresses", "billing@isp.example")
    code, out, err = cli("billing", "statement", str(n), "--from", "2026-01-01", "--to", "2026-01-31", "--send")
    assert code == 0, err
    assert "account summary queued as message" in out and "money@example.cz" in out
    [item] = list_queue(ctx, number=n)
    assert item.to == "money@example.cz" and "Account statement" in item.subject
    [(name, size)] = item.attachments
    assert name == f"statement-{n}-2026-01-01-2026-01-31.pdf" and size > 1000


def test_service_settings_mail_to_a_technician(cli, ctx):
    from ispterm.messaging.service import list_queue
    from ispterm.settings.service import set_setting

    set_setting(ctx, "sender_addresses", "noc@isp.example")
    n = cs.create(ctx, "Settings Mail")
    contacts.add_service(ctx, n, "Fiber 250", "499.00", ips=["10.9.8.7"])
    code, out, err = cli("billing", "service-settings", str(n), "--send", "tech@isp.example")
    assert code == 0, err
    [item] = list_queue(ctx, number=n)
    assert item.to == "tech@isp.example" and item.attachments[0][0] == f"service-settings-{n}.pdf"
    code, _, err = cli("billing", "service-settings", str(n), "--send", "not an address")
    assert code == 1 and err.startswith("error: --send:")
    assert len(list_queue(ctx, number=n)) == 1
