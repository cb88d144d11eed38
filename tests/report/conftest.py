import dataclasses
import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from engine.plan import plan
from engine.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
PRICE_DATE = dt.date(2026, 11, 25)
HOSTILE_NAME = 'Ünïcødé 東京 "quoted" <script>alert(1)</script>'


def preset(name: str) -> Scenario:
    return Scenario.from_yaml((ROOT / "presets" / f"{name}.yaml").read_text(encoding="utf-8"))


def with_roadmap(p, roadmap):
    """The Plan with `roadmap` set, whether or not Plan declares the field yet."""
    if "roadmap" in {f.name for f in dataclasses.fields(p)}:
        return dataclasses.replace(p, roadmap=roadmap)
    p = dataclasses.replace(p)
    object.__setattr__(p, "roadmap", roadmap)
    return p


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


@pytest.fixture(scope="session")
def onprem_plan():
    """A self-hosted recommendation: accelerators, hardware sources and purchases in the brief."""
    return plan(preset("regulated-on-prem"), price_date=PRICE_DATE)


@pytest.fixture(scope="session")
def api_plan():
    """An API recommendation: no accelerators to report (Fireworks gpt-oss-120b, measured speed)."""
    return plan(preset("coding-agent"), price_date=PRICE_DATE)


@pytest.fixture(scope="session")
def hostile_plan():
    return plan(preset("support-assistant").replace(name=HOSTILE_NAME), price_date=PRICE_DATE)
