"""Memory freed by tables goes back to the system when asked (lib/core/memory.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CODE = """
import numpy as np, pyarrow as pa
from lib.core.memory import release_free_memory
def rss(): return int(open('/proc/self/statm').read().split()[1]) * 4096 / 1e6
texts = pa.array(np.char.mod('person-%09d', np.arange(3_000_000)).astype(object))  # pyarrow's pool
small = [bytes(200) + bytes([i % 256]) for i in range(600_000)]  # malloc's
del texts, small
before = rss(); release_free_memory(); after = rss()
print(before, after)
"""


def test_freed_table_memory_is_returned_to_the_system() -> None:
    # 3 million ids in a pyarrow array and 600,000 small Python objects, then freed: both allocators
    # keep most of it (about 220 MB here) until asked; asked, the process shrinks.
    out = subprocess.run([sys.executable, "-c", _CODE], cwd=ROOT, capture_output=True, text=True, check=True)
    before, after = (float(x) for x in out.stdout.split())
    assert before - after > 100, (before, after)
