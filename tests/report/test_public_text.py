"""The brief is forwarded outside the company: its text holds no internal path, file name, commit hash or
raw catalog id, its assumptions are the scenario's own, and its figures carry their evidence labels."""
from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from engine.catalog.catalog import load_catalog
from engine.money.api_quotes import api_provider_ids
from engine.plan import plan
from present.labels import EVIDENCE_LABELS, EVIDENCE_SHORT, kind_label
from report import build_html, build_pdf
from report.content import build_brief

from .conftest import PRICE_DATE, pdf_text, preset

pytestmark = pytest.mark.report
ROOT = Path(__file__).resolve().parents[2]
PRESETS = sorted(p.stem for p in (ROOT / "presets").glob("*.yaml"))

INTERNAL = re.compile(r"engine/|\w\.ya?ml\b|\w\.py\b|\w\.csv\b")
# a commit hash: 7-40 hex characters with at least one digit and one letter (so neither '2026111' nor 'acceded')
COMMIT = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}\b")
ENGLISH = {"together", "google", "mistral"}  # provider ids that are also words or the vendor's own spelling


def raw_ids() -> set[str]:
    """Catalog ids a reader should never see: hardware, vendors and API providers (lowercase ids; the
    display names differ in case, so the search is case-sensitive)."""
    catalog = load_catalog()
    ids = set(catalog.hardware) | {h.vendor for h in catalog.hardware.values()}
    ids |= {p for m in catalog.models.values() for p in api_provider_ids(m)}
    return ids - ENGLISH


class _Text(HTMLParser):
    """The text a reader sees: no <style>, no <svg> (charts are drawn as paths)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "svg", "script")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "svg", "script")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def leaks(text: str) -> list[str]:
    found = [m.group(0) for m in INTERNAL.finditer(text)] + [m.group(0) for m in COMMIT.finditer(text)]
    # a whole word (a web domain such as aws.amazon.com names a publisher, not a catalog row)
    found += [i for i in raw_ids() if re.search(rf"(?<![\w.-]){re.escape(i)}(?![\w-]|\.\w)", text)]
    return found


@pytest.fixture(scope="module", params=PRESETS)
def preset_plan(request):
    return plan(preset(request.param), price_date=PRICE_DATE)


def test_pdf_and_html_hold_no_internal_path_hash_or_raw_id(preset_plan):
    _, pdf = pdf_text(build_pdf(preset_plan))
    page = html_text(build_html(preset_plan))
    assert leaks(pdf) == [], preset_plan.scenario.name
    assert leaks(page) == [], preset_plan.scenario.name


def test_the_leak_check_would_catch_a_leak():
    assert leaks("see engine/data/cost_assumptions.yaml @f577ab8 for API price: novita on mi355x")
    assert not leaks("AMD Instinct MI355X via Novita, 2026-11-25, 1,000,000 queries")


def test_assumptions_are_the_scenarios_own(preset_plan):
    """A licence of 0 in the scenario is never printed as the catalog's 4,500 USD/GPU-year, nor the
    scenario's 40% API price decline as the catalog's default 0.9/yr."""
    s = preset_plan.scenario
    changed = dataclasses.replace(s, finance=dataclasses.replace(
        s.finance, yearly_price_decline=0.37, software_licence_usd_per_accelerator_year=1234.0))
    brief = build_brief(plan(changed, price_date=PRICE_DATE, with_roadmap=False))
    inputs = dict(brief.inputs)
    assert inputs["API price decline per year"] == "37%"
    assert inputs["Software licence"].startswith("$1,234")
    names = [row[0] for row in brief.assumptions.rows]
    assert not [n for n in names if "licence" in n.lower() or "API price decline" in n]


def test_headline_figures_carry_their_evidence(preset_plan):
    best = preset_plan.recommended
    if best is None:
        pytest.skip("no recommendation")
    brief = build_brief(preset_plan)
    slo = brief.figures[-1]
    assert EVIDENCE_LABELS[best.ttft_evidence] in slo.note and EVIDENCE_LABELS[best.speed_evidence] in slo.note
    assert slo.value in ("Yes", "Likely", "Unverified")
    assert (slo.value == "Unverified") == (not best.verified)


def test_decision_table_is_the_best_of_each_kind(preset_plan):
    brief = build_brief(preset_plan)
    best = preset_plan.best_by_kind()
    assert [row[0] for row in brief.decision.rows] == [kind_label(k) for k in best]
    for row, o in zip(brief.decision.rows, best.values()):
        assert row[1].lstrip("★ ") == o.name
        assert row[5].endswith(EVIDENCE_SHORT[o.ttft_evidence])
    _, text = pdf_text(build_pdf(preset_plan))
    if best:
        assert "The best option of each kind" in text
