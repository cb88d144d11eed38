"""The brief as one self-contained HTML page: inline CSS and SVG charts, nothing fetched at view time.

Every string that comes from the scenario or the catalog goes through `html.escape`.
"""
from __future__ import annotations

import html
import re

from engine.plan import Plan
from report import charts
from report.content import Brief, KeyFigure, Table, build_brief
from present.colours import kind_colour
from present.labels import KIND_LABELS
from present.text import web_link, without_bidi

CSS = """
:root { --ink: #222; --muted: #666; --accent: #1f4e79; --rule: #d4d4d4; --head: #e8eef5; --hi: #e2f2e0; --box: #f6f8fb; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "DejaVu Sans", "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
       color: var(--ink); background: #fff; font-size: 14px; line-height: 1.45;
       overflow-wrap: anywhere; /* a 200-character name or link wraps instead of widening the page */ }
main { max-width: 58rem; margin: 0 auto; padding: 2rem 1.5rem 3rem; }
.eyebrow { font-size: 0.72rem; font-weight: bold; letter-spacing: 0.06em; color: var(--muted); margin: 0; }
h1 { font-size: 1.75rem; line-height: 1.2; margin: 0.3rem 0 0.3rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; color: var(--accent); margin: 1.6rem 0 0.5rem; }
.meta { color: var(--muted); font-size: 0.85rem; margin: 0 0 0.8rem; overflow-wrap: anywhere; }
header { border-bottom: 2px solid var(--accent); padding-bottom: 0.4rem; }
.answer { font-size: 1.05rem; }
.figures { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 0.6rem; margin: 1rem 0; }
.figure { background: var(--box); border: 1px solid var(--rule); padding: 0.5rem 0.7rem; }
.figure .label { font-size: 0.75rem; color: var(--muted); }
.figure .value { font-size: 1.35rem; font-weight: bold; line-height: 1.2; }
.figure .note { font-size: 0.72rem; color: var(--muted); }
table { width: 100%; border-collapse: collapse; font-size: 0.8rem; margin: 0.4rem 0 0.6rem; }
th { background: var(--head); text-align: left; font-weight: bold; }
th, td { padding: 0.25rem 0.4rem; border-bottom: 1px solid var(--rule); vertical-align: middle; }
td.num, th.num { text-align: right; }
td.num { white-space: nowrap; }
table.options td:first-child { min-width: 10rem; }
tr.recommended td { background: var(--hi); font-weight: bold; }
table.small { font-size: 0.72rem; }
td.source { overflow-wrap: anywhere; }
.note, figcaption { color: var(--muted); font-size: 0.8rem; }
figure { margin: 0.5rem 0 1rem; }
figure svg { width: 100%; height: auto; display: block; }
.legend { font-size: 0.78rem; color: var(--muted); }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin: 0 0.3em 0 0.8em; vertical-align: -0.05em; }
footer { margin-top: 2rem; color: var(--muted); font-size: 0.75rem; border-top: 1px solid var(--rule); padding-top: 0.5rem; }
@media (max-width: 40rem) { .figures { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
@page { margin: 14mm; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  .page-break { break-before: page; }
  figure, .figures, tr, .keep { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

_SVG_REF = re.compile(r'(\bid="|url\(#|href="#)')


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _svg(fig, prefix: str) -> str:
    """Inline SVG with its ids prefixed, so several charts on one page never share an id."""
    if fig is None:
        return ""
    return _SVG_REF.sub(lambda m: m.group(1) + prefix + "-", charts.to_svg(fig))


def _table(table: Table, css_class: str = "") -> str:
    head = "".join(f'<th class="num">{esc(c)}</th>' if n else f"<th>{esc(c)}</th>"
                   for c, n in zip(table.columns, table.numeric))
    body = []
    for i, row in enumerate(table.rows):
        cells = "".join(f'<td class="num">{esc(v)}</td>' if n else f"<td>{esc(v)}</td>"
                        for v, n in zip(row, table.numeric))
        cls = ' class="recommended"' if table.is_highlighted(i) else ""
        body.append(f"<tr{cls}>{cells}</tr>")
    cls = f' class="{css_class}"' if css_class else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure_box(f: KeyFigure) -> str:
    return (f'<div class="figure"><div class="label">{esc(f.label)}</div><div class="value">{esc(f.value)}</div>'
            f'<div class="note">{esc(f.note)}</div></div>')


def _legend() -> str:
    return ('<p class="legend">Option kinds:' + "".join(
        f'<span class="swatch" style="background:{kind_colour(k)}"></span>{esc(label)}'
        for k, label in KIND_LABELS.items()) + " · ★ the recommendation</p>")


def _inputs(brief: Brief) -> str:
    rows = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in brief.inputs)
    return f'<table class="small"><thead><tr><th>Input</th><th>Value</th></tr></thead><tbody>{rows}</tbody></table>'


def render(brief: Brief) -> str:
    brief = without_bidi(brief)  # an override (U+202E) would make a name read as something else
    link = ""
    if brief.share_link:
        href = web_link(brief.share_link)  # only web links become clickable: no javascript: or data:
        shown = esc(brief.share_link)
        link = (f' Reopen this scenario: <a href="{esc(href)}">{shown}</a>' if href
                else f" Reopen this scenario: {shown}")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(brief.title)}</title><style>{CSS}</style></head><body><main>",
        '<header><p class="eyebrow">INFERENCE ECONOMICS PLANNER · EXECUTIVE BRIEF</p>',
        f'<h1 dir="auto">{esc(brief.title)}</h1>',
        f'<p class="meta">Prices as of {esc(brief.date)}.{link}</p></header>',
        '<section id="answer">',
        f"<h2>The question</h2><p>{esc(brief.question)}</p>",
        f'<h2>The answer</h2><p class="answer">{" ".join(esc(s) for s in brief.answer)}</p>',
        ("<ul class=\"note\">" + "".join(f"<li>{esc(a)}</li>" for a in brief.alternatives) + "</ul>")
        if brief.alternatives else "",
        '<div class="figures">' + "".join(_figure_box(f) for f in brief.figures) + "</div></section>",
        ('<section id="decision"><h2>The best of each kind</h2>' + _table(brief.decision, "options") + "</section>")
        if brief.decision.rows else "",
        '<section id="options"><h2>Options that meet the targets</h2>',
        _table(brief.options, "options") if brief.options.rows else "",
        f'<p class="note">{esc(brief.options_note)}</p></section>',
    ]
    components = _svg(charts.components_chart(brief.bars), "components")
    horizon = _svg(charts.horizon_chart(brief.horizon), "horizon")
    if components or horizon:
        parts.append('<section id="costs" class="page-break">')
    if components:
        parts += ["<h2>Where the money goes</h2>",
                  f"<figure>{components}<figcaption>Monthly cost of the cheapest options by component; labels are "
                  "coloured by kind.</figcaption></figure>", _legend()]
    if horizon:
        parts += ["<h2>Cost over the horizon</h2>",
                  f"<figure>{horizon}<figcaption>{esc(brief.horizon.caption)}</figcaption></figure>",
                  f'<p class="note">{esc(brief.uncertainty)}</p>']
    if components or horizon:
        parts.append("</section>")
    if brief.what_flips:
        parts += ['<section id="flips"><h2>What would change the answer</h2><ul class="note">',
                  "".join(f"<li>{esc(line)}</li>" for line in brief.what_flips), "</ul></section>"]
    if brief.roadmap is not None:
        rm = brief.roadmap
        parts += [
            '<section id="roadmap" class="keep"><h2>Optimization roadmap</h2>',
            f"<p>{esc(rm.summary)}</p>",
            _table(rm.levers) if rm.levers.rows else "",
            f"<figure>{_svg(charts.waterfall_chart(rm.waterfall), 'waterfall')}"
            "<figcaption>Monthly cost before, after each lever, and after the roadmap.</figcaption></figure>",
            f'<p class="note">{esc(rm.not_applied)}</p></section>' if rm.not_applied else "</section>",
        ]
    if brief.edge is not None:
        e = brief.edge
        parts += [
            '<section id="edge" class="keep"><h2>Edge, on-device and on-premises silicon</h2>',
            f"<p>{esc(e.on_device)}</p>" if e.on_device else "",
            _table(e.systems, "small") if e.systems.rows else "",
            f'<p class="note">{esc(e.note)}</p></section>' if e.note else "</section>",
        ]
    sources = _table(brief.sources, "small").replace("<td>", '<td class="source">')
    parts += [
        '<section id="sources" class="page-break"><h2>Assumptions and sources</h2>',
        f"<p>{esc(brief.accuracy)}</p>",
        "<h3>Scenario inputs</h3>", _inputs(brief),
        "<h3>Data sources</h3>", sources,
        "<h3>Cost assumptions</h3>", _table(brief.assumptions, "small"),
        "</section>",
        f"<footer>Inference Economics Planner · {esc(brief.scenario_name)} · prices as of {esc(brief.date)}</footer>",
        "</main></body></html>",
    ]
    return "\n".join(p for p in parts if p)


def build_html(plan: Plan, share_link: str | None = None) -> str:
    """The executive brief of a Plan as one self-contained HTML document."""
    return render(build_brief(plan, share_link))
