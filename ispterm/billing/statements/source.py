"""A statement's bytes, held in memory or read from its file a piece at a time, and their encoding.

A file given by path is never held whole: hashing it, checking its encoding and parsing it
each read it again in pieces, so a 100 MB camt.053 costs its entries and not 100 MB more. The
encoding is found before the format is (a byte order mark, a UTF-16/32 XML declaration).
"""

from __future__ import annotations

import codecs
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ispterm.billing.statements.parsed import MalformedStatement
from ispterm.errors import ValidationError

CHUNK = 1 << 20
# Byte order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xef\xbb\xbf", "utf-8"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# Without a mark, an XML declaration ("<?") still shows a wide encoding (XML 1.0, appendix F).
_WIDE_XML = ((b"<\x00\x00\x00", "utf-32-le"), (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00?\x00", "utf-16-le"),
             (b"\x00<\x00?", "utf-16-be"))


class Source:
    """The bytes of one statement: ``data`` in memory, or the file at ``path``."""

    def __init__(self, data: bytes | None = None, path: Path | None = None) -> None:
        self._data = data
        self._path = path
        self._head: bytes | None = None
        try:
            self.size = len(data) if data is not None else path.stat().st_size
        except OSError as exc:
            raise ValidationError("file", f"{path} cannot be read ({exc.strerror or exc})") from None

    @classmethod
    def of(cls, data: bytes | Source) -> Source:
        return data if isinstance(data, Source) else cls(data=data)

    def open(self) -> BinaryIO:
        """A new binary stream at the start (close it: ``with source.open() as f``)."""
        if self._data is not None:
            return io.BytesIO(self._data)  # shares the bytes, no copy
        try:
            return self._path.open("rb")
        except OSError as exc:
            raise ValidationError("file", f"{self._path} cannot be read ({exc.strerror or exc})") from None

    def head(self, limit: int = 8192) -> bytes:
        if self._data is not None:
            return self._data[:limit]
        if self._head is None or (len(self._head) < limit and len(self._head) < self.size):
            with self.open() as f:
                self._head = f.read(max(limit, 8192))
        return self._head[:limit]

    def chunks(self, start: int = 0) -> Iterator[bytes]:
        with self.open() as f:
            f.seek(start)
            while chunk := f.read(CHUNK):
                yield chunk

    def digest(self, name: str) -> str:
        """SHA-256 of the bytes; a file that changed size since it was opened is refused."""
        sha, seen = hashlib.sha256(), 0
        for chunk in self.chunks():
            sha.update(chunk)
            seen += len(chunk)
        if seen != self.size:
            raise ValidationError(name, f"the file changed while it was read ({self.size} bytes, then {seen})")
        return sha.hexdigest()

    def blank(self) -> bool:
        return all(not chunk.strip() for chunk in self.chunks())

    def read(self) -> bytes:
        """All of it at once (only for what expat cannot stream: UTF-32)."""
        return self._data if self._data is not None else b"".join(self.chunks())


def sniff_encoding(head: bytes) -> tuple[str | None, int]:
    """(codec, length of its byte order mark) when the first bytes show the encoding (a mark,
    or a UTF-16/32 XML declaration); (None, 0) for 8-bit text, which each format decides."""
    for mark, codec in _BOMS:
        if head.startswith(mark):
            return codec, len(mark)
    for start, codec in _WIDE_XML:
        if head.startswith(start):
            return codec, 0
    return None, 0


def bad_byte(source: Source, start: int, codec: str) -> int | None:
    """Offset of the first byte that is not ``codec`` text, checked a piece at a time so that
    a big file is never held as one string."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    offset = start
    for chunk in source.chunks(start):
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            return offset - pending + exc.start
        offset += len(chunk)
    pending = len(decoder.getstate()[0])
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return offset - pending + exc.start
    return None


def text_stream(source: Source, encoding: str, name: str) -> io.TextIOWrapper:
    """The file as text read piece by piece (newlines as written). ``auto``: the encoding a
    byte order mark gives, else UTF-8 when all of it is, else Windows-1250 (Czech banks)."""
    codec, skip = sniff_encoding(source.head(4))
    errors, checked = "strict", False
    if encoding != "auto":
        codec, skip = codecs.lookup(encoding).name, 0
        if codec == "utf-8" and source.head(3) == b"\xef\xbb\xbf":
            skip = 3
    elif codec is None:
        checked = bad_byte(source, 0, "utf-8") is None
        codec, errors = ("utf-8", "strict") if checked else ("cp1250", "replace")
    if errors == "strict" and not checked:
        at = bad_byte(source, skip, codec)
        if at is not None:
            raise MalformedStatement(name, "", f"not {codec} text (byte {at})")
    raw = source.open()
    raw.seek(skip)
    return io.TextIOWrapper(raw, encoding=codec, errors=errors, newline="")


def head_text(source: Source, limit: int = 8192) -> str:
    """The first ``limit`` bytes as text, for recognising a format (a character cut at the end
    is dropped, not taken for a sign of Windows-1250)."""
    codec, skip = sniff_encoding(source.head(4))
    head = source.head(skip + limit)[skip:]
    if codec is None:
        try:
            return codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:
            return head.decode("cp1250", errors="replace")
    return codecs.getincrementaldecoder(codec)("replace").decode(head, final=False)
