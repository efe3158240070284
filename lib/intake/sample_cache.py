"""A fast-loading copy of a workbook that does not change between runs (the bundled sample).

Reading ``sample_data/sample_org.xlsx`` with :func:`lib.intake.loader.load_path` takes seconds
(openpyxl, then every check); a freshly started server would make its first visitor wait for it.
:func:`load_cached` reads the workbook once, writes its canonical tables as Parquet files (and the
rest of the :class:`~lib.core.dataset.Dataset` as JSON) in a cache folder, and later reads those,
which takes a fraction of a second.

The copy is keyed by the workbook's bytes (SHA-256) *and* the loader's source code (every ``.py``
file under ``lib/core`` and ``lib/intake``): a changed workbook or a changed loader gives a new key,
so a stale copy is never read. No pickle: Parquet keeps the pandas dtypes, JSON the findings. A
cache folder that cannot be written only costs the speed (the workbook is read as before).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from lib.core.dataset import TABLE_COLUMNS, Dataset
from lib.core.errors import Finding

_LOG = logging.getLogger(__name__)

#: Bump when the cached form changes.
CACHE_VERSION = "1"
_LIB = Path(__file__).resolve().parents[1]
#: The code whose output is cached: the loader and the data model it builds.
_CODE_DIRS = (_LIB / "core", _LIB / "intake")
ROOT = _LIB.parent
#: Where copies live unless ``SLD_CACHE_DIR`` says otherwise (git-ignored).
DEFAULT_CACHE_DIR = ROOT / ".cache" / "datasets"


def cache_dir() -> Path:
    """The folder holding cached datasets: ``$SLD_CACHE_DIR`` or :data:`DEFAULT_CACHE_DIR`."""
    return Path(os.environ.get("SLD_CACHE_DIR") or DEFAULT_CACHE_DIR)


def cache_key(path: Path) -> str:
    """The key of ``path``'s cached copy: a hash of its bytes, the loader's code and the format."""
    h = hashlib.sha256(CACHE_VERSION.encode())
    h.update(path.read_bytes())
    for folder in _CODE_DIRS:
        for source in sorted(folder.rglob("*.py")):
            h.update(str(source.relative_to(_LIB)).encode())
            h.update(source.read_bytes())
    return h.hexdigest()[:32]


def write_copy(ds: Dataset, folder: Path) -> None:
    """Write ``ds`` to ``folder`` (created): one Parquet file per table and ``meta.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in TABLE_COLUMNS:
        getattr(ds, name).to_parquet(folder / f"{name}.parquet", index=False)
    meta = {
        "source": ds.source,
        "findings": [asdict(f) for f in ds.findings],
        "channel_modes": ds.channel_modes,
        "pseudonym_salt": ds.pseudonym_salt,
    }
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def read_copy(folder: Path) -> Dataset:
    """The dataset :func:`write_copy` wrote to ``folder``."""
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLE_COLUMNS}
    return Dataset(
        **tables,
        source=meta["source"],
        findings=[Finding(**f) for f in meta["findings"]],
        channel_modes=meta["channel_modes"],
        pseudonym_salt=meta["pseudonym_salt"],
    )


def load_cached(path: Path, folder: Path | None = None) -> Dataset:
    """``load_path(path)``, from the cached copy in ``folder`` (default :func:`cache_dir`) when it
    has one for these bytes and this loader, else loaded and then cached."""
    from lib.intake.loader import load_path

    key = cache_key(path)
    target = (folder or cache_dir()) / key
    if (target / "meta.json").is_file():
        try:
            return read_copy(target)
        except (OSError, ValueError, KeyError, TypeError) as exc:  # a damaged copy: load as usual
            _LOG.warning("cached copy %s unreadable (%s); reading %s", target, exc, path)
    ds = load_path(path)
    staging: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=target.parent))
        write_copy(ds, staging)
        shutil.rmtree(target, ignore_errors=True)  # a damaged copy
        os.replace(staging, target)  # whole or not at all (another process may have won: fine)
    except OSError as exc:
        _LOG.warning("could not cache %s in %s: %s", path, target.parent, exc)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return ds


def main(argv: list[str] | None = None) -> int:
    """``python -m lib.intake.sample_cache [WORKBOOK…]``: build the copies before the server starts
    (default: the bundled sample), so even the first visitor's first screen reads the fast copy."""
    import sys

    names = argv if argv is not None else sys.argv[1:]
    for name in names or [str(ROOT / "sample_data" / "sample_org.xlsx")]:
        load_cached(Path(name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
