"""Who may reach a managed file or batch: the ownership model (docs/identity.md), as values.

A key has a user, a team, both or neither; the master key is an admin. An object records
its creator (the key's user; a key with neither user nor team: the key itself; a team's
key without a user: nobody) and the creating key's team. A caller reaches an object when
it is an admin, its own identity is the recorded creator, or its team is the recorded
team. Tests derive each expected answer from `reaches`, not from a list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Principal:
    """One kind of caller, as the master key makes it."""

    name: str
    user: str | None = None
    team: str | None = None
    admin: bool = False

    @property
    def identity(self) -> str | None:
        """What an object this principal creates records as its creator."""
        if self.user is not None:
            return self.user
        return None if self.team is not None else f"key:{self.name}"

    def reaches(self, owner: Principal) -> bool:
        """Whether this principal may read, download, cancel, delete and list what
        `owner` created."""
        if self.admin:
            return True
        if self.identity is not None and self.identity == owner.identity:
            return True
        return self.team is not None and self.team == owner.team


def principals(run: str) -> list[Principal]:
    """Every kind of key, with ids unique to this run: two users alone; two keys of team a
    without a user; a user of team a; team b's key; two keys with neither; the master key."""
    team_a, team_b = f"team-a-{run}", f"team-b-{run}"
    return [
        Principal("user a", user=f"user-a-{run}"),
        Principal("user b", user=f"user-b-{run}"),
        Principal("team a key", team=team_a),
        Principal("team a second key", team=team_a),
        Principal("team a's user", user=f"user-c-{run}", team=team_a),
        Principal("team b key", team=team_b),
        Principal("key with neither"),
        Principal("another key with neither"),
        Principal("admin", admin=True),
    ]


def make_keys(proxy_url: str, master_key: str, who: list[Principal]) -> dict[str, str]:
    """A virtual key per principal (the admin's is the master key), teams made first."""
    admin = {"Authorization": f"Bearer {master_key}"}
    for team in sorted({p.team for p in who if p.team}):
        httpx.post(f"{proxy_url}/team/new", json={"team_id": team}, headers=admin, timeout=30).raise_for_status()
    keys = {}
    for principal in who:
        if principal.admin:
            keys[principal.name] = master_key
            continue
        body = {k: v for k, v in (("user_id", principal.user), ("team_id", principal.team)) if v}
        answer = httpx.post(f"{proxy_url}/key/generate", json=body, headers=admin, timeout=30)
        answer.raise_for_status()
        keys[principal.name] = answer.json()["key"]
    return keys


def run_id() -> str:
    return uuid.uuid4().hex[:8]
