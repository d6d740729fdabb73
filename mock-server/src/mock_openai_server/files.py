"""File records in memory, their bytes on disk.

Contents live in a private temp directory (or the state directory, which outlives the
process) so 100 MB+ files cost neither RAM nor repeated copies: an upload is copied
once, in chunks, from the multipart spool file, and content is served straight from disk.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

from . import ids
from .errors import not_found

COPY_CHUNK_BYTES = 1024 * 1024

# Told of each change of a record: its id and its row, or None once it is deleted.
OnChange = Callable[[str, dict[str, Any] | None], None]


@dataclass
class FileRecord:
    id: str
    filename: str
    purpose: str
    bytes: int
    created_at: int
    expires_at: int | None
    path: Path

    def to_row(self) -> dict[str, Any]:
        return asdict(self) | {"path": str(self.path)}

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> FileRecord:
        return cls(**(row | {"path": Path(row["path"])}))

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "file",
            "bytes": self.bytes,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
            "status_details": None,
        }


class FileStore:
    def __init__(self, directory: Path | None = None, on_change: OnChange = lambda record_id, row: None) -> None:
        """`directory`: where contents are kept across restarts; None: a temp dir removed at close()."""
        self._temporary = directory is None
        self._dir = Path(tempfile.mkdtemp(prefix="mock-openai-files-")) if directory is None else directory
        self._dir.mkdir(parents=True, exist_ok=True)
        self._records: dict[str, FileRecord] = {}  # insertion order = creation order
        self._changed = on_change

    def restore(self, rows: list[dict[str, Any]]) -> None:
        """Records saved as to_row() made them; one whose content is gone is dropped."""
        for row in rows:
            record = FileRecord.from_row(row)
            if record.path.is_file():
                self._records[record.id] = record

    def spool_upload(self, source: BinaryIO) -> Path:
        """Blocking, for a worker thread: copy the upload once, in bounded chunks, to a scratch file.

        Registering it is left to adopt(), on the event loop, so records are only ever
        touched from one thread.
        """
        scratch = self.scratch_path()
        source.seek(0)
        with open(scratch, "wb") as target:
            shutil.copyfileobj(source, target, COPY_CHUNK_BYTES)
        return scratch

    def scratch_path(self) -> Path:
        """A fresh path in the store's directory, for content that will be adopted."""
        return self._dir / f"scratch-{ids.request_id()}"

    def adopt(self, path: Path, filename: str, purpose: str, expires_after_seconds: int | None = None) -> FileRecord:
        """Turn a finished scratch file into a stored file, without copying it."""
        file_id = ids.file_id()
        final_path = self._dir / file_id
        os.replace(path, final_path)
        created_at = int(time.time())
        expires_at = created_at + expires_after_seconds if expires_after_seconds is not None else None
        record = FileRecord(file_id, filename, purpose, final_path.stat().st_size, created_at, expires_at, final_path)
        self._records[file_id] = record
        self._changed(file_id, record.to_row())
        return record

    def snapshot(self, record: FileRecord) -> Path:
        """A private hard link to the content, so a batch keeps its input even if the file is deleted."""
        link = self.scratch_path()
        try:
            os.link(record.path, link)
        except OSError:
            shutil.copyfile(record.path, link)
        return link

    def get(self, file_id: str) -> FileRecord | None:
        return self._records.get(file_id)

    def require(self, file_id: str) -> FileRecord:
        record = self._records.get(file_id)
        if record is None:
            raise not_found("file", file_id, "file_id")
        return record

    def delete(self, file_id: str) -> FileRecord:
        record = self.require(file_id)
        del self._records[file_id]
        discard(record.path)
        self._changed(file_id, None)
        return record

    def newest_first(self, purpose: str | None = None) -> list[FileRecord]:
        return [record for record in reversed(self._records.values()) if purpose in (None, record.purpose)]

    def reset(self) -> None:
        """Forget every file, and the scratch files of batches (stopped before this)."""
        for file_id in self._records:
            self._changed(file_id, None)
        self._records.clear()
        for path in self._dir.iterdir():
            discard(path)

    def close(self) -> None:
        """Remove a temp dir; a state directory keeps everything for the next start."""
        if self._temporary:
            self._records.clear()
            shutil.rmtree(self._dir, ignore_errors=True)


def discard(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)
