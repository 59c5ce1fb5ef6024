"""Statement parsers on real published files and on files written for the Czech conventions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ispterm.billing.statements import csvfile, detect
from ispterm.billing.statements.parsed import MalformedStatement, normal_vs, vs_from_text
from ispterm.errors import ValidationError

DATA = Path(__file__).parent / "data"


def parse(rel: str, **kw):
    return detect.parse((DATA / rel).read_bytes(), Path(rel).name, **kw)


def test_real_camt053_v08_statement():
    st = parse("camt053/ofxstatement-iso20022_camt053_v08.xml")
    assert (st.format, st.account, st.sequence, st.currency) == ("camt053", "0035-2915203-10-000", "12", "CHF")
    assert st.statement_date == date(2023, 1, 26)
    [e] = st.entries
    assert (e.amount, e.currency, e.booked_on) == (Decimal("1284.30"), "CHF", date(2023, 1, 25))
    assert (e.counterparty, e.message, e.bank_ref, e.vs) == ("PAYEE", "PAYMENT INFO", "8082230156M02SJ62/1010", None)
    assert e.booked and not e.reversal


def test_real_camt053_v02_statement_with_crlf_and_plain_status():
    st = parse("camt053/ofxstatement-iso20022_gcamp6_v02.xml")
    assert st.account == "CH2609000000924238861"
    assert [e.amount for e in st.entries] == [Decimal(x) for x in ("10000.00", "1000.00", "1000.00", "1000.00", "10.00")]
    assert all(e.booked and e.currency == "XXX" for e in st.entries)
    assert st.entries[-1].bank_ref == "20161231001004092423886000000006"


def test_real_fio_gpc():
    st = parse("gpc/k3a-ago_fio.gpc")
    assert (st.format, st.account, st.statement_date) == ("gpc", "2600113745", date(2018, 9, 24))
    [e] = st.entries
    assert e.amount == Decimal("-1234.56")  # accounting code 1: money went out
    assert (e.vs, e.counterparty, e.counterparty_account, e.currency) == ("1446556401", "CEZ", "7770227/0100", "CZK")


def test_real_fio_csv_with_preamble_and_quotes():
    data = (DATA / "csv/fio-api-spec_example.csv").read_bytes()
    assert detect.detect(data) == "csv" and detect.csv_preset_for(data) == "fio"
    st = detect.parse(data, "fio.csv")
    assert st.account == "CZ3520100000002200018111"
    assert [(e.amount, e.bank_ref, e.booked_on) for e in st.entries] == [
        (Decimal("0.07"), "1252062368", date(2012, 7, 31)),
        (Decimal("-49.00"), "1252273009", date(2012, 8, 1)),
        (Decimal("0.07"), "1255107881", date(2012, 8, 31))]
    assert st.entries[1].counterparty_account == "1231231231/2010"


def test_czech_camt_conventions_for_vs():
    st = parse("camt053/ispterm_cz_v02.xml")
    by_ref = {e.bank_ref: e for e in st.entries}
    assert by_ref["R-0001"].vs == "10001"  # Strd/CdtrRefInf/Ref, zero-padded
    assert by_ref["R-0002"].vs == "10002"  # EndToEndId /VS/10002/SS/...
    assert by_ref["R-0004-1"].vs == "777001" and by_ref["R-0004-2"].vs == "4445"  # batch, Ustrd VS: / VS
    assert by_ref["R-0004-1"].amount + by_ref["R-0004-2"].amount == Decimal("900.00")
    assert by_ref["R-0003"].amount == Decimal("-120.00") and by_ref["R-0003"].counterparty == "Dodavatel s.r.o."
    assert by_ref["R-0005"].reversal and not by_ref["R-0006"].booked
    assert by_ref["R-0007"].currency == "EUR"


@pytest.mark.parametrize("text,vs", [
    ("/VS/123/SS/4/KS/0308", "123"), ("VS:0000012345", "12345"), ("platba vs 777 internet", "777"),
    ("VS123", "123"), ("NEWS 12", None), ("internet leden", None), ("VS: 12345678901", None), (None, None),
])
def test_vs_from_text(text, vs):
    assert vs_from_text(text) == vs


def test_normal_vs():
    assert normal_vs("0000010001") == "10001"
    assert normal_vs("0000000000") is None and normal_vs("12a") is None and normal_vs("") is None


@pytest.mark.parametrize("name,fragment", [
    ("camt053_missing_amount.xml", "Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt: amount is missing"),
    ("camt053_bad_date.xml", "Stmt[1]/Ntry[2]/BookgDt: date '2025-13-40'"),
    ("camt053_truncated.xml", "line 7 column 11: not well-formed XML"),
    ("camt054_notification.xml", "camt.054.001.02 is not a camt.053"),
    ("xxe_external_entity.xml", "DTD"),
    ("billion_laughs.xml", "DTD"),
    ("gpc_bad_amount.gpc", "line 3 columns 49-60: amount '0000005O0000'"),
    ("gpc_bad_code.gpc", "line 3 column 61: accounting code '7'"),
    ("gpc_short_line.gpc", "line 3: a 075 movement record has at least 128 characters, this one 100"),
    ("csv_bad_date.csv", "line 4: date '2025-02-31'"),
    ("csv_bad_amount.csv", "line 3: amount 'sto korun'"),
    ("csv_no_header.csv", "no header row"),
])
def test_malformed_files_name_what_is_wrong(name, fragment):
    with pytest.raises(MalformedStatement) as err:
        parse(f"malformed/{name}")
    assert fragment in str(err.value)
    assert str(err.value).startswith(f"{name}: ")


def test_entity_expansion_is_never_performed():
    # Even a DTD that only declares an internal entity is refused before any expansion.
    data = b'<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY a "b">]><Document/>'
    with pytest.raises(MalformedStatement, match="DTD"):
        detect.parse(data, "x.xml")


def test_detection_and_explicit_format():
    assert detect.detect((DATA / "gpc/ispterm_cz.gpc").read_bytes()) == "gpc"
    assert detect.detect(b"\xef\xbb\xbf<?xml version='1.0'?><Document/>") == "camt053"
    with pytest.raises(MalformedStatement, match="line 1: expected the 074 header"):
        detect.parse((DATA / "csv/ispterm_generic_noref.csv").read_bytes(), "a.csv", "gpc")
    with pytest.raises(ValidationError, match="unknown statement format 'mt940'"):
        detect.parse(b"x", "a", "mt940")
    with pytest.raises(MalformedStatement, match="empty"):
        detect.parse(b"  \n", "a.csv", "csv")


def test_csv_layout_by_column_numbers_and_overrides():
    data = "10.01.2025;1 500,50;10001;Novák\n11.01.2025;-20,00;;Banka\n".encode("cp1250")
    spec = csvfile.layout("fio", columns={"date": "1", "amount": "2", "vs": "3", "counterparty": "4",
                                          "currency": "", "reference": "", "message": "", "account": "",
                                          "bank_code": ""}, encoding="cp1250")
    st = csvfile.parse(data, "n.csv", spec)
    assert [(e.amount, e.vs, e.counterparty, e.currency) for e in st.entries] == [
        (Decimal("1500.50"), "10001", "Novák", "CZK"), (Decimal("-20.00"), None, "Banka", "CZK")]
    with pytest.raises(ValidationError, match="unknown field 'colour'"):
        csvfile.layout(columns={"colour": "x"})
    with pytest.raises(ValidationError, match="the date column is needed"):
        csvfile.layout(columns={"date": ""})
    with pytest.raises(ValidationError, match="unknown preset"):
        csvfile.layout("kb")
    with pytest.raises(ValidationError, match="one character"):
        csvfile.layout(delimiter=";;")
    with pytest.raises(ValidationError, match="unknown encoding"):
        csvfile.layout(encoding="klingon")
    # The format is checked on a fixed day, so it is judged alike on any day: a format without
    # the year would not read 29 February back (strptime takes 1900) and be refused that day.
    assert csvfile.layout(date_format="%d.%m.").date_format == "%d.%m."
    with pytest.raises(ValidationError, match="not a strftime date format"):
        csvfile.layout(date_format="%Q")


def test_fio_internet_banking_export_names_its_id_column_differently():
    data = ("\ufeffID operace;Datum;Objem;Měna;Protiúčet;Kód banky;KS;VS;SS;Zpráva pro příjemce;Název protiúčtu\n"
            "1234567890;03.03.2026;27,70;CZK;2001234567;2010;0308;15501234;;Platba;Novák\n").encode("cp1250",
                                                                                                   errors="ignore")
    assert detect.csv_preset_for(data) == "fio"
    [e] = detect.parse(data, "pohyby.csv").entries
    assert (e.bank_ref, e.vs, e.amount, e.counterparty_account) == ("1234567890", "15501234", Decimal("27.70"),
                                                                    "2001234567/2010")


def test_batch_without_part_amounts_stays_one_payment():
    data = (DATA / "camt053/ispterm_cz_v02.xml").read_bytes()
    data = data.replace(b'<Amt Ccy="CZK">400.00</Amt>', b"").replace(b'<Amt Ccy="CZK">500.00</Amt>\n            <CdtDbtInd>CRDT</CdtDbtInd>\n            <RltdPties>\n              <Dbtr><Nm>Nezn', b'<CdtDbtInd>CRDT</CdtDbtInd>\n            <RltdPties>\n              <Dbtr><Nm>Nezn')
    batch = [e for e in detect.parse(data, "b.xml").entries if e.where.endswith("Ntry[4]")]
    assert [(e.amount, e.vs, e.bank_ref) for e in batch] == [(Decimal("900.00"), None, "R-0004")]
    assert batch[0].message.startswith("batch of 2 transactions")
