"""The one plan driver (``_plans/driving.py``): both drivers carry out a plan the same way.

A scripted plan yields every kind of effect; the blocking and the async driver must send
the same values back, throw the same errors in, run the same sub-plans, and close the
plan however the run ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
from tajo_brevo import _adapter as calls
from tajo_brevo._plans import AsyncDriver, BlockingDriver, Download, Parallel, SaveFile, Sleep
from tajo_brevo.errors import BrevoError, NotFoundError


def _not_found(call: calls.Call) -> NotFoundError:
    return NotFoundError(
        status_code=404,
        code="document_not_found",
        message="List ID does not exist",
        method=call.method,
        path=call.path,
    )


class _World:
    """What the effects do, recorded in order (the same for both drivers)."""

    def __init__(self) -> None:
        self.log: list[str] = []

    def execute(self, call: calls.Call) -> calls.Result:
        self.log.append(f"call {call.operation}")
        if call.operation == "getContactList":
            raise _not_found(call)
        return calls.Result(201, {"id": len(self.log)})

    def sleep(self, seconds: float) -> None:
        self.log.append(f"sleep {seconds}")

    def download(self, url: str) -> str:
        self.log.append(f"download {url}")
        return "report text"

    def save_file(self, url: str) -> Path:
        self.log.append(f"save {url}")
        return Path("/tmp/saved.csv")

    async def async_execute(self, call: calls.Call) -> calls.Result:
        return self.execute(call)

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    async def async_download(self, url: str) -> str:
        return self.download(url)

    async def async_save_file(self, url: str) -> Path:
        return self.save_file(url)


def _sub(name: str, fail: bool) -> Generator[Any, Any, str]:
    yield calls.get_list_call(7) if fail else calls.create_folder_call(name)
    return name


def _plan(closed: list[str]) -> Generator[Any, Any, tuple[Any, ...]]:
    try:
        created = yield calls.create_folder_call("Tajo")
        try:
            yield calls.get_list_call(7)
        except NotFoundError as exc:
            caught = exc.status_code
        slept = yield Sleep(0.5)
        both = yield Parallel([_sub("a", fail=False), _sub("b", fail=True)])
        report = yield Download("https://files.example/report.txt")
        saved = yield SaveFile("https://files.example/export.csv")
        return (
            created.body,
            caught,
            slept,
            both[0],
            type(both[1]).__name__,
            report,
            saved,
        )
    finally:
        closed.append("closed")


EXPECTED = (
    {"id": 1},
    404,
    None,
    "a",
    "NotFoundError",
    "report text",
    Path("/tmp/saved.csv"),
)
EFFECTS = [
    "call createFolder",
    "call getContactList",
    "sleep 0.5",
    "call createFolder",
    "call getContactList",
    "download https://files.example/report.txt",
    "save https://files.example/export.csv",
]


def test_the_blocking_driver_sends_values_throws_errors_and_closes_the_plan() -> None:
    world, closed = _World(), list[str]()
    driver = BlockingDriver(
        execute=world.execute,
        sleep=world.sleep,
        download=world.download,
        save_file=world.save_file,
        workers=1,
    )
    assert driver.run(_plan(closed)) == EXPECTED
    assert world.log == EFFECTS
    assert closed == ["closed"]


def test_the_async_driver_carries_out_the_same_plan_the_same_way() -> None:
    world, closed = _World(), list[str]()
    driver = AsyncDriver(
        execute=world.async_execute,
        sleep=world.async_sleep,
        download=world.async_download,
        save_file=world.async_save_file,
        workers=1,
    )
    assert asyncio.run(driver.run(_plan(closed))) == EXPECTED
    assert world.log == EFFECTS
    assert closed == ["closed"]


def test_an_error_that_is_not_brevos_ends_the_run_and_closes_the_plan() -> None:
    closed: list[str] = []

    def broken(call: calls.Call) -> calls.Result:
        raise RuntimeError("a bug, not an answer")

    with pytest.raises(RuntimeError, match="a bug"):
        BlockingDriver(execute=broken, sleep=lambda s: None).run(_plan(closed))
    assert closed == ["closed"]


def test_a_client_without_file_fetching_throws_a_brevo_error_into_the_plan() -> None:
    def plan() -> Generator[Any, Any, str]:
        try:
            yield SaveFile("https://files.example/export.csv")
        except BrevoError as exc:
            return str(exc)
        return "fetched"

    world = _World()
    assert "can't fetch files" in BlockingDriver(execute=world.execute, sleep=world.sleep).run(
        plan()
    )


def test_the_blocking_driver_needs_no_event_loop_and_works_inside_one() -> None:
    world = _World()

    async def inside_a_running_loop() -> Any:
        # A blocking client called from async code: its run never touches the loop.
        return BlockingDriver(execute=world.execute, sleep=world.sleep).run(_sub("x", False))

    assert asyncio.run(inside_a_running_loop()) == "x"


def test_parallel_sub_plans_run_concurrently_up_to_workers() -> None:
    import threading

    entered = threading.Barrier(3, timeout=5)

    def execute(call: calls.Call) -> calls.Result:
        entered.wait()  # all three sub-plans are inside execute at once
        return calls.Result(201, {})

    plan_value = BlockingDriver(execute=execute, sleep=lambda s: None, workers=3).run(
        _parallel_of(3)
    )
    assert plan_value == ["s0", "s1", "s2"]


def _parallel_of(count: int) -> Generator[Any, Any, list[Any]]:
    values = yield Parallel([_sub(f"s{i}", fail=False) for i in range(count)])
    return list(values)
