"""The brief as a PDF: fpdf2 with DejaVu Sans (shipped with matplotlib) and 200-dpi charts."""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import matplotlib
from fontTools.ttLib import TTFont
from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

from engine.plan import Plan
from present.labels import KIND_LABELS, in_sentence
from present.text import web_link, without_bidi
from report import charts
from report.content import Brief, Edge, Table, build_brief

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
# Glyphs DejaVu lacks (CJK, emoji) fall back to a system CJK font when one is installed,
# else to Last Resort (also shipped with matplotlib): a visible placeholder per Unicode
# block, and the text stays extractable and searchable either way.
SYSTEM_FALLBACKS = (Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
                    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"))
PAGE_SIZES = ("A4", "Letter")
MARGIN_MM = 15.0
CHART_DPI = 200
FOOTER_NAME_CHARS = 70
PAGES_ALIAS = "{pages_total_brief}"
# Key-figure boxes: the value shrinks from the first size to the last before it wraps.
FIGURE_VALUE_PT = (13.0, 12.0, 11.0, 10.0, 9.0, 8.0)
SHAPING_NOTE = ("Right-to-left or complex-script text in this brief is printed without text shaping "
                "(the uharfbuzz package is not installed): its letters may be unjoined or out of order.")

INK = (34, 34, 34)
MUTED = (110, 110, 110)
ACCENT = (31, 78, 121)
RULE = (200, 200, 200)
HEADING_FILL = (232, 238, 245)
HIGHLIGHT_FILL = (226, 242, 224)
BOX_FILL = (246, 248, 251)


class _BriefPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, size=7)
        self.set_text_color(*MUTED)
        text = self.footer_text
        while len(text) > 10 and self.get_string_width(text) > self.epw * 0.84:  # never runs into the page number
            text = text[:-2] + "…"
        with _shaped(self, text):
            self.cell(self.epw * 0.86, 5, text, align="L")
        # Left-aligned: fpdf2 would right-align on the width of the alias, not of the final number.
        self.cell(self.epw * 0.14, 5, f"Page {self.page_no()} of {PAGES_ALIAS}", align="L")


