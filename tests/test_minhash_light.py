"""The crawl's numpy-only MinHash (archive/minhash.py) writes the fingerprints datasketch writes:
an archive must not hold two kinds of `mh64x32:` values depending on which module stored an
article, or near-duplicate links would silently stop matching."""

import random
import subprocess
import sys

from archive import minhash as light
from archive import neardup

WORDS = ("Hội nghị tổng kết công tác đào tạo bồi dưỡng cán bộ năm 2023 của Trường Chính trị "
         "tỉnh Bến Tre đảng viên học viên lớp Trung cấp lý luận chính trị — hành chính: 12/3, "
         "NGHỊ QUYẾT số 05-NQ/TU ThS. Nguyễn Văn A").split()


def _texts() -> list[str]:
    rng = random.Random(12)
    texts = ["", "Đảng", "hai từ", "  \n ", "Tin tức — sự kiện: Hội thảo khoa học 2024 " * 30]
    texts += [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 1500)))
              for _ in range(60)]
    return texts


def test_light_fingerprint_equals_datasketch():
    for text in _texts():
        assert light.fingerprint(text) == neardup.fingerprint(text), text[:60]
    assert light.PREFIX == neardup.PREFIX
    assert light.shingles(WORDS[0]) == neardup.shingles(WORDS[0])


def test_light_fingerprint_tells_texts_apart_and_reads_back():
    a, b = _texts()[5:7]
    assert light.fingerprint(a) != light.fingerprint(b)
    back = neardup.from_fingerprint(light.fingerprint(a))  # clustering reads what we wrote
    assert back is not None and back.jaccard(neardup.minhash(a)) == 1.0


def test_light_module_does_not_import_datasketch():
    """The point of the module: the crawl's processes never load datasketch (~70 MB)."""
    code = "import sys, archive.minhash; print('datasketch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"
