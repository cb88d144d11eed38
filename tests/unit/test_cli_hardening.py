"""python -m engine and python -m report under bad input (issue 16, defect 3): every numeric argument
finite and in range, files that are not files named as such and never blocked on, outputs checked
before any work. Run in-process through main(argv): exit 2 and one line, never a traceback."""
import io
import os
import subprocess
import sys

import pytest

from engine.__main__ import main as engine_main
from report.__main__ import main as report_main

pytestmark = pytest.mark.unit
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PRESET = os.path.join(ROOT, "presets", "support-assistant.yaml")
PREDICT = ["predict", "--model", "llama-3.3-70b", "--hardware", "h100-sxm", "--precision", "fp8",
           "--accelerators", "8", "--input-tokens", "1000", "--output-tokens", "200"]


def fails(capsys, main, argv, *phrases):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    for phrase in phrases:
        assert phrase in err, err
    return err


@pytest.mark.parametrize("extra, flag", [
    (["--ttft-ms", "nan", "--tpot-ms", "20"], "--ttft-ms"),
    (["--ttft-ms", "inf", "--tpot-ms", "20"], "--ttft-ms"),
    (["--ttft-ms", "500", "--tpot-ms", "-1"], "--tpot-ms"),
    (["--tensor-parallel", "0"], "--tensor-parallel"),  # was silently ignored
    (["--accelerators", "1e400"], "--accelerators"),
])
def test_numeric_arguments_must_be_finite_and_in_range(capsys, extra, flag):
    fails(capsys, engine_main, PREDICT + extra, flag)


def test_predict_from_csv_with_an_infinite_count_reports_the_row_not_a_traceback(tmp_path, capsys):
    f = tmp_path / "rows.csv"
    f.write_text("model,hardware,precision,accelerators,input_tokens,output_tokens\n"
                 "llama-3.3-70b,h100-sxm,fp8,1e400,1000,200\n")
    assert engine_main(["predict", "--from-csv", str(f)]) == 0
    out = capsys.readouterr().out
    assert "accelerators must be a whole number" in out and "Traceback" not in out


def test_a_non_utf8_csv_exits_2(tmp_path, capsys):
    f = tmp_path / "rows.csv"
    f.write_bytes(b"model,hardware\n\xff\xfe\x00bad\n")
    fails(capsys, engine_main, ["predict", "--from-csv", str(f)], "not UTF-8")


def test_a_directory_and_a_fifo_are_named_as_such_without_blocking(tmp_path, capsys):
    fails(capsys, engine_main, ["plan", str(tmp_path)], "is a directory")
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    fails(capsys, engine_main, ["plan", str(fifo)], "named pipe")
    fails(capsys, engine_main, ["predict", "--from-csv", str(fifo)], "named pipe")
    fails(capsys, engine_main, ["plan", "/dev/zero"], "device")


@pytest.mark.parametrize("text", ["", "# nothing\n", "0\n", "false\n"])
def test_an_empty_file_or_stdin_is_refused_not_planned_as_the_default(tmp_path, capsys, monkeypatch, text):
    f = tmp_path / "s.yaml"
    f.write_text(text)
    fails(capsys, engine_main, ["plan", str(f)], "s.yaml")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    fails(capsys, engine_main, ["plan", "-"], "stdin")


@pytest.mark.parametrize("vendors, phrase", [
    ("['[Session expired](http://evil.example)']", "entry 1 is not a vendor name"),
    ("[nosuchvendor]", "is not a hardware vendor"),
])
def test_size_accepts_only_the_vendors_plan_accepts(tmp_path, capsys, vendors, phrase):
    f = tmp_path / "s.yaml"
    f.write_text(f"constraints: {{allowed_vendors: {vendors}}}\n")
    err = fails(capsys, engine_main, ["size", str(f)], "constraints.allowed_vendors", phrase)
    assert "evil" not in err


def test_calibrate_with_wrong_columns_names_them(tmp_path, capsys):
    f = tmp_path / "b.csv"
    f.write_text("a,b\n1,2\n")  # exited 0 with "0 of 0 rows"
    fails(capsys, engine_main, ["calibrate", "--benchmarks", str(f)], "missing columns", "num_accelerators")


# --- python -m report: argument and path checks, before any work ------------------------

def test_report_refuses_an_empty_html_path(tmp_path, capsys):
    fails(capsys, report_main, [PRESET, "--html", ""], "--html")  # was the current directory


def test_report_refuses_one_path_for_both_briefs(tmp_path, capsys):
    out = str(tmp_path / "brief")
    fails(capsys, report_main, [PRESET, "--pdf", out, "--html", out], "same file")


def test_report_never_overwrites_the_scenario(tmp_path, capsys):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: mine\n")
    fails(capsys, report_main, [str(scenario), "--html", str(scenario)], "scenario file itself")
    assert scenario.read_text() == "name: mine\n"


def test_report_checks_every_output_before_writing_any(tmp_path, capsys):
    pdf = tmp_path / "b.pdf"
    fails(capsys, report_main, [PRESET, "--pdf", str(pdf), "--html", str(tmp_path / "no" / "b.html")],
          "--html", "does not exist")
    assert not pdf.exists()  # the PDF used to be written before the HTML path failed
    fails(capsys, report_main, [PRESET, "--pdf", str(tmp_path)], "is a directory")


@pytest.mark.parametrize("link", ["javascript:alert(1)", "file:///etc/passwd", "https://", "http://a b"])
def test_report_links_are_http_or_https_only(tmp_path, capsys, link):
    fails(capsys, report_main, [PRESET, "--html", str(tmp_path / "b.html"), "--link", link], "--link")


def test_report_on_a_fifo_exits_at_once(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)  # no writer: opening it would block forever
    out = subprocess.run([sys.executable, "-m", "report", str(fifo), "--html", str(tmp_path / "b.html")],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "named pipe" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("finance", [
    "{api_discounts: ['![i](http://host/t.png)" + "x" * 300 + ":0.1']}",
    "{api_quote_usd_per_mtok: ['[a](http//evil):m" + "y" * 300 + ":1:2']}",
])
def test_price_terms_naming_no_provider_are_quoted_short_and_inert(tmp_path, capsys, finance):
    f = tmp_path / "s.yaml"
    f.write_text(f"finance: {finance}\n")
    err = fails(capsys, engine_main, ["plan", str(f)], "finance.api_")
    assert "](" not in err and "x" * 50 not in err and "y" * 50 not in err
