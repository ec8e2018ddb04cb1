"""Django's ``{# #}`` comments end at the line's end: one left open shows its text to every
visitor (it did, on the gallery). Longer comments go in ``{% comment %}``."""

from pathlib import Path

from django.conf import settings


def test_no_template_comment_runs_over_a_line():
    opened = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if line.count("{#") > line.count("#}")
    ]
    assert opened == []
