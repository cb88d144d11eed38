"""Fuzz (issue 16): hostile YAML through the one safe loader and hostile arguments through the CLIs.
Nothing escapes but ValueError / exit 2 with one line; in-process, so the run stays fast."""
import contextlib
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.__main__ import main as engine_main
from engine.scenario.schema import Scenario
from engine.scenario.yaml_io import scenario_from_yaml
from report.__main__ import main as report_main

from .hostile import SCALARS, hostile_documents

pytestmark = pytest.mark.properties


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_documents)
def test_hostile_yaml_gives_a_scenario_or_one_line(text):
    try:
        scenario = scenario_from_yaml(text, "upload.yaml")
    except ValueError as exc:
        message = str(exc)
        assert message.startswith("upload.yaml: ") and "\n" not in message and len(message) < 600
        assert "](" not in message and "\u202e" not in message
        return
    assert isinstance(scenario, Scenario)


NUMERIC_FLAGS = ("--accelerators", "--input-tokens", "--output-tokens", "--tensor-parallel", "--ttft-ms",
                 "--tpot-ms")
BAD_NUMBERS = ("nan", "inf", "-inf", "1e400", "-1", "0", "", " ", "0x10", "1:30", "9" * 5000, "\x1b[31m",
               "[a](http://x)", "1e5000", "--", "\u202e5", "1e-400", "NaN", "+inf")


def _not_a_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return True
    return False


def _run(main, argv):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    return code, err.getvalue()


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(NUMERIC_FLAGS), st.sampled_from(BAD_NUMBERS) | st.text(max_size=30).filter(_not_a_number),
       st.sampled_from(SCALARS) | st.text(max_size=80))
def test_hostile_cli_arguments_exit_2_with_one_line(flag, number, ident):
    argv = ["predict", "--model", "llama-3.3-70b", "--hardware", "h100-sxm", "--precision", "fp8",
            "--accelerators", "8", "--input-tokens", "1000", "--output-tokens", "200", flag, number]
    code, err = _run(engine_main, argv)
    assert code == 2 and len(err.strip().splitlines()) == 1 and flag in err
    assert "\x1b" not in err and len(err) < 700
    code, err = _run(engine_main, ["size", "--json", ident, "extra"])
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    code, err = _run(engine_main, ["predict", "--model", ident, "--hardware", "h100-sxm"])
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, err = _run(report_main, ["presets/support-assistant.yaml", "--html", ident, "--pdf", ident])
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "\x1b" not in err and len(err) < 700
