"""Tests of ispterm.validation: examples with real checksums, plus properties over any text."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import domains

from ispterm import validation as v
from ispterm.errors import ValidationError

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reject(func, value, fragment, field="fld", **kw):
    """Assert ``func`` refuses ``value`` for ``field`` with a reason mentioning ``fragment``."""
    with pytest.raises(ValidationError) as info:
        func(value, field=field, **kw)
    err = info.value
    assert err.field == field
    assert fragment.lower() in err.why.lower(), err.why
    assert str(err) == f"{field}: {err.why}"
    assert len(err.why) >= 10


# --------------------------------------------------------------------------- blank input

BLANKABLE = [
    v.email, v.emails, v.phone, v.iban, v.bic, v.ico, v.dic, v.bank_account, v.gps, v.vs,
    v.zip_code, v.url, v.single_line, v.non_negative_int, v.decimal_money, v.iso_date,
    v.boolean,
]


@pytest.mark.parametrize("func", BLANKABLE, ids=lambda f: f.__name__)
@pytest.mark.parametrize("blank", ["", "   ", "\t\n", "\u00a0"])
def test_blank_input_clears_the_value(func, blank):
    assert func(blank, field="x") is None


def test_importing_the_module_does_not_load_heavy_libraries():
    code = (
        "import sys, ispterm.validation\n"
        "heavy = ('phonenumbers', 'email_validator', 'stdnum', 'textual', 'sqlalchemy')\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in heavy]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- e-mail


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("jan.novak@seznam.cz", "jan.novak@seznam.cz"),
        ("  Jan.Novak@Example.CZ  ", "Jan.Novak@example.cz"),
        ("podpora@KŮŇ.cz", "podpora@kůň.cz"),
        ("a+tag@sub.domain.org", "a+tag@sub.domain.org"),
    ],
)
def test_email_good(raw, expected):
    assert v.email(raw) == expected
    assert v.email(expected) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("foo", "not a valid e-mail address"),
        ("a@b", "not a valid e-mail address"),
        ("a b@x.cz", "not a valid e-mail address"),
        ("a@x.cz\r\nBcc: victim@y.cz", "line breaks"),
        ("a@x.cz\n", "line breaks"),
        ("@x.cz", "not a valid e-mail address"),
    ],
)
def test_email_bad(raw, fragment):
    reject(v.email, raw, fragment, field="billing_email")


def test_email_default_field_name():
    with pytest.raises(ValidationError) as info:
        v.email("nope")
    assert info.value.field == "email"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a@x.cz", "a@x.cz"),
        ("a@x.cz, b@Y.CZ", "a@x.cz, b@y.cz"),
        ("a@x.cz;b@y.cz", "a@x.cz, b@y.cz"),
        ("a@x.cz b@y.cz\nc@z.cz", "a@x.cz, b@y.cz, c@z.cz"),
        (" a@x.cz ;; , a@x.cz ", "a@x.cz"),
        (" , ; ", None),
    ],
)
def test_emails_good(raw, expected):
    assert v.emails(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("a@x.cz, nope", "'nope'"),
        ("a@x.cz; b@", "not a valid e-mail address"),
        ("a@x.cz\x00b@y.cz", "control characters"),
    ],
)
def test_emails_bad(raw, fragment):
    reject(v.emails, raw, fragment, field="other_emails")


# --------------------------------------------------------------------------- phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("777 123 456", "+420777123456"),
        ("+420 777 123 456", "+420777123456"),
        ("00420777123456", "+420777123456"),
        ("(777) 123-456", "+420777123456"),
        ("+420777123456", "+420777123456"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+421 905 123 456", "+421905123456"),
    ],
)
def test_phone_good(raw, expected):
    assert v.phone(raw) == expected


def test_phone_region_is_used_for_national_numbers():
    assert v.phone("0905 123 456", region="SK") == "+421905123456"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("123", "not a valid phone number"),
        ("777 123 45", "not a valid phone number"),
        ("abc", "not a phone number"),
        ("+999 123 456 789", "country code"),
        ("777 123 456 ext. 12", "extension"),
        ("1" * 80, "too long"),
    ],
)
def test_phone_bad(raw, fragment):
    reject(v.phone, raw, fragment, field="mobile")


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        ("+420777123456", ["420777123456", "777123456"]),
        ("+442079460958", ["442079460958", "2079460958"]),
        ("", []),
        ("garbage", []),
        ("+", []),
        ("12", ["12"]),
    ],
)
def test_phone_digits_variants(e164, expected):
    assert v.phone_digits_variants(e164) == expected


# --------------------------------------------------------------------------- banking


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CZ65 0800 0000 1920 0014 5399", "CZ6508000000192000145399"),
        ("cz6508000000192000145399", "CZ6508000000192000145399"),
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        ("SK31 1200 0000 1987 4263 7541", "SK3112000000198742637541"),
    ],
)
def test_iban_good(raw, expected):
    assert v.iban(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("CZ66 0800 0000 1920 0014 5399", "checksum does not match"),
        ("CZ65 0800 0000 1920 0014 539", "not a valid IBAN"),
        ("XX65 0800 0000 1920 0014 5399", "not a valid IBAN"),
        ("2000145399/0800", "expected country code"),
        ("CZ65-0800", "expected country code"),
        ("CZ65" + "0" * 40, "too long"),
    ],
)
def test_iban_bad(raw, fragment):
    reject(v.iban, raw, fragment, field="iban")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("GIBACZPX", "GIBACZPX"),
        ("gibaczpx", "GIBACZPX"),
        ("KOMB CZ PP XXX", "KOMBCZPPXXX"),
    ],
)
def test_bic_good(raw, expected):
    assert v.bic(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("GIBACZP", "8 or 11 characters"),
        ("GIBACZPXX", "8 or 11 characters"),
        ("GIBA-CZPX", "letters and digits"),
        ("GIBAQQPX", "not a valid BIC"),
        ("1IBACZPX", "not a valid BIC"),
    ],
)
def test_bic_bad(raw, fragment):
    reject(v.bic, raw, fragment, field="bic")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("19-2000145399/0800", "19-2000145399/0800"),
        ("000019-2000145399/0800", "19-2000145399/0800"),
        ("2000145399/0800", "2000145399/0800"),
        ("0-2000145399/0800", "2000145399/0800"),
        ("34278-0727558021/0100", "34278-727558021/0100"),
        (" 19 - 2000145399 / 0800 ", "19-2000145399/0800"),
    ],
)
def test_bank_account_good(raw, expected):
    assert v.bank_account(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("19-2000145398/0800", "checksum does not match"),
        ("4278-727558021/0100", "prefix checksum"),
        ("19-2000145399/0000", "unknown bank code"),
        ("19-2000145399/080", "expected [prefix-]number/bank"),
        ("2000145399", "expected [prefix-]number/bank"),
        ("1234567-2000145399/0800", "expected [prefix-]number/bank"),
        ("0/0800", "must not be zero"),
        ("CZ6508000000192000145399", "looks like an IBAN"),
    ],
)
def test_bank_account_bad(raw, fragment):
    reject(v.bank_account, raw, fragment, field="bank_account")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1234", "1234"), ("0012", "12"), ("0", "0"), ("000", "0"), ("12 345 678", "12345678"),
     ("9999999999", "9999999999"), ("00009999999999", "9999999999")],
)
def test_vs_good(raw, expected):
    assert v.vs(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [("12345678901", "at most 10 digits"), ("12a", "digits only"), ("-5", "digits only"),
     ("1.5", "digits only"), ("١٢٣", "digits only")],
)
def test_vs_bad(raw, fragment):
    reject(v.vs, raw, fragment, field="vs_alt1")


# --------------------------------------------------------------------------- company ids


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("25596641", "25596641"),
        ("255 96 641", "25596641"),
        ("00064581", "00064581"),
        ("064581", "00064581"),
        ("45317054", "45317054"),
    ],
)
def test_ico_good(raw, expected):
    assert v.ico(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("25596642", "checksum does not match"),
        ("2559664", "checksum does not match"),
        ("12345", "8 digits"),
        ("123456789", "8 digits"),
        ("2559664a", "digits only"),
        ("CZ25596641", "that is the DIČ"),
    ],
)
def test_ico_bad(raw, fragment):
    reject(v.ico, raw, fragment, field="ico")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CZ25596641", "CZ25596641"),
        ("cz 255 96 641", "CZ25596641"),
        ("25596641", "CZ25596641"),
        ("CZ7103192745", "CZ7103192745"),
        ("CZ640903926", "CZ640903926"),
        ("SK2020317068", "SK2020317068"),
        ("de 136 695 976", "DE136695976"),
        ("ATU13585627", "ATU13585627"),
        ("GR094259216", "EL094259216"),
        ("EL094259216", "EL094259216"),
    ],
)
def test_dic_good(raw, expected):
    assert v.dic(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("CZ25596642", "checksum does not match"),
        ("CZ95596641", "never starts with 9"),
        ("CZ7103192746", "birth number"),
        ("CZ1234", "8 to 10 digits"),
        ("CZ2559664A", "8 to 10 digits"),
        ("DE136695977", "not a valid DE VAT id"),
        ("US123456789", "not an EU VAT country prefix"),
        ("GB980780684", "not an EU VAT country prefix"),
        ("25-596641", "expected a country prefix"),
    ],
)
def test_dic_bad(raw, fragment):
    reject(v.dic, raw, fragment, field="dic")


# --------------------------------------------------------------------------- address


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("12345", "CZ", "123 45"),
        ("123 45", "CZ", "123 45"),
        (" 110 00 ", "cz", "110 00"),
        ("81101", "SK", "811 01"),
        ("sw1a 1aa", "GB", "SW1A 1AA"),
        ("10115", "DE", "10115"),
        ("1010", "AT", "1010"),
        ("00-950", "PL", "00-950"),
    ],
)
def test_zip_code_good(raw, country, expected):
    assert v.zip_code(raw, country=country) == expected


@pytest.mark.parametrize(
    ("raw", "country", "fragment"),
    [
        ("1234", "CZ", "5 digits"),
        ("123456", "CZ", "5 digits"),
        ("12a45", "SK", "5 digits"),
        ("1", "DE", "2 to 10"),
        ("12345678901", "DE", "2 to 10"),
        ("--", "DE", "2 to 10"),
        ("ß1234", "DE", "2 to 10"),
    ],
)
def test_zip_code_bad(raw, country, fragment):
    reject(v.zip_code, raw, fragment, field="mail_zip", country=country)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("example.cz", "https://example.cz"),
        ("www.Example.CZ/Cenik?x=1#top", "https://www.example.cz/Cenik?x=1#top"),
        ("http://example.cz", "http://example.cz"),
        ("HTTPS://Example.cz:8443/a", "https://example.cz:8443/a"),
        ("//example.cz/", "https://example.cz/"),
        ("příklad.cz", "https://příklad.cz"),
        ("xn--pklad-zsa96e.cz", "https://xn--pklad-zsa96e.cz"),
        ("192.0.2.10/status", "https://192.0.2.10/status"),
    ],
)
def test_url_good(raw, expected):
    assert v.url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("ftp://example.cz", "only http and https"),
        ("javascript://alert(1)", "only http and https"),
        ("exa mple.cz", "spaces"),
        ("example.cz/\x07", "control characters"),
        ("localhost", "domain name"),
        ("http://-bad-.cz", "domain name"),
        ("http://", "domain name"),
        ("jan@example.cz", "e-mail address"),
        ("http://user:secret@example.cz", "must not contain @"),
        ("http://example.cz:99999", "not a valid web address"),
        ("http://[::1", "not a valid web address"),
    ],
)
def test_url_bad(raw, fragment):
    reject(v.url, raw, fragment, field="www")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Nádražní 12  ", "Nádražní 12"),
        ("Na\u0301dražní", "Nádražní"),  # decomposed á (macOS paste) is composed
        ("x" * 200, "x" * 200),
    ],
)
def test_single_line_good(raw, expected):
    assert v.single_line(raw, field="street") == expected


@pytest.mark.parametrize(
    ("raw", "kw", "fragment"),
    [
        ("line one\nline two", {}, "single line"),
        ("carriage\rreturn", {}, "single line"),
        ("tab\there", {}, "control characters"),
        ("para\u2029graph", {}, "single line"),
        ("x" * 201, {}, "too long (201 characters, at most 200)"),
        ("abcdef", {"max_len": 5}, "at most 5"),
    ],
)
def test_single_line_bad(raw, kw, fragment):
    reject(v.single_line, raw, fragment, field="street", **kw)


# --------------------------------------------------------------------------- GPS


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("49.964775, 16.973678", (49.964775, 16.973678)),
        ("49.964775 16.973678", (49.964775, 16.973678)),
        ("49.964775,16.973678", (49.964775, 16.973678)),
        ("49.964775; 16.973678", (49.964775, 16.973678)),
        ("-33.8568, 151.2153", (-33.8568, 151.2153)),
        ("49.9647750N, 16.9736781E", (49.964775, 16.9736781)),
        ("49° 57' 53.19'' N, 16° 58' 25.24'' E", (49.964775, 16.9736778)),
        ("49°57′53.19″N 16°58′25.24″E", (49.964775, 16.9736778)),
        ('49°57\'53.19"N, 16°58\'25.24"E', (49.964775, 16.9736778)),
        ('49°57\'53.19"N16°58\'25.24"E', (49.964775, 16.9736778)),
        ("N 49° 57' 53.19'', E 16° 58' 25.24''", (49.964775, 16.9736778)),
        ("n49°57'53.19'' e16°58'25.24''", (49.964775, 16.9736778)),
        ("49° 57.8865' N, 16° 58.4207' E", (49.964775, 16.9736783)),
        ("33° 51' 24.48'' S, 151° 12' 55.08'' E", (-33.8568, 151.2153)),
        ("40° 26' 46'' N, 79° 58' 56'' W", (40.4461111, -79.9822222)),
        ("16° 58' 25.24'' E, 49° 57' 53.19'' N", (49.964775, 16.9736778)),
        ("0, 0", (0.0, 0.0)),
        ("-90, 180", (-90.0, 180.0)),
        ("49.123456789, 16.1", (49.1234568, 16.1)),
    ],
)
def test_gps_good(raw, expected):
    lat, lon = v.gps(raw)
    assert lat == pytest.approx(expected[0], abs=1e-7)
    assert lon == pytest.approx(expected[1], abs=1e-7)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("91, 16", "latitude 91 is out of range"),
        ("49, 181", "longitude 181 is out of range"),
        ("49.5", "not gps coordinates"),
        ("49,964775, 16,973678", "not gps coordinates"),
        ("4916", "not gps coordinates"),
        ("Praha", "not gps coordinates"),
        ("49° 61' N, 16° E", "minutes must be less than 60"),
        ("49° 5' 60'' N, 16° E", "seconds must be less than 60"),
        ("-49 S, 16 E", "not both"),
        ("49 N, 16 S", "same hemisphere axis"),
        ("49.5° 30' N, 16 E", "decimal degrees"),
        ("49° 30.5' 10'' N, 16 E", "decimal minutes"),
    ],
)
def test_gps_bad(raw, fragment):
    reject(v.gps, raw, fragment, field="gps")


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        (49.964775, 16.9736778, "49° 57' 53.19'' N, 16° 58' 25.24'' E"),
        (-33.8568, -151.2153, "33° 51' 24.48'' S, 151° 12' 55.08'' W"),
        (0.0, 0.0, "0° 0' 0.00'' N, 0° 0' 0.00'' E"),
        (49.9999999, 16.0, "50° 0' 0.00'' N, 16° 0' 0.00'' E"),  # seconds carry over
    ],
)
def test_gps_dms(lat, lon, expected):
    assert v.gps_dms(lat, lon) == expected
    back = v.gps(expected)
    assert back[0] == pytest.approx(lat, abs=1e-5)
    assert back[1] == pytest.approx(lon, abs=1e-5)


# --------------------------------------------------------------------------- numbers, dates


@pytest.mark.parametrize(
    ("raw", "expected"), [("0", 0), ("42", 42), ("+7", 7), ("1 000", 1000), ("007", 7)]
)
def test_non_negative_int_good(raw, expected):
    assert v.non_negative_int(raw, field="floor") == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [("-1", "must not be negative"), ("1.5", "whole number"), ("abc", "whole number"),
     ("²", "whole number"), ("9" * 19, "too large"), ("0" * 5000, "too long")],
)
def test_non_negative_int_bad(raw, fragment):
    reject(v.non_negative_int, raw, fragment, field="floor")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1 234,50", Decimal("1234.50")),
        ("1234.50", Decimal("1234.50")),
        ("1234", Decimal("1234.00")),
        ("1234,5", Decimal("1234.50")),
        ("1,234.50", Decimal("1234.50")),
        ("1.234,50", Decimal("1234.50")),
        ("1.234.567,89", Decimal("1234567.89")),
        ("-12,30", Decimal("-12.30")),
        ("-0", Decimal("0.00")),
        (",5", Decimal("0.50")),
        ("1\u00a0234,50", Decimal("1234.50")),
        ("0.10", Decimal("0.10")),
    ],
)
def test_decimal_money_good(raw, expected):
    got = v.decimal_money(raw, field="amount")
    assert got == expected
    assert str(got) == str(expected)  # exactly two places, no float artefacts


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("1.000", "at most 2 decimal places"),
        ("12,345", "at most 2 decimal places"),
        ("0.001", "at most 2 decimal places"),
        ("1.2.3", "more than one decimal mark"),
        ("1,23.4,5", "misplaced thousands separator"),
        ("12,34.50", "misplaced thousands separator"),
        ("12 Kč", "not an amount"),
        ("NaN", "not an amount"),
        ("1e3", "not an amount"),
        (",", "not an amount"),
        ("9" * 16, "too large"),
    ],
)
def test_decimal_money_bad(raw, fragment):
    reject(v.decimal_money, raw, fragment, field="amount")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-01", date(2024, 3, 1)),
        ("2024-3-1", date(2024, 3, 1)),
        ("1.3.2024", date(2024, 3, 1)),
        ("01. 03. 2024", date(2024, 3, 1)),
        ("29.2.2024", date(2024, 2, 29)),
    ],
)
def test_iso_date_good(raw, expected):
    assert v.iso_date(raw, field="disconnect_on") == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("29.2.2023", "no such date"),
        ("2024-13-01", "no such date"),
        ("0000-01-01", "between 1900 and 2199"),
        ("9999-12-31", "between 1900 and 2199"),  # a due day 14 days on would leave the calendar
        ("20240301", "expected YYYY-MM-DD"),
        ("2024-W01-1", "expected YYYY-MM-DD"),
        ("1/3/2024", "expected YYYY-MM-DD"),
        ("tomorrow", "expected YYYY-MM-DD"),
    ],
)
def test_iso_date_bad(raw, fragment):
    reject(v.iso_date, raw, fragment, field="disconnect_on")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("yes", True), ("True", True), ("1", True), ("ANO", True), (" ano ", True),
     ("no", False), ("false", False), ("0", False), ("ne", False), ("Ne", False)],
)
def test_boolean_good(raw, expected):
    assert v.boolean(raw, field="former") is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "yess", "nein"])
def test_boolean_bad(raw):
    reject(v.boolean, raw, "expected yes or no", field="former")


# --------------------------------------------------------------------------- properties


def _ico_from(first7: int) -> str:
    digits = f"{first7:07d}"
    total = sum(w * int(d) for w, d in zip(range(8, 1, -1), digits, strict=True))
    return digits + str((11 - total % 11) % 10)


def _spaced(draw, text: str) -> str:
    """Insert random spaces and flip case, as people type identifiers."""
    out = []
    for ch in text:
        if draw(st.integers(0, 5)) == 0:
            out.append(" ")
        out.append(ch.lower() if draw(st.booleans()) else ch)
    return "".join(out)


@st.composite
def icos(draw):
    return _spaced(draw, _ico_from(draw(st.integers(0, 9_999_999))))


@st.composite
def dics(draw):
    prefix = draw(st.sampled_from(["CZ", "cz", "Cz ", ""]))
    return prefix + _spaced(draw, _ico_from(draw(st.integers(0, 8_999_999))))


@st.composite
def ibans(draw):
    bank = draw(st.sampled_from(["0800", "0100", "0300", "2010", "5500"]))
    account = draw(st.from_regex(r"[0-9]{16}", fullmatch=True))
    bban = bank + account
    check = 98 - int(bban + "123500") % 97  # "CZ00" rearranged: C=12, Z=35
    return _spaced(draw, f"CZ{check:02d}{bban}")


phone_like = st.from_regex(
    r"\s?(\+420 ?|00420)?[1-9][0-9]{2}[ -]?[0-9]{3}[ -]?[0-9]{3}\s?", fullmatch=True
) | st.from_regex(r"\+[0-9 ()-]{4,20}", fullmatch=True)


@st.composite
def coordinates(draw):
    lat = draw(st.floats(-90, 90, allow_nan=False))
    lon = draw(st.floats(-180, 180, allow_nan=False))
    style = draw(st.sampled_from(["decimal", "dms", "hemi"]))
    if style == "decimal":
        sep = draw(st.sampled_from([", ", ",", " ", "; "]))
        return f"{lat:.7f}{sep}{lon:.7f}"
    if style == "hemi":
        return f"{abs(lat):.6f}{'N' if lat >= 0 else 'S'} {abs(lon):.6f}{'E' if lon >= 0 else 'W'}"
    return v.gps_dms(lat, lon)


money_like = st.from_regex(r"[+-]?[0-9 ]{0,9}([.,][0-9]{0,3})?", fullmatch=True) | st.from_regex(
    r"[0-9]{1,3}([ .,][0-9]{3}){0,3}([.,][0-9]{1,2})?", fullmatch=True
)

address_like = st.from_regex(
    r"[a-zA-Z0-9._+-]{1,12}@[a-zA-Z0-9-]{1,10}\.[a-zA-Z]{2,4}", fullmatch=True
)


@st.composite
def email_lists(draw):
    parts = draw(st.lists(address_like | st.text(max_size=8), max_size=4))
    seps = [draw(st.sampled_from([",", ";", " ", ", ", "\n", " ;"])) for _ in parts]
    return "".join(p + s for p, s in zip(parts, seps, strict=True))


def _normalises_stably(func, text, **kw):
    """Either refuse with ValidationError for our field, or return a fixed point."""
    try:
        once = func(text, field="fld", **kw)
    except ValidationError as err:
        assert err.field == "fld"
        assert err.why
        return None
    if once is not None:
        assert func(str(once), field="fld", **kw) == once
    return once


@FAST
@given(st.text() | phone_like)
def test_phone_property(text):
    once = _normalises_stably(v.phone, text)
    if once is not None:
        assert once.startswith("+") and once[1:].isdigit()
        assert v.phone_digits_variants(once)[0] == once[1:]


@FAST
@given(st.text())
def test_phone_digits_variants_never_raises(text):
    assert all(s.isdigit() for s in v.phone_digits_variants(text))


@FAST
@given(st.text() | coordinates())
def test_gps_property(text):
    try:
        once = v.gps(text, field="fld")
    except ValidationError as err:
        assert err.field == "fld"
        return
    if once is None:
        return
    lat, lon = once
    assert -90 <= lat <= 90 and -180 <= lon <= 180
    assert v.gps(f"{lat:.7f}, {lon:.7f}") == once
    back = v.gps(v.gps_dms(lat, lon))
    assert back == pytest.approx(once, abs=1e-5)


@FAST
@given(st.text() | st.from_regex(r"[0-9 ]{1,14}", fullmatch=True))
def test_vs_property(text):
    once = _normalises_stably(v.vs, text)
    if once is not None:
        assert once.isdigit() and 1 <= len(once) <= 10
        assert once == "0" or not once.startswith("0")


@FAST
@given(
    st.text() | st.from_regex(r"\s?[0-9]{3} ?[0-9]{2}\s?", fullmatch=True),
    st.sampled_from(["CZ", "SK", "DE", "GB", ""]),
)
def test_zip_code_property(text, country):
    once = _normalises_stably(v.zip_code, text, country=country)
    if once is not None:
        assert 2 <= len(once) <= 10


@FAST
@given(st.text() | ibans())
def test_iban_property(text):
    once = _normalises_stably(v.iban, text)
    if once is not None:
        assert once == once.upper() and " " not in once


@FAST
@given(ibans())
def test_generated_ibans_are_accepted(text):
    assert v.iban(text) is not None


@FAST
@given(st.text() | address_like | st.emails(domains=domains(max_length=40)))
def test_email_property(text):
    _normalises_stably(v.email, text)


@FAST
@given(st.text() | email_lists())
def test_emails_property(text):
    once = _normalises_stably(v.emails, text)
    if once is not None:
        parts = once.split(", ")
        assert len(parts) == len(set(parts))


@FAST
@given(st.text() | money_like)
def test_decimal_money_property(text):
    once = _normalises_stably(v.decimal_money, text)
    if once is not None:
        assert isinstance(once, Decimal)
        assert once.as_tuple().exponent == -2


@FAST
@given(st.text() | dics())
def test_dic_property(text):
    once = _normalises_stably(v.dic, text)
    if once is not None:
        assert once == once.upper() and " " not in once


@FAST
@given(st.text() | icos())
def test_ico_property(text):
    once = _normalises_stably(v.ico, text)
    if once is not None:
        assert len(once) == 8 and once.isdigit()


@FAST
@given(icos())
def test_generated_icos_are_accepted(text):
    assert v.ico(text) is not None


@FAST
@given(st.text())
def test_other_validators_never_raise_anything_else(text):
    for func in (v.bic, v.bank_account, v.url, v.single_line, v.non_negative_int,
                 v.iso_date, v.boolean):
        try:
            once = func(text, field="fld")
        except ValidationError as err:
            assert err.field == "fld"
            continue
        if once is None:
            continue
        again = once.isoformat() if isinstance(once, date) else str(once)
        assert func(again, field="fld") == once


# Invisible characters and multi-line text ---------------------------------------------------

@pytest.mark.parametrize("raw,code", [
    ("Nov\u202eák", "U+202E"),          # right-to-left override: "Novák" read backwards
    ("No\u200bvák", "U+200B"),          # zero-width space: looks like Novák, is not
    ("\u2066Novák\u2069", "U+2066"),    # left-to-right isolate
    ("Novák\u200f", "U+200F"),          # right-to-left mark
    ("\ufeffNovák", "U+FEFF"),          # byte order mark pasted from a file
])
def test_single_line_fields_refuse_invisible_formatting_characters(raw, code):
    with pytest.raises(ValidationError) as exc:
        v.single_line(raw, field="name")
    assert exc.value.field == "name" and code in exc.value.why


def test_right_to_left_text_itself_is_a_name_like_any_other():
    assert v.single_line("محمد علي", field="name") == "محمد علي"


def test_an_address_with_an_invisible_character_is_refused():
    with pytest.raises(ValidationError, match=r"U\+202E"):
        v.email("a\u202e@example.cz", field="email")


@pytest.mark.parametrize("raw,fragment", [
    ("caf\udce9\udcff", "not valid UTF-8"),   # what Python makes of invalid UTF-8 in argv
    ("one\x00two", "U+0000"),
    ("red \x1b[31m text", "U+001B"),         # a terminal would run it
])
def test_text_blocks_refuse_what_cannot_be_stored_or_shown(raw, fragment):
    with pytest.raises(ValidationError) as exc:
        v.text_block(raw, field="text", max_len=100)
    assert fragment in exc.value.why


def test_text_blocks_keep_lines_and_tabs():
    assert v.text_block(" a\r\nb\tc \n", field="text", max_len=100) == "a\nb\tc"
    with pytest.raises(ValidationError, match="at most 3"):
        v.text_block("abcd", field="text", max_len=3)


# --------------------------------------------------------------------------- e-mail: names, IDNA


@pytest.mark.parametrize(("raw", "expected"), [
    ("Žofie Nováková <a@test.example>", ("Žofie Nováková", "a@test.example")),
    ('"Novák, Jan" <Jan@Example.CZ>', ("Novák, Jan", "Jan@example.cz")),
    ('"Jan \\"Honza\\" Novák" <jan@example.cz>', ('Jan "Honza" Novák', "jan@example.cz")),
    ("  <jan@example.cz> ", (None, "jan@example.cz")),
    ("jan@example.cz", (None, "jan@example.cz")),
    ("žofie@xn--pklad-zsa96e.example", (None, "žofie@příklad.example")),
    ("  ", None),
])
def test_mailbox_takes_a_name_with_the_address(raw, expected):
    assert v.mailbox(raw, field="to") == expected


@pytest.mark.parametrize(("raw", "fragment"), [
    ("Evil\r\nBcc: victim@example.org <a@test.example>", "line breaks"),
    ("Evil <a@test.example>\nBcc: victim@example.org", "line breaks"),
    ("Ev\u202eil <a@test.example>", "U+202E"),
    ('Jan "Honza" Novák <jan@example.cz>', "must be in double quotes"),
    ('"Jan "Honza" Novák" <jan@example.cz>', 'written \\"'),
    ("Jan <a@test.example> <b@test.example>", "must be in double quotes"),
    ("Jan <>", "no address between < and >"),
    ("Jan <nope>", "not a valid e-mail address"),
])
def test_mailbox_refuses_what_could_add_a_header_or_is_ambiguous(raw, fragment):
    reject(v.mailbox, raw, fragment, field="to")


def test_an_address_field_refuses_a_name_saying_so():
    """It said 'the display name contains invalid characters when not quoted' for diacritics."""
    reject(v.email, "Žofie Nováková <a@test.example>", "give the address only, without a name", field="email")
    reject(v.emails, "a@x.cz, Žofie Nováková <a@test.example>", "without names or angle brackets",
           field="other_emails")


def test_addresses_beyond_ascii_are_kept_as_a_person_reads_them():
    assert v.email("a@XN--PKLAD-ZSA96E.example") == "a@příklad.example"
    assert v.email("žofie@example.cz") == "žofie@example.cz"


def test_typed_mailboxes_split_at_commas_outside_quoted_names():
    assert v.split_mailboxes('"Novák, Jan" <jan@example.cz>, eva@example.cz; "A \\" b, c" <x@y.cz>') == [
        '"Novák, Jan" <jan@example.cz>', "eva@example.cz", '"A \\" b, c" <x@y.cz>']
    assert v.split_mailboxes(" , ;") == []
