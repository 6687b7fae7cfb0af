"""Charts drawn on the server as inline SVG: no script, no CDN, and readable without colour.

Every chart has a title (the accessible name) and its numbers are also in a table beside it on the page, so a
screen reader, a printout and the PDF report read the same figures. Tones are CSS classes of app.css
(`chart-good`, `chart-warn`, `chart-bad`); a bar without a tone is drawn in the brand colour.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# The same colours as app.css, as SVG presentation attributes too: WeasyPrint (the PDFs) does not apply the page's
# stylesheet inside inline SVG. A page's CSS classes still win over these attributes on screen.
FILLS = {"": "#1f5f8b", "good": "#1b7f3b", "warn": "#a86400", "bad": "#b42318"}
LINE = 'stroke="#b42318" stroke-width="1.5" stroke-dasharray="4 3"'
ROW = 22  # height of one horizontal bar's row, in px
LABEL = 170  # width of the label column of a bar chart


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    tone: str = ""  # "good", "warn", "bad" or ""
    note: str = ""  # shown in the bar's tooltip after the value


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _scale(values: Sequence[float], line: float | None) -> float:
    # Headroom above a reference line keeps its label inside the drawing.
    top = max([*values, (line or 0) * 1.1, 0])
    return top if top > 0 else 1.0


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    unit: str = "",
    line: float | None = None,
    line_label: str = "",
    width: int = 640,
) -> SafeString:
    """Horizontal bars, one row per label, with an optional vertical reference line (a cohort mean, a target)."""
    top = _scale([b.value for b in bars], line)
    plot = width - LABEL - 60
    height = ROW * len(bars) + 24
    rows = []
    for i, bar in enumerate(bars):
        y = 4 + i * ROW
        length = plot * max(bar.value, 0) / top
        tip = f"{bar.label}: {_number(bar.value)}{unit}" + (f" ({bar.note})" if bar.note else "")
        rows.append(
            format_html(
                '<g><title>{}</title><text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" class="chart-bar{}" fill="{}"></rect>'
                '<text x="{}" y="{}" class="chart-value">{}</text></g>',
                tip,
                LABEL - 6,
                y + 14,
                bar.label[:28],
                LABEL,
                y + 2,
                f"{length:.1f}",
                ROW - 6,
                f" chart-{bar.tone}" if bar.tone else "",
                FILLS.get(bar.tone, FILLS[""]),
                f"{LABEL + length + 4:.1f}",
                y + 14,
                f"{_number(bar.value)}{unit}",
            )
        )
    reference = ""
    if line is not None:
        x = LABEL + plot * line / top
        reference = format_html(
            '<line x1="{}" y1="0" x2="{}" y2="{}" class="chart-line" ' + LINE + "></line>"
            '<text x="{}" y="{}" class="chart-line-label" fill="#b42318">{}</text>',
            f"{x:.1f}",
            f"{x:.1f}",
            height - 16,
            f"{x:.1f}",
            height - 4,
            line_label or _number(line),
        )
    return _svg(width, height, title, _joined(rows), reference)


def column_chart(
    columns: Sequence[Bar],
    *,
    title: str,
    unit: str = "",
    line: float | None = None,
    line_label: str = "",
    height: int = 200,
    width: int = 640,
) -> SafeString:
    """Vertical columns in order (weeks, days, blocks) with an optional horizontal reference line (80 h)."""
    top = _scale([c.value for c in columns], line)
    plot_height = height - 40
    step = (width - 40) / max(len(columns), 1)
    shapes = []
    for i, column in enumerate(columns):
        tall = plot_height * max(column.value, 0) / top
        x = 30 + i * step
        tip = f"{column.label}: {_number(column.value)}{unit}" + (f" ({column.note})" if column.note else "")
        shapes.append(
            format_html(
                '<g><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" class="chart-bar{}" fill="{}">'
                "</rect></g>",
                tip,
                f"{x + step * 0.1:.1f}",
                f"{10 + plot_height - tall:.1f}",
                f"{step * 0.8:.1f}",
                f"{tall:.1f}",
                f" chart-{column.tone}" if column.tone else "",
                FILLS.get(column.tone, FILLS[""]),
            )
        )
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" class="chart-label">{}</text>',
        (
            (f"{30 + i * step + step / 2:.1f}", height - 14, c.label)
            for i, c in enumerate(columns)
            if len(columns) <= 16 or i % max(1, len(columns) // 13) == 0
        ),
    )
    reference = ""
    if line is not None:
        y = 10 + plot_height - plot_height * line / top
        reference = format_html(
            '<line x1="30" y1="{}" x2="{}" y2="{}" class="chart-line" ' + LINE + "></line>"
            '<text x="{}" y="{}" text-anchor="end" class="chart-line-label" fill="#b42318">{}</text>',
            f"{y:.1f}",
            width - 10,
            f"{y:.1f}",
            width - 10,
            f"{y - 4:.1f}",
            line_label or _number(line),
        )
    return _svg(width, height, title, _joined(shapes), ticks + reference)


def _svg(width: int, height: int, title: str, body: SafeString, extra: SafeString | str) -> SafeString:
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" '
        'preserveAspectRatio="xMinYMin meet"><title>{}</title>{}{}</svg>',
        width,
        height,
        title,
        title,
        body,
        extra,
    )


def _joined(parts: Sequence[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))
