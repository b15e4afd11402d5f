import pytest

from govcheck.paths import real_corpus_dir


@pytest.fixture(scope="session")
def real_corpus():
    d = real_corpus_dir()
    if d is None:
        pytest.fail("shared/corpus/real not found beside the checkout; set GOVCHECK_SHARED")
    return d
