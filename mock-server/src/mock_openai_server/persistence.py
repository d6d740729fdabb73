"""The mock's records in an SQLite database of its state directory, one row per record.

A change writes only the record that changed (an upsert, or a delete), so it costs the
same with 10 batches as with 10,000; rewriting the whole state on every change made
seeding thousands of batches quadratic. Each change is committed before the mock answers:
a killed mock loses nothing, and a crash at any point leaves the state as of some change
(WAL with synchronous=NORMAL: atomic; a power cut may drop only the latest changes).
A state.json left by an earlier version is loaded once, into an empty database, then removed.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

UPSERT = "INSERT INTO records (kind, id, row) VALUES (?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET row = excluded.row"


class StateDatabase:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        # Opened where the app is built, used on the event loop (another thread under a test
        # client): any thread may use it, one at a time.
        self._connection = sqlite3.connect(path, check_same_thread=False)
        self._lock = threading.Lock()
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.execute(
            "CREATE TABLE IF NOT EXISTS records (kind TEXT, id TEXT, row TEXT NOT NULL, PRIMARY KEY (kind, id))"
        )
        self._import_once(path.with_name("state.json"))

    def load(self, kind: str) -> list[dict[str, Any]]:
        """The rows of `kind`, in the order they were first saved (an update keeps its rowid)."""
        with self._lock:
            found = self._connection.execute("SELECT row FROM records WHERE kind = ? ORDER BY rowid", (kind,))
            return [json.loads(row) for (row,) in found]

    def save(self, kind: str, record_id: str, row: dict[str, Any] | None) -> None:
        """Writes one record, or deletes it when `row` is None; committed on return."""
        with self._lock, self._connection:
            if row is None:
                self._connection.execute("DELETE FROM records WHERE kind = ? AND id = ?", (kind, record_id))
            else:
                self._connection.execute(UPSERT, (kind, record_id, json.dumps(row)))

    @property
    def changes(self) -> int:
        """Rows inserted, updated or deleted since opening: what changes cost, counted without a clock."""
        return self._connection.total_changes

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def _import_once(self, old: Path) -> None:
        if not old.exists():
            return
        with self._lock, self._connection:
            if self._connection.execute("SELECT NOT EXISTS (SELECT 1 FROM records)").fetchone()[0]:
                document = json.loads(old.read_text())
                for kind, rows in document.items():
                    self._connection.executemany(UPSERT, [(kind, row["id"], json.dumps(row)) for row in rows])
        old.unlink()  # after the commit: a crash before this finds the database full and skips
