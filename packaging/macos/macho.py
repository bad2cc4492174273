#!/usr/bin/env python3
"""Mach-O facts build-pkg.sh needs, read from file headers (stdlib only; runs on any OS):

    macho.py sign-order DIR      every Mach-O file under DIR (by magic, whatever its name: PyInstaller's
                                 extension-less ``Python`` library included) and every ``.framework``
                                 bundle, in the order codesign needs: nested code before what contains
                                 it, the top-level executable last. Symlinks are skipped.
    macho.py archs FILE          the architectures in FILE, comma-separated (``arm64``, ``x86_64``;
                                 both for a universal binary)
    macho.py check DIR MAIN      exit 1, naming the files, if any Mach-O under DIR lacks an
                                 architecture MAIN has (a universal claim must hold for every library)

Header layouts: <mach-o/loader.h> (mach_header, mach_header_64) and <mach-o/fat.h> (fat_header,
fat_arch, big-endian); CPU types from <mach/machine.h>.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

MH_MAGIC_64 = 0xFEEDFACF
MH_MAGIC = 0xFEEDFACE
FAT_MAGIC = 0xCAFEBABE
FAT_MAGIC_64 = 0xCAFEBABF
MAX_FAT_ARCHS = 20  # Java class files also start with 0xCAFEBABE; their next word is a version >= 45
CPU_ARCH_ABI64 = 0x01000000
CPU_NAMES = {7: "i386", 7 | CPU_ARCH_ABI64: "x86_64", 12: "arm", 12 | CPU_ARCH_ABI64: "arm64",
             18 | CPU_ARCH_ABI64: "ppc64", 18: "ppc"}
CPU_SUBTYPE_ARM64E = 2
CPU_SUBTYPE_MASK = 0xFF000000


def _arch(cputype: int, cpusubtype: int) -> str:
    name = CPU_NAMES.get(cputype, f"cpu{cputype:#x}")
    if name == "arm64" and (cpusubtype & ~CPU_SUBTYPE_MASK) == CPU_SUBTYPE_ARM64E:
        return "arm64e"
    return name


def archs(path: Path) -> list[str] | None:
    """Architectures of a Mach-O file, None when it is not one."""
    try:
        with path.open("rb") as fh:
            head = fh.read(12)
            if len(head) < 12:
                return None
            big = struct.unpack(">I", head[:4])[0]
            if big in (FAT_MAGIC, FAT_MAGIC_64):
                count = struct.unpack(">I", head[4:8])[0]
                if not 0 < count <= MAX_FAT_ARCHS:
                    return None
                size = 20 if big == FAT_MAGIC else 32
                fh.seek(8)
                table = fh.read(size * count)
                if len(table) < size * count:
                    return None
                return [_arch(*struct.unpack(">ii", table[i * size:i * size + 8])) for i in range(count)]
            little = struct.unpack("<I", head[:4])[0]
            if little in (MH_MAGIC_64, MH_MAGIC):
                return [_arch(*struct.unpack("<ii", head[4:12]))]
            if big in (MH_MAGIC_64, MH_MAGIC):
                return [_arch(*struct.unpack(">ii", head[4:12]))]
    except OSError:
        return None
    return None


def sign_order(root: Path) -> list[Path]:
    """Mach-O files and .framework bundles under ``root``, deepest first, ``root``'s own files last."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        base = Path(dirpath)
        for name in dirnames:
            if name.endswith(".framework") and not (base / name).is_symlink():
                found.append(base / name)
        for name in filenames:
            path = base / name
            if not path.is_symlink() and archs(path) is not None:
                found.append(path)

    def key(p: Path) -> tuple[int, int, str]:
        depth = len(p.relative_to(root).parts)
        # deeper first; inside one directory, files before the .framework that contains them is
        # already given by depth; a framework sorts after every file below it
        return (-depth, 1 if p.suffix == ".framework" else 0, str(p))

    return sorted(found, key=key)


def check(root: Path, main: Path) -> list[str]:
    """Files under ``root`` missing an architecture of ``main``."""
    wanted = set(archs(main) or [])
    problems = []
    for path in sign_order(root):
        if path.is_dir():
            continue
        have = set(archs(path) or [])
        if not wanted <= have:
            problems.append(f"{path.relative_to(root)}: {','.join(sorted(have))} (needs {','.join(sorted(wanted))})")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "sign-order":
        for path in sign_order(Path(argv[1])):
            print(path)
        return 0
    if len(argv) == 2 and argv[0] == "archs":
        found = archs(Path(argv[1]))
        if found is None:
            print(f"{argv[1]}: not a Mach-O file", file=sys.stderr)
            return 1
        print(",".join(sorted(set(found))))
        return 0
    if len(argv) == 3 and argv[0] == "check":
        problems = check(Path(argv[1]), Path(argv[2]))
        for line in problems:
            print(line, file=sys.stderr)
        return 1 if problems else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
