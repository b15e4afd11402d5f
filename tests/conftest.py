import pytest

from govcheck.paths import real_corpus_dir


@pytest.fixture(scope="session")
def real_corpus():
    d = real_corpus_dir()
    if d is None:
        pytest.fail("shared/corpus/real not found beside the checkout; set GOVCHECK_SHARED")
    return d


@pytest.fixture(scope="session")
def web_source(tmp_path_factory):
    """The web console tests' round (tests/web_harness.py): built once, its replica kept running."""
    from web_harness import source_round

    with source_round(tmp_path_factory.mktemp("web-source")) as src:
        yield src
