"""Request bodies: every wrapping SDKs use, and every way a body can be broken."""

from __future__ import annotations

import base64
import gzip
import zlib
from typing import Any
from urllib.parse import quote, urlencode

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldnote.events.capture import CaptureError, decode_body

EVENT = {
    "event": "report_created",
    "distinct_id": "user-42",
    "properties": {"$os": "iOS", "plan": "pro", "report_rows": 1200},
    "timestamp": "2026-11-20T10:00:00Z",
}
BATCH = {"api_key": "fnw_demo", "batch": [EVENT, {**EVENT, "distinct_id": "user-43"}]}
JSON = orjson.dumps(BATCH)
LIMIT = 1024 * 1024


def decode(body: bytes, **headers: str) -> Any:
    return decode_body(body, max_bytes=headers.pop("max_bytes", LIMIT), **headers)  # type: ignore[arg-type]


def refusal(body: bytes, **headers: Any) -> CaptureError:
    with pytest.raises(CaptureError) as info:
        decode(body, **headers)
    return info.value


def test_plain_json() -> None:
    assert decode(JSON, content_type="application/json") == BATCH


def test_gzip_by_content_encoding_as_posthog_python_and_analytics_python_send() -> None:
    assert decode(gzip.compress(JSON), content_encoding="gzip") == BATCH


def test_gzip_js_query_parameter_as_posthog_js_sends_it() -> None:
    assert decode(gzip.compress(JSON), content_type="text/plain", compression="gzip-js") == BATCH


def test_gzip_is_recognised_by_its_magic_bytes_even_without_a_header() -> None:
    assert decode(gzip.compress(JSON)) == BATCH


def test_concatenated_gzip_members_are_one_body() -> None:
    half = len(JSON) // 2
    assert (
        decode(gzip.compress(JSON[:half]) + gzip.compress(JSON[half:]), content_encoding="gzip")
        == BATCH
    )


def test_deflate_with_and_without_the_zlib_header() -> None:
    assert decode(zlib.compress(JSON), content_encoding="deflate") == BATCH
    raw = zlib.compressobj(wbits=-15)
    assert decode(raw.compress(JSON) + raw.flush(), content_encoding="deflate") == BATCH


def test_form_field_holding_json() -> None:
    body = urlencode({"data": JSON.decode()}).encode()
    assert decode(body, content_type="application/x-www-form-urlencoded") == BATCH


def test_form_field_holding_base64_json_as_posthog_js_fallback_sends_it() -> None:
    b64 = base64.b64encode(JSON).decode()
    body = f"data={quote(b64)}&compression=base64".encode()
    assert decode(body, content_type="application/x-www-form-urlencoded; charset=UTF-8") == BATCH


def test_base64_whose_plus_signs_arrived_unencoded_as_spaces_still_decodes() -> None:
    payload = orjson.dumps({"event": "x>?~~~", "distinct_id": "ü>>>?"})
    b64 = base64.b64encode(payload).decode()
    assert "+" in b64 or "/" in b64
    body = ("data=" + b64.replace("/", "%2F")).encode()  # '+' left raw: becomes ' '
    assert decode(body, content_type="application/x-www-form-urlencoded") == orjson.loads(payload)


def test_gzip_inside_a_form_field() -> None:
    b64 = base64.b64encode(gzip.compress(JSON)).decode()
    body = urlencode({"data": b64, "compression": "gzip-js"}).encode()
    assert decode(body, content_type="application/x-www-form-urlencoded") == BATCH


def test_a_gzip_bomb_is_stopped_at_the_limit_without_inflating_it() -> None:
    # 256 MiB of zeros compresses to ~250 KiB; with a 1 MiB limit decompression stops
    # after about 1 MiB of output.
    comp = zlib.compressobj(wbits=31)
    block = bytes(1024 * 1024)
    bomb = b"".join(comp.compress(block) for _ in range(256)) + comp.flush()
    assert len(bomb) < 1024 * 1024
    err = refusal(bomb, content_encoding="gzip")
    assert err.status == 413
    assert err.message == f"body is larger than {LIMIT} bytes once decompressed"


