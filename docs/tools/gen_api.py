#!/usr/bin/env python3
"""Writes docs/api.md from abi/include/sio/sio.h: every declaration with the comment above
it, so the reference cannot drift from the header. `--check` exits 1 when
docs/api.md differs from what the header gives."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
HEADER = ROOT / "abi" / "include" / "sio" / "sio.h"
OUT = ROOT / "docs" / "api.md"

INTRO = """# libsio API reference

Generated from `abi/include/sio/sio.h` by `docs/tools/gen_api.py` (do not edit by hand;
`ctest -R api_doc` fails when this page and the header differ). The header's
opening comment states the rules every function follows: threads, errors and
memory ownership. Every function is declared with `SIO_EXTERN`, the export
macro (visibility "default" while the library builds, nothing for the host);
it is left out below. The architecture behind them is in `architecture.md`; a
complete program is in `guide-c.md`.
"""

EXTERN = "SIO_EXTERN "


def clean_comment(text):
    lines = []
    for line in text.splitlines():
        line = line.strip()
        line = re.sub(r"^/\*+", "", line)
        line = re.sub(r"\*+/$", "", line)
        line = re.sub(r"^\* ?", "", line)
        lines.append(line.strip())
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def chunks(source):
    """Yields (comment, declaration) pairs in header order."""
    body = source.split('extern "C" {', 1)[1].rsplit("#ifdef __cplusplus", 1)[0]
    i, n = 0, len(body)
    comment = ""
    while i < n:
        if body.startswith("/*", i):
            end = body.index("*/", i) + 2
            comment = body[i:end]
            i = end
            continue
        if body[i].isspace():
            i += 1
            continue
        if body[i] == "#":
            end = body.index("\n", i)
            if body.startswith("#define", i):
                yield comment, body[i:end].strip()
            comment = ""
            i = end
            continue
        depth, j = 0, i
        while j < n:
            c = body[j]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            elif c == ";" and depth == 0:
                break
            j += 1
        yield comment, body[i : j + 1].strip()
        comment = ""
        i = j + 1


def without_extern(decl):
    """The declaration without the export macro, its continuation lines
    moved left as far as the macro took them right."""
    if not decl.startswith(EXTERN):
        return decl
    lines = decl[len(EXTERN) :].split("\n")
    pad = " " * len(EXTERN)
    return "\n".join([lines[0]] + [l[len(pad) :] if l.startswith(pad) else l for l in lines[1:]])


def declared_name(decl):
    """The name a heading gives: a function's, an enum's, a struct
    typedef's or an _INIT macro's; None for the other macros. Comments are
    left out first, since they name other functions."""
    code = re.sub(r"/\*.*?\*/", "", decl, flags=re.S)
    patterns = (
        r"^#define\s+(SIO_[A-Z0-9_]+_INIT)\b",
        r"^enum\s+(sio_[a-z0-9_]+)",
        r"^typedef\s+struct\s+\w+\s*\{.*\}\s*(sio_[a-z0-9_]+)\s*;$",
        r"^[^#].*?\b(sio_[a-z0-9_]+)\s*\(",
    )
    for pattern in patterns:
        m = re.search(pattern, code, re.S)
        if m:
            return m.group(1)
    return None


def render(source):
    out = [INTRO]
    top = re.search(r"/\*(.*?)\*/", source, re.S).group(0)
    out.append("## Rules\n\n" + clean_comment(top) + "\n")
    for comment, decl in chunks(source):
        decl = without_extern(decl)
        text = clean_comment(comment)
        if text.startswith("---"):
            title_lines = [l for l in text.splitlines() if l and not l.startswith("---")]
            if title_lines:
                out.append("## " + title_lines[0] + "\n")
                rest = "\n".join(title_lines[1:]).strip()
                if rest:
                    out.append(rest + "\n")
            text = ""
        name = declared_name(decl)
        heading = f"### `{name}`\n" if name else ""
        out.append(heading + "```c\n" + decl + "\n```\n" + (text + "\n" if text else ""))
    return "\n".join(out)


def main():
    text = render(HEADER.read_text())
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text() != text:
            print("docs/api.md is out of date: run docs/tools/gen_api.py")
            return 1
        print("docs/api.md matches abi/include/sio/sio.h")
        return 0
    OUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
