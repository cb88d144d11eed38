"""python -m report SCENARIO.yaml --pdf brief.pdf --html brief.html [--letter] [--link URL]"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from engine.plan import plan
from engine.scenario.schema import Scenario
from report.html import build_html
from report.pdf import build_pdf


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m report", description="Write the executive brief of a scenario.")
    parser.add_argument("scenario", help="scenario YAML file (see presets/)")
    parser.add_argument("--pdf", type=Path, help="write the PDF brief here")
    parser.add_argument("--html", type=Path, help="write the HTML brief here")
    parser.add_argument("--letter", action="store_true", help="US Letter pages instead of A4")
    parser.add_argument("--link", help="share link printed in the brief")
    parser.add_argument("--price-date", help="price snapshot date, YYYY-MM-DD (default: today)")
    args = parser.parse_args(argv)
    if not args.pdf and not args.html:
        return _fail("nothing to write: give --pdf FILE and/or --html FILE")
    path = Path(args.scenario)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _fail(f"scenario file not found: {path}")
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"cannot read scenario file {path}: {exc}")
    try:
        price_date = dt.date.fromisoformat(args.price_date) if args.price_date else None
    except ValueError:
        return _fail(f"--price-date must be YYYY-MM-DD, got {args.price_date!r}")
    try:
        scenario = Scenario.from_yaml(text)
        result = plan(scenario, price_date=price_date)
    except ValueError as exc:
        return _fail(f"{path}: {' '.join(str(exc).split())}")
    try:
        if args.pdf:
            args.pdf.write_bytes(build_pdf(result, args.link, "Letter" if args.letter else "A4"))
            print(f"wrote {args.pdf}")
        if args.html:
            args.html.write_text(build_html(result, args.link), encoding="utf-8")
            print(f"wrote {args.html}")
    except OSError as exc:
        return _fail(f"cannot write the brief: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
