"""pytest set-up for tests/python: the tests must exercise the BUILT package.

ctest runs pytest with PYTHONPATH=<build>/python and
CCENGINE_EXPECT_PACKAGE_DIR=<build>/python/ccengine; this checks that
``import ccengine`` really found that copy (not a stale one, not the source
folder, which has no compiled module).
"""

import os

import pytest

import ccengine


def pytest_report_header(config):
    return "ccengine {} from {}".format(ccengine.__version__, os.path.dirname(ccengine.__file__))


def pytest_configure(config):
    expected = os.environ.get("CCENGINE_EXPECT_PACKAGE_DIR")
    if expected:
        found = os.path.realpath(os.path.dirname(ccengine.__file__))
        if found != os.path.realpath(expected):
            raise pytest.UsageError(
                "imported ccengine from {}, expected the built package in {}".format(found, expected)
            )


SCENARIO = {
    "seed": 7,
    "horizon_s": 36000,
    "warmup_s": 3600,
    "interval_s": 1800,
    "replications": 1,
    "skills": ["general"],
    "queues": [{"name": "general", "skills": {"general": 1}, "sl_seconds": 20}],
    "agents": [{"count": 14, "skills": {"general": 5}}],
    "arrivals": [
        {
            "queue": "general",
            "rate_per_s": 0.2,
            "handle_time": {"dist": "exponential", "mean": 60},
            "patience": {"dist": "exponential", "mean": 120},
        }
    ],
}


@pytest.fixture
def scenario():
    """An example scenario (a fresh deep copy per test)."""
    import copy

    return copy.deepcopy(SCENARIO)
