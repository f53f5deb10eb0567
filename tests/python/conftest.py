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


HOTLINE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples",
                       "routing", "hotline.json")


@pytest.fixture
def hotline_access():
    """The example hotline's engine with its access control attached and
    three actors: "dpo" (administrator of tenant 12345), "chen" (supervisor
    of 外语组) and "sip-bridge" (system, the engine's Engine.actor). Returns
    (routing file, engine, access control, the decisions its sink got)."""
    routing = ccengine.RoutingFile.load(HOTLINE)
    e = ccengine.Engine.from_config(routing, start_s=0)
    access = ccengine.AccessControl(routing)
    decisions = []
    access.set_decision_sink(decisions.append)
    access.add_actor("dpo", tenant="12345", roles=["administrator"])
    access.add_actor("chen", tenant="12345", departments=["外语组"], roles=["supervisor"])
    e.actor = access.add_actor("sip-bridge", roles=["system"])
    e.attach_access(access)
    return routing, e, access, decisions


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


PG_BIN = "/usr/lib/postgresql/15/bin"


@pytest.fixture(scope="module")
def pg_dsn():
    """A private PostgreSQL 15 server on a Unix socket (initdb + pg_ctl in a temp
    folder, as the postgres user when the tests run as root), one per test
    module; stopped after. Fails in CI (CI set) when the binaries are missing."""
    import pwd
    import shutil
    import subprocess
    import tempfile

    if not os.path.exists(os.path.join(PG_BIN, "initdb")):
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL 15 server binaries missing in CI: " + PG_BIN)
        pytest.skip("PostgreSQL 15 server binaries not installed")
    # Straight under /tmp: the postgres user must be able to reach it.
    base = tempfile.mkdtemp(prefix="ccengine-pg-")
    prefix = []
    if os.getuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(base, user.pw_uid, user.pw_gid)
        prefix = [shutil.which("runuser") or "/usr/sbin/runuser", "-u", "postgres", "--"]

    def run(*args):
        subprocess.run(prefix + list(args), check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.STDOUT)

    data = os.path.join(base, "data")
    run(os.path.join(PG_BIN, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8")
    run(os.path.join(PG_BIN, "pg_ctl"), "-D", data, "-l", os.path.join(base, "log"), "-w", "-o",
        f"-k '{base}' -p 55432 -c listen_addresses='' -c fsync=off", "start")
    try:
        run(os.path.join(PG_BIN, "createdb"), "-h", base, "-p", "55432", "-U", "postgres",
            "ccengine")
        yield f"postgresql:///ccengine?host={base}&port=55432&user=postgres"
    finally:
        run(os.path.join(PG_BIN, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)
