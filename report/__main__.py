"""python -m report SCENARIO.yaml --pdf brief.pdf --html brief.html [--letter] [--link URL]

Every argument and path is checked before any work: the scenario goes through the one safe
loader, each output must be a new or regular file in an existing folder, never the scenario
itself, and the PDF and HTML paths must differ. Both briefs are built in memory before either
is written, so a bad path never leaves one written and the other not. Bad input exits 2 with
one line, never a traceback.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import stat
import sys
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from engine.scenario.yaml_io import STDIN, read_scenario_file, shown_path

MAX_LINK_CHARS = 2000


class _Refused(Exception):
    """A bad argument: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would print the usage too: two lines
        raise _Refused(message)


def _fail(message: object) -> int:
    text = " ".join("".join(" " if unicodedata.category(c)[0] == "C" else c for c in str(message)).split())
    print(f"error: {text[:500]}", file=sys.stderr)
    return 2


def _output(flag: str, raw: str | None) -> Path | None:
    """The output path, or _Refused when it cannot be written as a new or regular file."""
    if raw is None:
        return None
    if not raw.strip():
        raise _Refused(f"{flag} needs a file name, got an empty one")
    path = Path(raw)
    name = shown_path(raw)
    if raw.endswith(("/", os.sep)):
        raise _Refused(f"{flag} {name} names a directory; give a file name")
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except (OSError, ValueError) as exc:
        raise _Refused(f"{flag} {name} cannot be used ({getattr(exc, 'strerror', None) or exc})") from None
    if mode is not None:
        if stat.S_ISDIR(mode):
            raise _Refused(f"{flag} {name} is a directory; give a file name")
        if not stat.S_ISREG(mode):  # a FIFO would block the write, a device would swallow it
            raise _Refused(f"{flag} {name} is not a regular file (a pipe, device or socket)")
        if not os.access(path, os.W_OK):
            raise _Refused(f"{flag} {name} cannot be written (permission denied)")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise _Refused(f"{flag} {name}: the folder {shown_path(str(parent))} does not exist")
    if not os.access(parent, os.W_OK):
        raise _Refused(f"{flag} {name}: the folder {shown_path(str(parent))} cannot be written")
    return path


def _same(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def _link(raw: str | None) -> str | None:
    """Only an http(s) link with a host: a brief must never carry javascript: or file: links."""
    if raw is None:
        return None
    parts = urlsplit(raw) if len(raw) <= MAX_LINK_CHARS else None
    if (parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc
            or any(c.isspace() or unicodedata.category(c)[0] == "C" for c in raw)):
        raise _Refused(f"--link must be an http:// or https:// address of at most {MAX_LINK_CHARS:,} characters "
                       "without spaces, e.g. https://planner.example.com/?preset=voice-agent")
    return raw


def _check(args: argparse.Namespace) -> tuple[Path | None, Path | None, str | None, dt.date | None]:
    if args.pdf is None and args.html is None:
        raise _Refused("nothing to write: give --pdf FILE and/or --html FILE")
    pdf = _output("--pdf", args.pdf)
    html = _output("--html", args.html)
    if pdf is not None and html is not None and _same(pdf, html):
        raise _Refused("--pdf and --html name the same file; give two file names")
    for flag, path in (("--pdf", pdf), ("--html", html)):
        if path is not None and args.scenario != STDIN and _same(path, Path(args.scenario)):
            raise _Refused(f"{flag} {shown_path(str(path))} is the scenario file itself; choose another file name")
    link = _link(args.link)
    try:
        price_date = dt.date.fromisoformat(args.price_date) if args.price_date is not None else None
    except ValueError:
        raise _Refused("--price-date must be YYYY-MM-DD, e.g. 2026-11-25") from None
    return pdf, html, link, price_date


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m report", description="Write the executive brief of a scenario.")
    parser.add_argument("scenario", help="scenario YAML file (see presets/); - reads stdin")
    parser.add_argument("--pdf", help="write the PDF brief here")
    parser.add_argument("--html", help="write the HTML brief here")
    parser.add_argument("--letter", action="store_true", help="US Letter pages instead of A4")
    parser.add_argument("--link", help="share link printed in the brief (http or https)")
    parser.add_argument("--price-date", help="price snapshot date, YYYY-MM-DD (default: today)")
    try:
        args = parser.parse_args(argv)
        pdf, html, link, price_date = _check(args)
        scenario = read_scenario_file(args.scenario)
    except (_Refused, ValueError) as exc:
        return _fail(exc)
    # Imported after the checks: a bad argument fails fast, before fpdf2 and matplotlib load.
    from engine.plan import plan
    from report.html import build_html
    from report.pdf import build_pdf

    try:
        result = plan(scenario, price_date=price_date)
    except ValueError as exc:
        return _fail(f"{shown_path(args.scenario)}: {exc}")
    documents = []
    if pdf is not None:
        documents.append((pdf, build_pdf(result, link, "Letter" if args.letter else "A4")))
    if html is not None:
        documents.append((html, build_html(result, link).encode("utf-8")))
    try:
        for path, data in documents:
            path.write_bytes(data)
            print(f"wrote {shown_path(str(path))}")
    except OSError as exc:
        return _fail(f"cannot write the brief: {exc.strerror or exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
