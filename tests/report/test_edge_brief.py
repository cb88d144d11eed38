"""Issue 17 item 6: the brief shows the on-device option and edge / on-premises silicon beside the
datacenter options, with their evidence and price basis, in the PDF and the HTML."""
from __future__ import annotations

import dataclasses

import pytest

from engine.plan import plan
from present import formatting as fmt
from report import build_html, build_pdf
from report.content import build_brief

from .conftest import PRICE_DATE, pdf_text, preset
from .test_public_text import html_text

pytestmark = pytest.mark.report
HEADING = "Edge, on-device and on-premises silicon"


@pytest.fixture(scope="module")
def consumer_plan():
    return plan(preset("consumer-app"), price_date=PRICE_DATE)


def test_consumer_brief_names_the_on_device_device_model_and_saving(consumer_plan):
    od = consumer_plan.on_device
    assert od is not None and od.applies and od.model_name
    expected = [od.device_name, od.model_name, fmt.usd_per_month(od.monthly_saving_usd), fmt.percent(od.share),
                fmt.tok_per_s(od.decode_tok_s)]
    _, pdf = pdf_text(build_pdf(consumer_plan))
    page = html_text(build_html(consumer_plan))
    for text in (pdf, page):
        assert HEADING in text
        for s in expected:
            assert s in text, s


def test_regulated_brief_names_a_specialized_system_with_its_basis(onprem_plan):
    costed = [o for o in onprem_plan.onprem_silicon_options if o.feasible]
    assert costed, "the regulated preset prices at least one specialized system on premises"
    edge = build_brief(onprem_plan).edge
    _, pdf = pdf_text(build_pdf(onprem_plan, page_size="Letter"))
    page = html_text(build_html(onprem_plan))
    for o in costed:
        row = next(r for r in edge.systems.rows if r[0] == o.name)
        assert row[2] == fmt.usd(o.monthly_tco_usd)
        assert row[-1].startswith(("third-party estimate", "vendor price", "estimate"))
        for text in (pdf, page):
            assert o.name in text and fmt.usd(o.monthly_tco_usd) in text
    # the Cerebras system is priced on a third-party estimate, and a system without a price says so
    for text in (pdf, page):
        assert "third-party estimate" in text
        assert "no published price" in text


def test_document_processing_brief_has_no_on_device_line():
    p = plan(preset("document-processing"), price_date=PRICE_DATE)
    assert p.on_device is None or not p.on_device.applies
    edge = build_brief(p).edge
    assert edge is None or edge.on_device == ""
    _, pdf = pdf_text(build_pdf(p))
    page = html_text(build_html(p))
    for text in (pdf, page):
        assert "On the user's device" not in text


def test_a_cloud_only_plan_lists_no_owned_systems():
    s = preset("consumer-app")
    cloud = plan(s.replace(constraints=dataclasses.replace(s.constraints, deployment="cloud")), price_date=PRICE_DATE)
    edge = build_brief(cloud).edge
    assert edge is not None and edge.on_device  # the phone still takes its share
    assert edge.systems.rows == () and "Not costed" not in edge.note
