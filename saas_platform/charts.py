"""Tiny server-side SVG charts (no JavaScript, nothing external), for the operator console's
analytics and a studio's reports.

The SVG holds only the shapes and stretches to its box (``preserveAspectRatio="none"``, lines
keep their width with ``non-scaling-stroke``); the labels — the top of the scale, the first
and last point — are HTML around it, so they keep the page's font size on a phone as on a
desktop instead of shrinking with the drawing."""

from decimal import Decimal

from django.utils import formats
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

WIDTH, HEIGHT, PAD = 600, 160, 4


def svg_chart(points: list[tuple[str, Decimal | int]], *, title: str, bars: bool = False) -> str:
    """A line (or bar) chart of ``points`` = [(label, value)], scaled to its maximum. Counts
    (``int`` values) are labelled as whole numbers, amounts with their cents."""
    if not points:
        return ""
    counts = all(isinstance(value, int) for _label, value in points)
    values = [float(value) for _label, value in points]
    top = max(values) or 1.0
    step = (WIDTH - 2 * PAD) / max(len(points) - (0 if bars else 1), 1)

    def y(v):
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * v / top

    shapes = []
    if bars:
        for i, (label, value) in enumerate(points):
            x = PAD + i * step
            v = values[i]
            shapes.append(
                f'<rect x="{x + step * 0.1:.1f}" y="{y(v):.1f}" width="{step * 0.8:.1f}" '
                f'height="{HEIGHT - PAD - y(v):.1f}" fill="var(--brand, #2563eb)">'
                f"<title>{escape(label)}: {escape(_fmt(value, counts))}</title></rect>"
            )
    else:
        path = " ".join(f"{PAD + i * step:.1f},{y(v):.1f}" for i, v in enumerate(values))
        shapes.append(
            f'<polyline points="{path}" fill="none" stroke="var(--brand, #2563eb)" '
            'stroke-width="2" vector-effect="non-scaling-stroke"/>'
        )
    baseline = (
        f'<line x1="0" y1="{HEIGHT - PAD}" x2="{WIDTH}" y2="{HEIGHT - PAD}" stroke="#ccc" '
        'vector-effect="non-scaling-stroke"/>'
    )
    return format_html(
        '<figure class="chart"><div class="chart-top muted">{}</div>'
        '<svg viewBox="0 0 {} {}" preserveAspectRatio="none" role="img" aria-label="{}">'
        "{}{}</svg>"
        '<div class="chart-axis muted"><span>{}</span><span>{}</span></div></figure>',
        _fmt(max(value for _label, value in points), counts),
        WIDTH,
        HEIGHT,
        title,
        mark_safe(baseline),  # noqa: S308 - numbers only
        mark_safe("".join(shapes)),  # noqa: S308 - built above from escaped values
        points[0][0],
        points[-1][0] if len(points) > 1 else "",
    )


def _fmt(value, counts: bool) -> str:
    """A scale label in the reader's language ("1,234.50" / "1 234,50")."""
    if counts:
        return formats.number_format(int(value), use_l10n=True, force_grouping=True)
    value = Decimal(value)
    places = 0 if value >= 10 else 2
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
