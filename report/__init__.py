"""The executive brief of a Plan: a PDF and a self-contained, print-ready HTML page.

    from report import build_pdf, build_html
    pdf_bytes = build_pdf(plan, share_link=url, page_size="Letter")
    html_text = build_html(plan, share_link=url)

The renderers load lazily: matplotlib (~0.5 s to import) should only load when someone asks
for a brief. Labels, colours and number formats come from present/, shared with the app.
"""
from __future__ import annotations

__all__ = ["build_html", "build_pdf"]


def __getattr__(name: str):
    if name == "build_pdf":
        from report.pdf import build_pdf
        return build_pdf
    if name == "build_html":
        from report.html import build_html
        return build_html
    raise AttributeError(f"module 'report' has no attribute {name!r}")
