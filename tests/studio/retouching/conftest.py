from tests.studio.photos.conftest import _media, production  # noqa: F401 - shared fixtures
