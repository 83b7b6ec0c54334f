#!/usr/bin/env python3
"""Compiles every C sample of docs/guide-c.md against abi/include/sio/sio.h, so
the guide cannot drift from the header. The first sample must be
examples/echo_server.c as it is (after its opening comment) and is compiled
as a program; the others are functions, each compiled alone after the
includes they share. Usage: check_guide_c.py [CC] (default cc)."""
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guide-c.md"
ECHO = ROOT / "examples" / "echo_server.c"
PRELUDE = "#include <poll.h>\n#include <stdio.h>\n#include <string.h>\n#include <sio/sio.h>\n\n"
FLAGS = ["-std=c11", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-Wextra", "-Werror",
         "-Wno-unused-function", "-fsyntax-only", "-I", str(ROOT / "abi" / "include")]


def main():
    cc = sys.argv[1] if len(sys.argv) > 1 else "cc"
    samples = re.findall(r"```c\n(.*?)```", GUIDE.read_text(), re.S)
    echo = ECHO.read_text()
    if not samples or samples[0] != echo[echo.index("#include"):]:
        print("docs/guide-c.md: the complete server is not examples/echo_server.c")
        return 1
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, sample in enumerate(samples):
            src = pathlib.Path(tmp) / f"sample{i}.c"
            src.write_text(sample if i == 0 else PRELUDE + sample)
            run = subprocess.run([cc, *FLAGS, str(src)], capture_output=True, text=True)
            if run.returncode:
                failed += 1
                print(f"docs/guide-c.md, C sample {i + 1}:\n{sample}\n{run.stderr}")
    print(f"{len(samples)} C samples, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
