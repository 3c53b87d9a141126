"""An article's MinHash fingerprint with numpy alone: the values datasketch's MinHash gives.

Why not datasketch itself in the crawl: `import datasketch` loads its whole package (LSH with
scipy.integrate, redis and motor storage back-ends, HNSW...), ~70 MB of resident memory more
than numpy, in every process that stores articles (the crawl's writer among them), to compute
64 numbers per article. This module computes those numbers as datasketch 2's default
`affine32` scheme does: the seed-1 affine permutations drawn with numpy's legacy
`RandomState`, the SHA-1 32-bit input hash pre-mixed with MurmurHash3's finalizer, then
`min(a * h + b mod 2^32)` per permutation. tests/test_minhash_light.py holds it equal to
`archive.neardup.fingerprint` (datasketch) on varied texts, so the archive's stored
fingerprints (`mh64x32:<hex>`) do not depend on which module wrote them; clustering
(`archive/neardup.py`, LSH) still uses datasketch, outside the crawl.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import numpy.typing as npt

from archive.folding import fold

NUM_PERM = 64
SEED = 1
SHINGLE = 3
PREFIX = f"mh{NUM_PERM}x32:"
_WORD_RE = re.compile(r"\w+")
_DTYPE_LE = np.dtype("<u4")
_U32 = npt.NDArray[np.uint32]


def _permutations(num_perm: int = NUM_PERM, seed: int = SEED) -> tuple[_U32, _U32]:
    """(a, b) as datasketch draws them for `affine32`: `a` odd, both uint32."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


_A, _B = _permutations()


def _fmix32(hv: _U32) -> _U32:
    """MurmurHash3's 32-bit finalizer (uint32 arithmetic wraps: the intended mod 2^32)."""
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    """Word k-shingles of the folded text (a text shorter than k words is one shingle)."""
    words = _WORD_RE.findall(fold(text))
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i: i + k]) for i in range(len(words) - k + 1)}


def hashvalues(text: str) -> _U32:
    """The 64 MinHash values (uint32) of the text's shingles; all 2^32-1 for no shingle."""
    values = np.full(NUM_PERM, np.uint32(0xFFFFFFFF), dtype=np.uint32)
    grams = shingles(text)
    if not grams:
        return values
    hv = np.frombuffer(
        b"".join(hashlib.sha1(g.encode("utf-8")).digest()[:4] for g in grams), dtype=_DTYPE_LE
    ).astype(np.uint32).reshape(-1, 1)
    with np.errstate(over="ignore"):
        permuted = _fmix32(hv) * _A + _B
    least: _U32 = np.minimum(values, permuted.min(axis=0))  # numpy's ufuncs return Any
    return least


def fingerprint(text: str) -> str:
    """The stored form of an article's MinHash: `mh64x32:` + the hash values as little-endian
    hex, as `archive.neardup.fingerprint` writes it."""
    return PREFIX + hashvalues(text).astype(_DTYPE_LE).tobytes().hex()