@functools.lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    """Code points both DejaVu faces can draw."""
    faces = [TTFont(FONT_DIR / name, lazy=True).getBestCmap() for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")]
    return frozenset(faces[0]).intersection(faces[1])


def _strings(obj: Any) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            yield from _strings(getattr(obj, f.name))
    elif isinstance(obj, (tuple, list)):
        for item in obj:
            yield from _strings(item)


def missing_glyphs(brief: Brief) -> list[int]:
    """Code points in the brief that DejaVu Sans cannot draw (CJK, emoji, ...)."""
    used = {ord(c) for text in _strings(brief) for c in text}
    return sorted(c for c in used - _covered() if c >= 0x20)


def _needs_shaping(text: str) -> bool:
    """Text that only reads right once shaped: right-to-left scripts (Arabic, Hebrew: order and
    joined letters) and Indic, Southeast Asian scripts (conjuncts, vowel marks)."""
    return any(c >= "\u0590" and (unicodedata.bidirectional(c) in ("R", "AL") or "\u0900" <= c <= "\u109f"
                                   or "\u1780" <= c <= "\u17ff") for c in text)


def needs_shaping(brief: Brief) -> bool:
    return any(_needs_shaping(text) for text in _strings(brief))


@functools.lru_cache(maxsize=1)
def shaping_available() -> bool:
    """fpdf2 shapes text with HarfBuzz through the uharfbuzz package (requirements.txt)."""
    try:
        import uharfbuzz  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def _shaped(pdf: FPDF, *texts: str) -> Iterator[None]:
    """Shaping on for the text drawn inside, when it needs it: shaping every line of a brief
    costs seconds (each width measured through HarfBuzz), so Latin text is laid out without."""
    # Already on (a page break inside a shaped table draws the footer): leave it on.
    on = not pdf.text_shaping and shaping_available() and any(_needs_shaping(t) for t in texts if t)
    if on:
        pdf.set_text_shaping(True)
    try:
        yield
    finally:
        if on:
            pdf.set_text_shaping(False)


def _new_pdf(page_size: str, footer: str, missing: list[int]) -> _BriefPDF:
    pdf = _BriefPDF(orientation="portrait", unit="mm", format=page_size)
    pdf.footer_text = footer
    pdf.alias_nb_pages(PAGES_ALIAS)
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    if missing:  # loading a fallback's cmap costs ~0.3 s: only when the text needs it
        fallbacks = []
        for i, path in enumerate(p for p in SYSTEM_FALLBACKS if p.exists()):
            pdf.add_font(f"fallback{i}", "", str(path), unicode_range=missing)
            fallbacks.append(f"fallback{i}")
        pdf.add_font("LastResort", "", str(FONT_DIR / "LastResortHE-Regular.ttf"), unicode_range=missing)
        pdf.set_fallback_fonts([*fallbacks, "LastResort"], exact_match=False)
    pdf.set_title("Executive brief")
    pdf.set_creator("Inference Economics Planner")
    return pdf


def _heading(pdf: FPDF, text: str, space_needed_mm: float = 30.0) -> None:
    if pdf.get_y() + space_needed_mm > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(FONT, "B", 12)
    pdf.set_text_color(*ACCENT)
    with _shaped(pdf, text):
        pdf.multi_cell(0, 6.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.ln(1)


def _paragraph(pdf: FPDF, text: str, size: float = 9.0, colour: tuple[int, int, int] = INK,
               bold: bool = False) -> None:
    if not text:
        return
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_text_color(*colour)
    with _shaped(pdf, text):
        pdf.multi_cell(0, size * 0.48, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)


def _table(pdf: FPDF, table: Table, widths: tuple[float, ...], size: float = 7.5,
           padding_mm: tuple[float, float] = (0.9, 1.2)) -> None:
    pdf.set_font(FONT, size=size)
    pdf.set_draw_color(*RULE)
    heading = FontFace(family=FONT, emphasis="BOLD", size_pt=size, fill_color=HEADING_FILL, color=INK)
    highlight = FontFace(family=FONT, emphasis="BOLD", size_pt=size, fill_color=HIGHLIGHT_FILL, color=INK)
    align = tuple("RIGHT" if n else "LEFT" for n in table.numeric)
    # the table is laid out when its block closes: shaping (if any cell needs it) must span it
    with _shaped(pdf, *table.columns, *(cell for row in table.rows for cell in row)), \
            pdf.table(col_widths=widths, text_align=align, line_height=size * 0.5, headings_style=heading,
                      borders_layout="HORIZONTAL_LINES", padding=padding_mm, v_align="MIDDLE",
                      width=pdf.epw) as t:
        t.row(table.columns)
        for i, cells in enumerate(table.rows):
            row = t.row()
            style = highlight if table.is_highlighted(i) else None
            for text in cells:
                row.cell(text, style=style)
    pdf.ln(1.5)


def _fit(pdf: FPDF, text: str, width_mm: float, sizes: tuple[float, ...], style: str = "") -> tuple[float, list[str]]:
    """The largest size in `sizes` at which `text` fits `width_mm` on one line; at the smallest,
    the lines it wraps to (any figure fits its box: "$18,128,333.3B / mo" included)."""
    for size in sizes:
        pdf.set_font(FONT, style, size)
        if pdf.get_string_width(text) <= width_mm:
            return size, [text]
    return sizes[-1], pdf.multi_cell(width_mm, 1, text, dry_run=True, output="LINES")


def _key_figures(pdf: FPDF, brief: Brief) -> None:
    n = len(brief.figures)
    gap = 3.0
    w = (pdf.epw - gap * (n - 1)) / n
    with _shaped(pdf, *(t for f in brief.figures for t in (f.label, f.value, f.note))):
        _draw_figures(pdf, brief, w, gap)


def _draw_figures(pdf: FPDF, brief: Brief, w: float, gap: float) -> None:
    inner = w - 4
    labels = [_fit(pdf, f.label, inner, (7.5, 6.5)) for f in brief.figures]
    values = [_fit(pdf, f.value, inner, FIGURE_VALUE_PT, "B") for f in brief.figures]
    pdf.set_font(FONT, size=6.8)
    notes = [pdf.multi_cell(inner, 3.1, f.note, dry_run=True, output="LINES") if f.note else []
             for f in brief.figures]
    value_h = [len(lines) * size * 0.45 + 1.2 for size, lines in values]
    label_h = [len(lines) * 3.3 for _, lines in labels]
    height = max(24.0, max(1.8 + lh + 0.8 + vh + 0.8 + len(nl) * 3.1 + 1.5
                           for lh, vh, nl in zip(label_h, value_h, notes)))
    top = pdf.get_y()
    if top + height > pdf.page_break_trigger:
        pdf.add_page()
        top = pdf.get_y()
    for i, f in enumerate(brief.figures):
        x = pdf.l_margin + i * (w + gap)
        pdf.set_fill_color(*BOX_FILL)
        pdf.set_draw_color(*RULE)
        pdf.rect(x, top, w, height, style="DF")
        pdf.set_xy(x + 2, top + 1.8)
        pdf.set_font(FONT, size=labels[i][0])
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(inner, 3.3, f.label, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_xy(x + 2, pdf.get_y() + 0.8)
        pdf.set_text_color(*INK)
        size, lines = values[i]
        pdf.set_font(FONT, "B", size)
        pdf.multi_cell(inner, size * 0.45 + (1.2 if len(lines) == 1 else 0), f.value, align="L",
                       new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_xy(x + 2, pdf.get_y() + 0.8)
        pdf.set_font(FONT, size=6.8)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(inner, 3.1, f.note, align="L")
    pdf.set_text_color(*INK)
    pdf.set_xy(pdf.l_margin, top + height + 2)


def _chart(pdf: FPDF, fig, caption: str = "") -> None:
    if fig is None:
        return
    png = charts.to_png(fig, CHART_DPI)
    w_in, h_in = fig.get_size_inches()
    w = pdf.epw
    h = w * h_in / w_in
    if pdf.get_y() + h > pdf.page_break_trigger:
        pdf.add_page()
    pdf.image(io.BytesIO(png), x=pdf.l_margin, y=pdf.get_y(), w=w, h=h)
    pdf.set_y(pdf.get_y() + h + 1)
    _paragraph(pdf, caption, 7.5, MUTED)


def _title(pdf: FPDF, brief: Brief) -> None:
    pdf.set_font(FONT, "B", 7.5)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 4, "INFERENCE ECONOMICS PLANNER · EXECUTIVE BRIEF", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    pdf.set_font(FONT, "B", 17)
    pdf.set_text_color(*INK)
    with _shaped(pdf, brief.title):
        pdf.multi_cell(0, 8, brief.title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=8.5)
    pdf.set_text_color(*MUTED)
    pdf.write(4.5, f"Prices as of {brief.date}.")
    if brief.share_link:
        pdf.write(4.5, " Reopen this scenario: ")
        pdf.set_text_color(*ACCENT)
        # Only a web address becomes a live link (no javascript: or file:); any other is printed as text.
        pdf.write(4.5, brief.share_link, link=web_link(brief.share_link) or "")
    pdf.ln(6)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.5)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.set_line_width(0.2)
    pdf.ln(2)
    pdf.set_text_color(*INK)


def _edge_section(pdf: FPDF, edge: Edge) -> None:
    _heading(pdf, "Edge, on-device and on-premises silicon", 40)
    _paragraph(pdf, edge.on_device, 7.5)
    if edge.systems.rows:
        pdf.ln(0.5)
        _table(pdf, edge.systems, (58, 10, 12, 17, 11, 32), size=6.5)
    _paragraph(pdf, edge.note, 7, MUTED)


def _edge_if_it_fits(pdf: FPDF, brief: Brief) -> bool:
    """Draw the edge section if it fits in what is left of the current page (tried first on a throwaway
    copy); whether it was drawn."""
    if brief.edge is None:
        return False
    page = pdf.page
    with pdf.offset_rendering() as dummy:
        _edge_section(dummy, brief.edge)
    if dummy.page_break_triggered or dummy.page != page:
        return False
    _edge_section(pdf, brief.edge)
    return True


def _inputs_table(brief: Brief) -> Table:
    """The scenario's inputs laid out in two pairs of columns."""
    half = (len(brief.inputs) + 1) // 2
    left, right = brief.inputs[:half], brief.inputs[half:]
    rows = tuple((*left[i], *(right[i] if i < len(right) else ("", ""))) for i in range(half))
    return Table(("Input", "Value", "Input", "Value"), rows, (False, False, False, False))


MAX_PAGES = 4


@dataclass(frozen=True)
class _Layout:
    """Type sizes [pt] and table cell padding [mm] of the parts that grow with the plan (what flips it, the
    roadmap, the reference tables)."""

    flips_pt: float = 8.0
    reference_pt: float = 6.2
    reference_padding_mm: tuple[float, float] = (0.3, 1.2)


# A plan with many flips, levers and sources can run a few lines past the fourth page: the brief is then laid out
# again with these tighter sizes, still readable in print (6 pt is the smallest footnote size in common use).
_COMPACT = _Layout(flips_pt=7.5, reference_pt=5.8, reference_padding_mm=(0.2, 1.0))


def render(brief: Brief, page_size: str = "A4") -> bytes:
    """Lay out a Brief on 2-4 pages (tighter type for the growing parts when the usual sizes need a fifth)."""
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page_size = {page_size!r} is not supported: choose one of {', '.join(PAGE_SIZES)}")
    pdf = _render(brief, page_size, _Layout())
    if pdf.page_no() > MAX_PAGES:
        pdf = _render(brief, page_size, _COMPACT)
    return bytes(pdf.output())


def _render(brief: Brief, page_size: str, layout: _Layout) -> FPDF:
    brief = without_bidi(brief)  # an override (U+202E) would make a name read as something else
    name = brief.scenario_name
    name = name if len(name) <= FOOTER_NAME_CHARS else name[: FOOTER_NAME_CHARS - 1] + "…"
    pdf = _new_pdf(page_size, f"Inference Economics Planner · {name} · prices as of {brief.date}",
                   missing_glyphs(brief))
    pdf.add_page()
    _title(pdf, brief)
    if not shaping_available() and needs_shaping(brief):  # say so on the page rather than print mangled text silently
        _paragraph(pdf, SHAPING_NOTE, 8, ACCENT, bold=True)

    _heading(pdf, "The question")
    _paragraph(pdf, brief.question, 9.5)
    _heading(pdf, "The answer")
    _paragraph(pdf, " ".join(brief.answer), 10.5)
    for alternative in brief.alternatives:
        _paragraph(pdf, f"- {alternative}", 8.5, MUTED)
    pdf.ln(3)
    _key_figures(pdf, brief)

    # Page 1 holds the decision table (the best option of each kind, with its evidence); the HTML lists the
    # cheapest options as well.
    _heading(pdf, "The best option of each kind" if brief.decision.rows else "Options that meet the targets", 40)
    if brief.decision.rows:
        _table(pdf, brief.decision, (21, 49, 15, 15, 16, 23, 23, 18))
    elif brief.options.rows:
        _table(pdf, brief.options, (51, 20, 22, 15, 17, 18, 18, 19))
    _paragraph(pdf, brief.options_note, 7.5, MUTED)
    # Edge, on-device and on-premises silicon: beside the decision table where page 1 has room for all of it,
    # else in the room left on the charts page, else before the sources (the brief keeps to its 4 pages).
    edge_placed = _edge_if_it_fits(pdf, brief)

    components = charts.components_chart(brief.bars)
    horizon = charts.horizon_chart(brief.horizon)
    if components is not None or horizon is not None:
        pdf.add_page()
    if components is not None:
        _heading(pdf, "Where the money goes")
        _chart(pdf, components, "Monthly cost of the cheapest options by component. Labels are coloured by kind: "
               + ", ".join(in_sentence(label) for label in KIND_LABELS.values()) + "; ★ marks the recommendation.")
    if horizon is not None:
        _heading(pdf, "Cost over the horizon", 80)
        _chart(pdf, horizon, brief.horizon.caption)
        _paragraph(pdf, brief.uncertainty, 7.5, MUTED)
    if brief.what_flips:
        _heading(pdf, "What would change the answer", 25)
        for line in brief.what_flips:
            _paragraph(pdf, f"- {line}", layout.flips_pt)
    edge_placed = edge_placed or _edge_if_it_fits(pdf, brief)

    if brief.roadmap is not None:
        _heading(pdf, "Optimization roadmap", 60)
        _paragraph(pdf, brief.roadmap.summary, 9.5)
        pdf.ln(1)
        if brief.roadmap.levers.rows:
            _table(pdf, brief.roadmap.levers, (9, 30, 13, 11, 9, 9, 11))
        _chart(pdf, charts.waterfall_chart(brief.roadmap.waterfall))
        _paragraph(pdf, brief.roadmap.not_applied, 7.5, MUTED)

    if brief.edge is not None and not edge_placed:
        _edge_section(pdf, brief.edge)

    _heading(pdf, "Assumptions and sources", 60)
    _paragraph(pdf, brief.accuracy, 8.5)
    pdf.ln(1.5)
    _table(pdf, _inputs_table(brief), (14, 11, 14, 11), size=6.8, padding_mm=(0.4, 1.2))
    # reference tables, read row by row rather than scanned: tighter rows keep the brief within 4 pages
    _table(pdf, brief.sources, (14, 36, 10, 6), size=layout.reference_pt, padding_mm=layout.reference_padding_mm)
    _table(pdf, brief.assumptions, (23, 14, 22, 6, 6), size=layout.reference_pt,
           padding_mm=layout.reference_padding_mm)
    return pdf


def build_pdf(plan: Plan, share_link: str | None = None, page_size: str = "A4") -> bytes:
    """The executive brief of a Plan as PDF bytes (A4 or Letter)."""
    return render(build_brief(plan, share_link), page_size)
