"""Which shared libraries the locked wheels need, and which nixpkgs package gives each.

manylinux wheels link against the host's glibc, libgcc_s and libstdc++ (and sometimes
libz); under Nix, autoPatchelf must find every such soname in the build's inputs or the
build fails. This reads the DT_NEEDED entries of every ELF file in a directory tree (an
installed venv, or wheels unpacked for another system) and names the provider of each
soname not shipped in the tree itself. A soname with no known provider is the risk.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

# soname prefix -> what gives it under Nix (nix/python-env.nix's build inputs).
PROVIDERS = {
    "libc.so.": "glibc (stdenv)",
    "libm.so.": "glibc (stdenv)",
    "libmvec.so.": "glibc (stdenv)",
    "libpthread.so.": "glibc (stdenv)",
    "libdl.so.": "glibc (stdenv)",
    "librt.so.": "glibc (stdenv)",
    "libresolv.so.": "glibc (stdenv)",
    "libutil.so.": "glibc (stdenv)",
    "ld-linux-x86-64.so.": "glibc (stdenv)",
    "ld-linux-aarch64.so.": "glibc (stdenv)",
    "libgcc_s.so.": "stdenv.cc.cc.lib",
    "libstdc++.so.": "stdenv.cc.cc.lib",
    "libz.so.": "zlib",
}
DT_NEEDED, DT_STRTAB, PT_DYNAMIC = 1, 5, 2


def needed_sonames(data: bytes) -> list[str] | None:
    """DT_NEEDED of an ELF image (32/64-bit, either byte order), None if not ELF."""
    if data[:4] != b"\x7fELF":
        return None
    wide, order = data[4] == 2, "<" if data[5] == 1 else ">"
    if wide:
        phoff, phentsize, phnum = (
            struct.unpack_from(order + "Q", data, 32)[0],
            *struct.unpack_from(order + "HH", data, 54),
        )
    else:
        phoff, phentsize, phnum = (
            struct.unpack_from(order + "I", data, 28)[0],
            *struct.unpack_from(order + "HH", data, 42),
        )
    segment = "IIQQQQQQ" if wide else "IIIIIIII"
    loads, dynamic = [], None
    for i in range(phnum):
        fields = struct.unpack_from(order + segment, data, phoff + i * phentsize)
        kind, offset, vaddr, filesz = (
            (fields[0], fields[2], fields[3], fields[5]) if wide else (fields[0], fields[1], fields[2], fields[4])
        )
        if kind == 1:
            loads.append((vaddr, offset, filesz))
        elif kind == PT_DYNAMIC:
            dynamic = (offset, filesz)
    if dynamic is None:
        return []
    entry = order + ("qQ" if wide else "iI")
    size = struct.calcsize(entry)
    entries = [struct.unpack_from(entry, data, dynamic[0] + i * size) for i in range(dynamic[1] // size)]
    strtab = next(value for tag, value in entries if tag == DT_STRTAB)
    # DT_STRTAB is an address: find the file offset of the segment that holds it
    base = next(offset + strtab - vaddr for vaddr, offset, filesz in loads if vaddr <= strtab < vaddr + filesz)
    return [data[base + value : data.index(b"\0", base + value)].decode() for tag, value in entries if tag == DT_NEEDED]


def provider(soname: str) -> str | None:
    return next((who for prefix, who in PROVIDERS.items() if soname.startswith(prefix)), None)


@dataclass
class Report:
    """Per ELF file (relative path): the sonames it needs from outside the tree."""

    external: dict[str, list[str]] = field(default_factory=dict)

    def unresolved(self) -> dict[str, list[str]]:
        return {
            path: missing
            for path, needs in self.external.items()
            if (missing := [s for s in needs if provider(s) is None])
        }

    def by_provider(self) -> dict[str, set[str]]:
        table: dict[str, set[str]] = {}
        for needs in self.external.values():
            for soname in needs:
                table.setdefault(provider(soname) or "NOT FOUND", set()).add(soname)
        return table


def scan(tree: Path) -> Report:
    """Every ELF file under `tree`; a soname shipped in the tree (e.g. a wheel's .libs) is
    found there by autoPatchelf, so only the others count as external."""
    needs: dict[str, list[str]] = {}
    names: set[str] = set()
    for path in sorted(tree.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        with open(path, "rb") as handle:
            if handle.read(4) != b"\x7fELF":
                continue
        sonames = needed_sonames(path.read_bytes())
        if sonames is not None:
            needs[str(path.relative_to(tree))] = sonames
            names.add(path.name)
    report = Report()
    for needer, sonames in needs.items():
        report.external[needer] = [s for s in sonames if s not in names]
    return report
