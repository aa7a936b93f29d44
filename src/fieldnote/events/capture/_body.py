"""From the bytes of a capture request to a parsed JSON value.

SDKs wrap the same JSON in several ways: plain, gzip (``Content-Encoding: gzip`` or
posthog-js's ``?compression=gzip-js``), deflate, or an HTML-form field ``data=`` that
holds the JSON or its base64 (posthog-js's fallback transports). Decompression is
incremental and stops as soon as the output passes the size limit, so a few kilobytes
of gzip cannot expand into gigabytes of memory (a "gzip bomb").
"""

from __future__ import annotations

import base64
import binascii
import zlib
from typing import Any
from urllib.parse import parse_qs

import orjson

from fieldnote.events.capture._errors import CaptureError

__all__ = ["decode_body", "inflate"]

_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_NAMES = {"gzip", "gzip-js", "x-gzip"}
_PLAIN_NAMES = {"", "identity", "base64"}


def decode_body(
    body: bytes,
    *,
    content_type: str = "",
    content_encoding: str = "",
    compression: str = "",
    max_bytes: int,
) -> Any:
    """Undo every wrapping of ``body`` and parse its JSON.

    ``compression`` is the ``compression`` query parameter (posthog-js). Raises
    ``CaptureError``: 400 malformed, 413 too large once decompressed, 415 unsupported.
    """
    encoding = content_encoding.strip().lower()
    if encoding in _GZIP_NAMES:
        if not body.startswith(_GZIP_MAGIC):
            raise CaptureError.one(400, "Content-Encoding is gzip but the body is not gzip data")
        body = inflate(body, max_bytes=max_bytes, gzip=True)
    elif encoding == "deflate":
        body = inflate(body, max_bytes=max_bytes, gzip=False)
    elif encoding not in _PLAIN_NAMES:
        raise CaptureError.one(
            415, f"Content-Encoding {encoding!r} is not supported: use gzip, deflate or none"
        )

    mode = compression.strip().lower()
    if mode not in _GZIP_NAMES and mode not in _PLAIN_NAMES:
        raise CaptureError.one(
            415, f"compression {mode!r} is not supported: use gzip-js, base64 or none"
        )
    if content_type.strip().lower().startswith("application/x-www-form-urlencoded"):
        body, form_mode = _form_data(body)
        mode = form_mode or mode
    if body.startswith(_GZIP_MAGIC):  # sniffed, as PostHog does: JSON never starts so
        body = inflate(body, max_bytes=max_bytes, gzip=True)
    elif mode in _GZIP_NAMES:
        raise CaptureError.one(400, f"compression is {mode!r} but the body is not gzip data")
    if not body.strip():
        raise CaptureError.one(400, "body is empty: send a JSON event, batch or array")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise CaptureError.one(400, f"body is not valid JSON: {exc}") from None


def inflate(data: bytes, *, max_bytes: int, gzip: bool) -> bytes:
    """Decompress gzip (every member) or zlib/raw deflate, never past ``max_bytes``."""
    what = "gzip" if gzip else "deflate"
    out: list[bytes] = []
    size = 0
    pending = data
    wbits = 16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS
    if not gzip and not _has_zlib_header(data):
        wbits = -zlib.MAX_WBITS  # no zlib header: raw deflate, as some clients send
    while True:
        d = zlib.decompressobj(wbits)
        try:
            while not d.eof:
                chunk = d.decompress(pending, max_bytes - size + 1)
                size += len(chunk)
                if size > max_bytes:
                    raise CaptureError.one(
                        413, f"body is larger than {max_bytes} bytes once decompressed"
                    )
                out.append(chunk)
                pending = d.unconsumed_tail
                if not chunk and not pending:
                    raise CaptureError.one(400, f"body is truncated {what} data")
        except zlib.error as exc:
            raise CaptureError.one(400, f"body is not valid {what} data: {exc}") from None
        pending = d.unused_data
        if not (gzip and pending.startswith(_GZIP_MAGIC)):
            break  # trailing zero padding after the last member is tolerated, as gzip(1) does
    if pending.strip(b"\x00"):
        raise CaptureError.one(
            400, f"body has {len(pending)} unexpected bytes after the {what} data"
        )
    return b"".join(out)


def _has_zlib_header(data: bytes) -> bool:
    return len(data) >= 2 and data[0] & 0x0F == 8 and ((data[0] << 8) | data[1]) % 31 == 0


def _form_data(body: bytes) -> tuple[bytes, str]:
    """The ``data`` field of a form post (JSON, or base64 JSON) and its ``compression``."""
    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=100)
    except (UnicodeDecodeError, ValueError) as exc:
        raise CaptureError.one(400, f"body is not a valid form: {exc}") from None
    values = form.get("data")
    if not values:
        raise CaptureError.one(400, "form body has no 'data' field", field="data")
    text = values[0].strip()
    mode = (form.get("compression") or [""])[0].strip().lower()
    if mode and mode not in _GZIP_NAMES and mode not in _PLAIN_NAMES:
        raise CaptureError.one(
            415, f"compression {mode!r} is not supported: use gzip-js, base64 or none"
        )
    if text.startswith(("{", "[")):
        return text.encode(), mode
    # A '+' that the client did not percent-encode arrives as a space.
    text = text.replace(" ", "+")
    try:
        if "-" in text or "_" in text:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        else:
            raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise CaptureError.one(
            400, "form field 'data' is neither JSON nor base64-encoded JSON", field="data"
        ) from None
    return raw, mode
