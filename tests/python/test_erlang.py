"""ccengine's Erlang analytics from Python: names, keys, values, errors."""

import math

import pytest

import ccengine

LAMBDA = 100 / 1800  # 100 contacts per 30 minutes
AHT = 180.0


def test_erlang_b_known_value():
    # B(2 Erlangs, 3 agents) = (4/3) / (1 + 2 + 2 + 4/3) = 4/19
    assert ccengine.erlang_b(2.0, 3) == pytest.approx(4 / 19, rel=1e-12)
    assert ccengine.erlang_b(5.0, 0) == 1.0


def test_erlang_c_known_value():
    # C(A=2, n=3) = n B / (n - A (1 - B)) with B = 4/19
    b = 4 / 19
    assert ccengine.erlang_c(2.0, 3) == pytest.approx(3 * b / (3 - 2 * (1 - b)), rel=1e-12)


def test_erlang_c_metrics_keys_and_values():
    m = ccengine.erlang_c_metrics(LAMBDA, AHT, 14, 20)
    assert set(m) == {"p_wait", "asa", "service_level", "occupancy"}
    a = LAMBDA * AHT
    c = ccengine.erlang_c(a, 14)
    assert m["p_wait"] == pytest.approx(c)
    assert m["asa"] == pytest.approx(c * AHT / (14 - a))
    assert m["service_level"] == pytest.approx(1 - c * math.exp(-(14 - a) * 20 / AHT))
    assert m["occupancy"] == pytest.approx(a / 14)


def test_erlang_a_metrics_keys_and_header_example():
    m = ccengine.erlang_a_metrics(LAMBDA, AHT, 300, 14, 20)
    assert set(m) == {"p_wait", "p_abandon", "asa", "service_level", "occupancy"}
    assert m["service_level"] == pytest.approx(0.917, abs=1e-3)
    assert m["asa"] == pytest.approx(3.88, abs=0.01)
    assert 0 < m["p_abandon"] < m["p_wait"] < 1


def test_erlang_a_approaches_erlang_c_with_long_patience():
    a = ccengine.erlang_a_metrics(LAMBDA, AHT, 1e9, 14, 20)
    c = ccengine.erlang_c_metrics(LAMBDA, AHT, 14, 20)
    assert a["p_wait"] == pytest.approx(c["p_wait"], rel=1e-4)
    assert a["service_level"] == pytest.approx(c["service_level"], rel=1e-4)


def test_agents_for_service_level_erlang_c_and_a():
    n = ccengine.agents_for_service_level(LAMBDA, AHT, 0.8, 20)
    assert isinstance(n, int)
    assert n == 14
    assert ccengine.erlang_c_metrics(LAMBDA, AHT, n, 20)["service_level"] >= 0.8
    assert ccengine.erlang_c_metrics(LAMBDA, AHT, n - 1, 20)["service_level"] < 0.8
    na = ccengine.agents_for_service_level(LAMBDA, AHT, 0.8, 20, patience=300)
    assert na <= n
    assert ccengine.erlang_a_metrics(LAMBDA, AHT, 300, na, 20)["service_level"] >= 0.8
    # keyword form, with the documented parameter names
    assert ccengine.agents_for_service_level(
        arrival_rate=LAMBDA, aht=AHT, sl_target=0.8, sl_seconds=20, patience=None
    ) == n


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: ccengine.erlang_b(-1.0, 3), "erlang_b"),
        (lambda: ccengine.erlang_c(2.0, 0), "agents"),
        (lambda: ccengine.erlang_c(5.0, 3), "erlang_c"),  # unstable load
        (lambda: ccengine.erlang_c_metrics(LAMBDA, 0.0, 14, 20), "aht"),
        (lambda: ccengine.erlang_c_metrics(float("nan"), AHT, 14, 20), "arrival_rate"),
        (lambda: ccengine.erlang_a_metrics(LAMBDA, AHT, -5, 14, 20), "patience"),
        (lambda: ccengine.erlang_a_metrics(LAMBDA, AHT, 300, 14, -1), "sl_seconds"),
        (lambda: ccengine.agents_for_service_level(LAMBDA, AHT, 1.5, 20), "sl_target"),
        (lambda: ccengine.agents_for_service_level(LAMBDA, AHT, 0.8, 20, patience=0), "patience"),
    ],
)
def test_invalid_input_raises_value_error_with_message(call, words):
    with pytest.raises(ValueError) as info:
        call()
    message = str(info.value)
    assert words in message
    assert info.value.code in ("INVALID_ARGUMENT", "OUT_OF_RANGE")


def test_message_is_the_engines_exactly():
    with pytest.raises(ValueError, match=r"^erlang_c: agents must be > 0, got 0$"):
        ccengine.erlang_c(2.0, 0)


def test_docstrings_on_public_functions():
    for name in ("erlang_b", "erlang_c", "erlang_c_metrics", "erlang_a_metrics",
                 "agents_for_service_level", "simulate", "to_dataframe", "plot",
                 "expected_contacts"):
        assert getattr(ccengine, name).__doc__, name
