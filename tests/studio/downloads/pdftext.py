"""Text of a reportlab PDF, for tests (pypdf and poppler are not installed). Follows each
font's ToUnicode map, so text set in subset TrueType fonts (DejaVu, Cyrillic) reads back."""

import base64
import re
import zlib

OBJECT = re.compile(rb"(\d+) 0 obj\s*<<((?:(?!endobj).)*?)>>\s*stream\r?\n(.*?)endstream", re.S)
FONT = re.compile(rb"/Name /(\S+)[^>]*?/ToUnicode (\d+) 0 R|/ToUnicode (\d+) 0 R[^>]*?/Name /(\S+)")
SHOW = re.compile(rb"/(\S+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\)", re.S)
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _decode_stream(header: bytes, raw: bytes) -> bytes:
    if b"ASCII85Decode" in header:
        raw = raw.strip()
        raw = raw[2:] if raw.startswith(b"<~") else raw
        raw = base64.a85decode(raw.removesuffix(b"~>"))
    if b"FlateDecode" in header:
        raw = zlib.decompress(raw)
    return raw


def _unescape(literal: bytes) -> bytes:
    def replace(match):
        escaped = match.group(1)
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8)])
        return ESCAPES.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", replace, literal, flags=re.S)


def _cmap(data: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, start in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            first = int(start, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(first + offset)
    return mapping


def pdf_text(pdf: bytes) -> str:
    streams = {
        int(number): _decode_stream(header, raw) for number, header, raw in OBJECT.findall(pdf)
    }
    fonts = {}
    for match in FONT.finditer(pdf):
        name = match.group(1) or match.group(4)
        cmap_object = int(match.group(2) or match.group(3))
        fonts[name.decode()] = _cmap(streams.get(cmap_object, b""))
    pieces, font = [], None
    for data in streams.values():
        if b" Tf" not in data:
            continue
        for match in SHOW.finditer(data):
            if match.group(1) is not None:
                font = match.group(1).decode()
                continue
            raw = _unescape(match.group(2))
            mapping = fonts.get(font)
            if mapping is None:
                pieces.append(raw.decode("latin-1"))
            else:
                pieces.append("".join(mapping.get(byte, "?") for byte in raw))
    return " ".join(pieces)
