"""Keyed pseudonyms of NIKs: equal to HMAC-SHA256 (RFC 4231 vectors, Python's hmac), bad input."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import polars as pl
import pytest

from setara import SetaraError
from setara.monitoring.pseudonym import hmac_sha256_many, pseudonymise

KEY = bytes(range(32))

# RFC 4231, HMAC-SHA-256 test cases 1, 2 and 6 (key shorter than, and longer than, a block)
RFC4231 = [
    (
        b"\x0b" * 20,
        b"Hi There",
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    ),
    (
        b"Jefe",
        b"what do ya want for nothing?",
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    ),
    (
        b"\xaa" * 131,
        b"Test Using Larger Than Block-Size Key - Hash Key First",
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    ),
]


@pytest.mark.parametrize(("key", "data", "digest"), RFC4231)
def test_rfc4231_vectors(key: bytes, data: bytes, digest: str) -> None:
    assert hmac_sha256_many(key, [data, data])[1].hex() == digest


def test_equals_python_hmac_on_random_niks() -> None:
    rng = np.random.default_rng(10)
    niks = [str(v) for v in rng.integers(1_100_000_000_000_000, 9_699_999_999_999_999, 500)]
    got = pseudonymise(pl.Series("nik", niks), key=KEY)
    want = [hmac.new(KEY, n.encode(), hashlib.sha256).hexdigest() for n in niks]
    assert got.to_list() == want
    assert got.name == "pseudonym" and got.dtype == pl.String


def test_same_nik_same_pseudonym_other_key_other_pseudonym() -> None:
    niks = ["3201010101900001", "3201010101900002", "3201010101900001"]
    first = pseudonymise(niks, key=KEY).to_list()
    assert first[0] == first[2] and first[0] != first[1]
    other = pseudonymise(niks, key=KEY[::-1]).to_list()
    assert not set(first) & set(other)


def test_whole_numbers_are_read_as_text() -> None:
    as_int = pseudonymise(pl.Series("nik", [3201010101900001], dtype=pl.Int64), key=KEY)
    assert as_int.to_list() == pseudonymise(["3201010101900001"], key=KEY).to_list()


@pytest.mark.parametrize(
    "values",
    [
        ["3201010101900001", "32010101019000", "3201010101900001", None],
        ["3201010101900001", "320101010190000X", " 3201010101900001", "987654321"],
    ],
)
def test_bad_niks_are_counted_never_shown(values: list[str | None]) -> None:
    with pytest.raises(SetaraError) as error:
        pseudonymise(pl.Series("nik", values, dtype=pl.String), key=KEY)
    message = str(error.value)
    assert "2 in 4 rows are missing or not 16 digits (first at row 1)" in message
    assert not any(v and v.strip()[:6] in message for v in values)


def test_floating_point_niks_are_refused() -> None:
    with pytest.raises(SetaraError, match="floating-point"):
        pseudonymise(pl.Series("nik", [3.201010101900001e15]), key=KEY)


@pytest.mark.parametrize(
    ("key", "message"), [(b"short", "5 bytes"), ("text" * 10, "must be bytes")]
)
def test_weak_keys_are_refused(key: bytes, message: str) -> None:
    with pytest.raises(SetaraError, match=message):
        pseudonymise(["3201010101900001"], key=key)
