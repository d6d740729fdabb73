"""The base of every error this project raises for its user to read."""

from __future__ import annotations


class BatchFixesError(RuntimeError):
    """A failure its message explains in full: `./dev` prints the message and exits 1, with
    no traceback. Each module's own error (BuildError, PatchError...) derives from it."""
