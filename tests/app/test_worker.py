"""Plan workers (ui.worker): what a page gets from a worker process is the plan the engine computes in
the server process, a lost worker never reaches the user, and the worker count setting is read safely."""
from __future__ import annotations

import dataclasses
import os
import signal

import pytest

from engine.plan import add_sensitivity, plan
from engine.scenario.schema import DEFAULT_SCENARIO
from ui import worker

pytestmark = pytest.mark.app


def _core(users: int):
    s = dataclasses.replace(DEFAULT_SCENARIO, workload=dataclasses.replace(DEFAULT_SCENARIO.workload,
                                                                           daily_active_users=users))
    return plan(s, with_roadmap=False, with_sensitivity=False)


def _pids() -> set[int]:
    pool = worker._get_pool()
    assert pool is not None, "the pool did not start"
    return set(pool._processes)


def test_a_worker_computes_the_plan_the_server_would(monkeypatch):
    monkeypatch.delenv("IEP_PLAN_WORKERS", raising=False)
    core = _core(41_234)
    in_worker = worker.run(add_sensitivity, core, every_band=False)
    assert all(pid != os.getpid() for pid in _pids())
    here = add_sensitivity(core, every_band=False)
    assert in_worker.to_dict() == here.to_dict()  # what flips it, the tornado, every figure
    assert in_worker.recommendation.what_flips == here.recommendation.what_flips


def test_a_lost_worker_falls_back_to_the_server_process_and_the_pool_comes_back(monkeypatch):
    monkeypatch.delenv("IEP_PLAN_WORKERS", raising=False)
    core = _core(42_345)
    for pid in _pids():  # a worker killed (out of memory, an operator)
        os.kill(pid, signal.SIGKILL)
    got = worker.run(add_sensitivity, core, every_band=False)
    assert got.to_dict() == add_sensitivity(core, every_band=False).to_dict()
    again = worker.run(add_sensitivity, _core(43_456), every_band=False)  # a new pool
    assert again.uncertainty is not None and all(pid != os.getpid() for pid in _pids())


@pytest.mark.parametrize("setting, expected", [("0", 0), ("3", 3), (" 2 ", 2), ("-4", 0)])
def test_the_worker_count_setting(monkeypatch, setting, expected):
    monkeypatch.setenv("IEP_PLAN_WORKERS", setting)
    assert worker.worker_count() == expected


def test_an_unreadable_worker_count_keeps_the_default(monkeypatch, caplog):
    monkeypatch.setenv("IEP_PLAN_WORKERS", "many")
    count = worker.worker_count()
    assert count == max(1, len(os.sched_getaffinity(0)) - 1)
    assert "IEP_PLAN_WORKERS" in caplog.text
