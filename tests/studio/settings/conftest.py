import pytest


@pytest.fixture(autouse=True)
def _media(media_in_tmp):
    return media_in_tmp
