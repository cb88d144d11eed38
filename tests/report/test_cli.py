"""python -m report: writes both files; bad input exits 2 with one line and no traceback."""
import subprocess
import sys

import pytest
from pypdf import PdfReader

from .conftest import ROOT

pytestmark = pytest.mark.report


def run(*args):
    return subprocess.run([sys.executable, "-m", "report", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_cli_writes_pdf_and_html(tmp_path):
    pdf, page = tmp_path / "brief.pdf", tmp_path / "brief.html"
    out = run("presets/voice-agent.yaml", "--pdf", str(pdf), "--html", str(page), "--letter",
              "--price-date", "2026-11-25", "--link", "https://planner.example.com/?preset=voice-agent")
    assert out.returncode == 0, out.stderr
    assert 2 <= len(PdfReader(pdf).pages) <= 4
    assert float(PdfReader(pdf).pages[0].mediabox.width) == pytest.approx(612, abs=0.5)
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("content, expected", [
    (None, "not found"),
    ("workload: [unclosed", "does not parse"),
    ("wrkload: {}\n", "unknown scenario key 'wrkload'"),
    ("workload: {daily_active_users: -5}\n", "workload.daily_active_users"),
])
def test_cli_bad_scenario_exits_2_with_one_line(tmp_path, content, expected):
    path = tmp_path / "scenario.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    out = run(str(path), "--pdf", str(tmp_path / "b.pdf"))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and expected in out.stderr
    assert not (tmp_path / "b.pdf").exists()


def test_cli_needs_an_output(tmp_path):
    out = run("presets/voice-agent.yaml")
    assert out.returncode == 2 and "--pdf" in out.stderr
