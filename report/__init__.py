"""The executive brief of a Plan: a PDF and a self-contained, print-ready HTML page.

    from report import build_pdf, build_html
    pdf_bytes = build_pdf(plan, share_link=url, page_size="Letter")
    html_text = build_html(plan, share_link=url)
"""
from report.html import build_html
from report.pdf import build_pdf

__all__ = ["build_html", "build_pdf"]
