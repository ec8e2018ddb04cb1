"""Parts of the staff order page added by apps above orders (e.g. a pre-order's unused
credit and its refund, ``studio.preorders``), which orders cannot import: each registers a
function ``(request, order) -> HTML or ""`` in its ``AppConfig.ready``."""

_PANELS = []


def order_page_panel_register(panel):
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def order_page_panels(request, order) -> list[str]:
    return [html for panel in _PANELS if (html := panel(request, order))]
