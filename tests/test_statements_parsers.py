"""Statement parsers on real published files and on files written for the Czech conventions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ispterm.billing.statements import camt053, csvfile, detect
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


# Hostile and unusual files (issue 13): each is refused naming the element or line, never a traceback.

def _camt(transform=lambda data: data) -> bytes:
    return transform((DATA / "camt053/ispterm_cz_v02.xml").read_bytes())


def _generic_csv(*rows: str) -> bytes:
    return ("date,amount,currency,vs,reference\n" + "".join(f"{r}\n" for r in rows)).encode()


def test_deeply_nested_camt_is_refused_by_its_path_not_a_recursion_error():
    deep = _camt(lambda d: d.replace(b"<Ntry>", b"<Ntry>" + b"<X>" * 200_000 + b"</X>" * 200_000, 1))
    with pytest.raises(MalformedStatement) as err:
        detect.parse(deep, "deep.xml")
    assert str(err.value) == ("deep.xml: Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/X/X/X/X/...: elements nested "
                              "more than 64 levels deep (a statement has about 15): refused")


def test_nesting_within_the_depth_limit_still_reads():
    """Unknown elements forty levels deep (more than any real statement) are read past."""
    nested = _camt(lambda d: d.replace(b"<Ntry>", b"<Ntry>" + b"<X>" * 40 + b"</X>" * 40, 1))
    assert detect.parse(nested, "n.xml").entries == detect.parse(_camt(), "n.xml").entries


def test_an_entry_with_too_many_elements_is_refused():
    wide = _camt(lambda d: d.replace(b"<Ntry>", b"<Ntry>" + b"<X/>" * 300_000, 1))
    with pytest.raises(MalformedStatement, match=r"Stmt\[1\]/Ntry\[1\]: more than 250,000 elements in one"):
        detect.parse(wide, "wide.xml")


def test_camt_parse_streams_instead_of_building_the_whole_tree():
    """The elements of each entry are dropped once it is read: parsing 2,000 entries needs
    hardly more memory than the entries themselves (the whole tree took ~10 times that)."""
    import tracemalloc

    data = _camt()
    start, end = data.index(b"<Ntry>"), data.index(b"</Ntry>") + len(b"</Ntry>")
    big = data[:start] + data[start:end] * 2000 + data[end:]
    tracemalloc.start()
    try:
        parsed = camt053.parse(big, "big.xml")
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(parsed.entries) == 2000 + 7  # the file's other seven entries
    assert peak - kept < 2_000_000, (kept, peak)


@pytest.mark.parametrize("amount,why", [
    ("1e999", "is not a plain number (digits and at most one decimal mark, no exponent)"),
    ("1E+2", "is not a plain number (digits and at most one decimal mark, no exponent)"),
    ("1_000", "is not a plain number (digits and at most one decimal mark, no exponent)"),
    ("NaN", "is not a plain number (digits and at most one decimal mark, no exponent)"),
    ("١٢٣", "is not a plain number (digits and at most one decimal mark, no exponent)"),
    ("99999999999999999999999.00", "is too large (more than 15 digits before the decimal mark)"),
    ("1000000000000000", "is too large (more than 15 digits before the decimal mark)"),
    ("1.005", "has more than two decimals"),
])
def test_csv_amounts_are_plain_bounded_numbers(amount, why):
    with pytest.raises(MalformedStatement) as err:
        detect.parse(_generic_csv("2025-01-10,1.00,CZK,1,A", f"2025-01-11,{amount},CZK,1,B"), "a.csv")
    assert str(err.value) == f"a.csv: line 3: amount '{amount}' {why}"


def test_largest_amounts_and_plain_forms_are_read_exactly():
    rows = ["2025-01-10,999999999999999.99,CZK,1,A", "2025-01-10,+100.5,CZK,1,B", "2025-01-10,1.50000,CZK,1,C",
            "2025-01-10,.5,CZK,1,D", "2025-01-10,-0000000000000000000012.30,CZK,1,E"]
    assert [e.amount for e in detect.parse(_generic_csv(*rows), "a.csv").entries] == [
        Decimal("999999999999999.99"), Decimal("100.50"), Decimal("1.50"), Decimal("0.50"), Decimal("-12.30")]


def test_camt_amount_and_currency_are_checked_like_csv():
    with pytest.raises(MalformedStatement) as err:
        detect.parse(_camt(lambda d: d.replace(b">500.00<", b">1e999<", 1)), "e.xml")
    assert str(err.value).startswith("e.xml: Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt: amount '1e999' is not a plain")
    with pytest.raises(MalformedStatement) as err:
        detect.parse(_camt(lambda d: d.replace(b'Ccy="CZK">500.00', b'Ccy="CZKCZKCZK">500.00', 1)), "c.xml")
    assert str(err.value) == "c.xml: Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt: currency 'CZKCZKCZK' is not a three-letter code"


def test_digits_that_are_not_ascii_are_refused():
    # "²".isdigit() is true and int("²") fails: the VS would have crashed matching, the GPC amount parsing.
    with pytest.raises(MalformedStatement, match=r"line 2: VS '²' is not up to 10 digits"):
        detect.parse(_generic_csv("2025-01-10,1.00,CZK,²,A"), "a.csv")
    lines = (DATA / "gpc/ispterm_cz.gpc").read_bytes().decode("ascii").split("\r\n")
    lines[2] = lines[2][:50] + "²" + lines[2][51:]
    with pytest.raises(MalformedStatement, match=r"line 3 columns 49-60: amount '00²000012000' is not a number"):
        detect.parse("\r\n".join(lines).encode("utf-8"), "v.gpc")


@pytest.mark.parametrize("codec,declared", [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"),
                                            ("utf-32", "UTF-32"), ("utf-8-sig", "UTF-8")])
def test_camt053_in_any_unicode_encoding_is_read_as_camt(codec, declared):
    """The encoding (byte order mark, else a UTF-16 declaration) is found before the format."""
    text = _camt().decode("utf-8").replace('encoding="UTF-8"', f'encoding="{declared}"')
    data = text.encode(codec)
    assert detect.detect(data) == "camt053"
    assert detect.parse(data, "u.xml").entries == detect.parse(_camt(), "u.xml").entries


@pytest.mark.parametrize("rel", ["csv/ispterm_generic_noref.csv", "csv/fio-api-spec_example.csv"])
@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_csv_with_a_byte_order_mark_is_read_in_its_encoding(rel, codec):
    utf8 = (DATA / rel).read_bytes()
    data = utf8.decode("utf-8").encode(codec)
    assert (detect.detect(data), detect.csv_preset_for(data)) == ("csv", detect.csv_preset_for(utf8))
    assert detect.parse(data, "u.csv").entries == detect.parse(utf8, "u.csv").entries


def test_utf16_csv_without_a_byte_order_mark_says_so():
    data = (DATA / "csv/ispterm_generic_noref.csv").read_bytes().decode("utf-8").encode("utf-16-le")
    with pytest.raises(MalformedStatement) as err:
        detect.parse(data, "w.csv")
    assert str(err.value) == ("w.csv: the file has NUL bytes: UTF-16 text without a byte order mark? "
                              "give --csv-encoding utf-16-le (or utf-16-be)")
    spec = csvfile.layout(encoding="utf-16-le")
    assert len(csvfile.parse(data, "w.csv", spec).entries) == 4


def test_too_many_movements_are_refused_while_parsing(monkeypatch):
    from ispterm.billing.statements import parsed

    monkeypatch.setattr(parsed, "MAX_ENTRIES", 2)
    with pytest.raises(MalformedStatement, match=r"^a.csv: line 4: more than 2 movements in one file"):
        detect.parse(_generic_csv(*[f"2025-01-10,1.00,CZK,1,R{i}" for i in range(5)]), "a.csv")


def test_an_unknown_declared_xml_encoding_is_named():
    with pytest.raises(MalformedStatement) as err:
        detect.parse(_camt(lambda d: d.replace(b'encoding="UTF-8"', b'encoding="UTF-1e98"', 1)), "e.xml")
    assert str(err.value) == "e.xml: line 1: the XML declares an unknown encoding: UTF-1e98"
