"""pytest's configuration for tests/python: each test's suite, as a marker.

The suites are meson's (tests/meson.build runs `pytest -m SUITE` for each):
a module test_SUITE_*.py belongs to SUITE, but for its tests on the shared
corpus, which belong to `corpus` (see is_corpus_test). Every test has
exactly one suite, so that running every suite runs every test.

The helpers are plain functions in helpers/ (``from helpers import ...``);
their names are also found here, for test modules that import them from
conftest.
"""

from pathlib import Path

import pytest

from helpers import *  # noqa: F401,F403  (the helpers' names, as before)
from helpers.common import CORPUS

SUITES = {
    "cli": "the CLI's behaviour: options, errors, filters, small outputs against tshark",
    "conformance": "the CLI's outputs on every test capture against tshark's, byte for byte",
    "binding": "the Python binding: its API, and its packets against tshark's PDML/PSML",
    "corpus": "the shared corpus (../shared/corpus or $CSHARK_CORPUS) against tshark",
    "live": "live capture on lo (needs root)",
    "modes": "the CLI on every test capture in every output mode, exit status only "
             "(for sanitizer builds)",
}


def pytest_addoption(parser):
    parser.addoption("--shard", default="1/1", metavar="K/N",
                     help="run the K-th of N shares of the selected tests (every N-th "
                          "test from the K-th on), so that N processes run them side by side")


def pytest_configure(config):
    for name, what in SUITES.items():
        config.addinivalue_line("markers", f"{name}: suite {name}, {what}")
    shard, _, count = config.getoption("shard").partition("/")
    if not (shard.isdigit() and count.isdigit() and 1 <= int(shard) <= int(count)):
        raise pytest.UsageError(f"--shard {config.getoption('shard')}: not K/N with 1 <= K <= N")
    if count != "1":
        config.pluginmanager.register(Shard(int(shard), int(count)), "shard")


def is_corpus_test(item):
    """A test on the corpus: in test_corpus*.py, marked corpus, named for
    it, using a fixture named for it, or given a corpus capture as a
    parameter."""
    if item.module.__name__.startswith("test_corpus") or item.get_closest_marker("corpus") \
            or "corpus" in item.name or any("corpus" in f for f in item.fixturenames):
        return True
    corpus = str(CORPUS.resolve())
    for value in getattr(getattr(item, "callspec", None), "params", {}).values():
        if isinstance(value, (str, Path)) and str(value).startswith(corpus):
            return True
    return False


def suite_of(item):
    if is_corpus_test(item):
        return "corpus"
    words = item.module.__name__.split("_")
    if len(words) < 2 or words[1] not in SUITES:
        raise pytest.UsageError(f"{item.module.__file__}: name a test module test_SUITE_*.py, "
                                f"SUITE one of {', '.join(SUITES)}, so that a suite runs it")
    return words[1]


@pytest.hookimpl(tryfirst=True)  # before -m selects by these markers
def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(getattr(pytest.mark, suite_of(item)))


class Shard:
    """--shard K/N: keeps every N-th test (from the K-th on) of those that -m
    and -k selected."""

    def __init__(self, index, count):
        self.index, self.count = index, count

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        kept = [t for i, t in enumerate(items) if i % self.count == self.index - 1]
        dropped = [t for i, t in enumerate(items) if i % self.count != self.index - 1]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = kept
