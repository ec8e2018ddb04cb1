"""Tiny server-side SVG charts for the analytics page (no JavaScript, nothing external)."""

from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

WIDTH, HEIGHT, PAD = 640, 180, 28


def svg_chart(points: list[tuple[str, Decimal | int]], *, title: str, bars: bool = False) -> str:
    """A line (or bar) chart of ``points`` = [(label, value)], scaled to its maximum."""
    if not points:
        return ""
    values = [float(value) for _label, value in points]
    top = max(values) or 1.0
    step = (WIDTH - 2 * PAD) / max(len(points) - (0 if bars else 1), 1)

    def y(v):
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * v / top

    shapes = []
    if bars:
        for i, v in enumerate(values):
            x = PAD + i * step
            shapes.append(
                f'<rect x="{x + step * 0.1:.1f}" y="{y(v):.1f}" width="{step * 0.8:.1f}" '
                f'height="{HEIGHT - PAD - y(v):.1f}" fill="var(--brand, #2563eb)">'
                f"<title>{escape(points[i][0])}: {escape(points[i][1])}</title></rect>"
            )
    else:
        path = " ".join(f"{PAD + i * step:.1f},{y(v):.1f}" for i, v in enumerate(values))
        shapes.append(
            f'<polyline points="{path}" fill="none" stroke="var(--brand, #2563eb)" '
            'stroke-width="2"/>'
        )
    axis = (
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#ccc"/>'
        f'<text x="{PAD}" y="{PAD - 8}" font-size="12" fill="#666">{escape(_fmt(top))}</text>'
        f'<text x="{PAD}" y="{HEIGHT - 8}" font-size="12" fill="#666">'
        f"{escape(points[0][0])}</text>"
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" font-size="12" fill="#666" '
        f'text-anchor="end">{escape(points[-1][0])}</text>'
    )
    return format_html(
        '<svg viewBox="0 0 {} {}" role="img" aria-label="{}" style="width:100%;height:auto">'
        "{}{}</svg>",
        WIDTH,
        HEIGHT,
        title,
        mark_safe(axis),  # noqa: S308 - built above from escaped values
        mark_safe("".join(shapes)),  # noqa: S308
    )


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:,.2f}"
