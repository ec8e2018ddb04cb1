import pytest


@pytest.fixture(autouse=True)
def _media(request):
    """Each test's media in its own folder, unless it shares the worker's (``live_media``)."""
    if "live_media" in request.fixturenames:
        yield None
    else:
        yield request.getfixturevalue("media_in_tmp")