def test_the_limit_applies_exactly_after_decompression() -> None:
    assert decode(gzip.compress(JSON), content_encoding="gzip", max_bytes=len(JSON)) == BATCH
    err = refusal(gzip.compress(JSON), content_encoding="gzip", max_bytes=len(JSON) - 1)
    assert err.status == 413


@pytest.mark.parametrize(
    ("body", "headers", "status", "message"),
    [
        (b"", {}, 400, "body is empty: send a JSON event, batch or array"),
        (b"   \n", {}, 400, "body is empty: send a JSON event, batch or array"),
        (
            JSON,
            {"content_encoding": "gzip"},
            400,
            "Content-Encoding is gzip but the body is not gzip data",
        ),
        (
            JSON,
            {"compression": "gzip-js"},
            400,
            "compression is 'gzip-js' but the body is not gzip data",
        ),
        (
            gzip.compress(JSON)[:-9],
            {"content_encoding": "gzip"},
            400,
            "body is truncated gzip data",
        ),
        (
            gzip.compress(JSON) + b"trailing",
            {"content_encoding": "gzip"},
            400,
            "body has 8 unexpected bytes after the gzip data",
        ),
        (
            JSON,
            {"content_encoding": "br"},
            415,
            "Content-Encoding 'br' is not supported: use gzip, deflate or none",
        ),
        (
            JSON,
            {"compression": "lz64"},
            415,
            "compression 'lz64' is not supported: use gzip-js, base64 or none",
        ),
        (
            b"data=%%%not-base64%%%",
            {"content_type": "application/x-www-form-urlencoded"},
            400,
            "form field 'data' is neither JSON nor base64-encoded JSON",
        ),
        (
            b"other=1",
            {"content_type": "application/x-www-form-urlencoded"},
            400,
            "form body has no 'data' field",
        ),
    ],
    ids=[
        "empty",
        "blank",
        "gzip-header-plain-body",
        "gzip-js-plain-body",
        "truncated-gzip",
        "gzip-trailing-garbage",
        "brotli",
        "lz64",
        "form-bad-base64",
        "form-without-data",
    ],
)
def test_broken_bodies_are_refused_with_a_precise_reason(
    body: bytes, headers: dict[str, str], status: int, message: str
) -> None:
    err = refusal(body, **headers)
    assert (err.status, err.message) == (status, message)


@pytest.mark.parametrize("body", [b'{"event": "x",', b"{'event': 'x'}", b"[1, 2,]", b"NaN"])
def test_invalid_json_is_refused_with_the_parser_position(body: bytes) -> None:
    err = refusal(body)
    assert err.status == 400
    assert err.message.startswith("body is not valid JSON: ")
    assert "line 1 column" in err.message


def test_corrupt_gzip_names_the_zlib_error() -> None:
    data = bytearray(gzip.compress(JSON))
    data[12:20] = b"\xff" * 8
    err = refusal(bytes(data), content_encoding="gzip")
    assert err.status == 400
    assert err.message.startswith("body is not valid gzip data: ")


@given(st.binary(max_size=300))
def test_arbitrary_bytes_either_decode_or_are_refused_cleanly(blob: bytes) -> None:
    for headers in (
        {},
        {"content_encoding": "gzip"},
        {"content_type": "application/x-www-form-urlencoded"},
    ):
        try:
            decode(blob, **headers)
        except CaptureError as exc:
            assert exc.status in (400, 413, 415)


@given(st.binary(max_size=200))
def test_arbitrary_bytes_behind_a_valid_gzip_header_are_refused_cleanly(blob: bytes) -> None:
    try:
        decode(gzip.compress(b"")[:10] + blob, content_encoding="gzip")
    except CaptureError as exc:
        assert exc.status in (400, 413)
