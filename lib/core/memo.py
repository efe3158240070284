"""What a dataset object keeps of the results computed from it (:attr:`lib.core.dataset.Dataset.memo`),
within a budget of bytes.

At 100,000 people the Overview's sections keep about 0.65 GB per wave of intermediates (the
respondent copy of the ties with its graphs, the trust answers, the skills tables, the classified
ties), all held while the page goes on to the next wave and the wave comparison: the server's
peak grew by all of it. :class:`Memo` is a mapping that sizes each entry when it is stored
(:func:`lib.core.sizing.nbytes`) and, past its budget, drops the least recently used entries: the
ones of a wave the page has left, before those it is reading. A dropped result is computed again
when asked for (the same value: every memoised function is a function of the dataset's tables).
Below the budget (every dataset of up to tens of thousands of people) nothing is ever dropped.

A dataset held in an entry (the respondent copy) keeps its own memo, counted in this one at its
current size. Safe to use from several threads (the page's and the background one).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, MutableMapping

from lib.core.sizing import Live, nbytes

#: The default budget of a dataset's memo, in bytes. The Overview of 100,000 people reads about
#: 0.65 GB of intermediates per wave; a dataset of 10,000 people keeps 0.13 GB for both waves.
MEMO_BUDGET = 700 * 1024 * 1024
#: Entries below this many bytes are never dropped: the results pages read (a section's facts, a
#: mix) are small, cheap to keep and slow to compute again (they are made of the large ones).
KEEP_BELOW = 1024 * 1024
_NONE = object()


class Memo(MutableMapping[object, object], Live):
    """A mapping that keeps its entries' total estimated size within ``budget`` bytes by dropping the
    least recently used (read or stored) entries of :data:`KEEP_BELOW` bytes or more; the entry just
    stored is never the one dropped.

    ``shared``: what the owner holds anyway (its own tables), not counted in an entry that keeps a
    reference to it."""

    def __init__(
        self, budget: int | None = None, shared: Callable[[], Iterable[object]] | None = None
    ) -> None:
        self.budget = MEMO_BUDGET if budget is None else budget
        self._shared = shared
        self._data: OrderedDict[object, object] = OrderedDict()
        #: per key: (bytes of its own, the memos of datasets it holds: counted at their current size)
        self._sizes: dict[object, tuple[int, tuple[Memo, ...]]] = {}
        self._lock = threading.RLock()
        #: entries dropped for the budget so far, and entries stored again after being dropped (for
        #: tests and benchmarks; the keys' hashes, not the keys, are kept of what was dropped)
        self.evicted = 0
        self.recomputed = 0
        self._dropped: set[int] = set()

    def __reduce__(self) -> tuple[type[Memo], tuple[int]]:
        """A copy is empty (what is kept is a cache, and the lock cannot be copied)."""
        return (Memo, (self.budget,))

    # --- the mapping ------------------------------------------------------------------------
    def __getitem__(self, key: object) -> object:
        with self._lock:
            value = self._data[key]
            self._data.move_to_end(key)
            return value

    def __setitem__(self, key: object, value: object) -> None:
        nested: list[Memo] = []  # the memos of datasets the value holds
        seen = {id(x) for x in self._shared()} if self._shared is not None else set()
        own = nbytes(value, seen, nested)
        with self._lock:
            if key not in self._data and hash(key) in self._dropped:
                self.recomputed += 1
            self._data[key] = value
            self._data.move_to_end(key)
            self._sizes[key] = (own, tuple(m for m in nested if m is not self))
            self._shrink(keep=key)

    def __delitem__(self, key: object) -> None:
        with self._lock:
            del self._data[key]
            del self._sizes[key]

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._data

    def __iter__(self) -> Iterator[object]:
        with self._lock:
            return iter(list(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def pop(self, key: object, default: object = _NONE) -> object:
        with self._lock:
            if key not in self._data:
                if default is _NONE:
                    raise KeyError(key)
                return default
            self._sizes.pop(key)
            return self._data.pop(key)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._sizes.clear()

    def get(self, key: object, default: object = None) -> object:
        with self._lock:
            if key not in self._data:
                return default
            return self[key]

    # --- the budget -------------------------------------------------------------------------
    @property
    def total(self) -> int:
        """The estimated bytes of every entry (a held dataset's memo at its current size)."""
        with self._lock:
            return sum(self._entry_bytes(key) for key in self._data)

    def entry_bytes(self, key: object) -> int:
        """The estimated bytes of one entry."""
        with self._lock:
            return self._entry_bytes(key)

    def _entry_bytes(self, key: object) -> int:
        own, nested = self._sizes[key]
        return own + sum(m.total for m in nested)

    def _shrink(self, keep: object) -> None:
        """Drop the least recently used entries of :data:`KEEP_BELOW` bytes or more (never ``keep``)
        until the total is within the budget."""
        sizes = {key: self._entry_bytes(key) for key in self._data}
        total = sum(sizes.values())
        if total <= self.budget:
            return
        for key, size in sizes.items():  # oldest first
            if total <= self.budget:
                break
            if key == keep or size < KEEP_BELOW:
                continue
            total -= size
            del self._data[key]
            del self._sizes[key]
            self._dropped.add(hash(key))
            self.evicted += 1
