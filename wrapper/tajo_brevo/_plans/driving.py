"""The one plan driver: what a plan yields, carried out blocking or with asyncio.

A plan yields an effect (a :class:`~tajo_brevo._adapter.Call`, a :class:`Sleep`, and in
the sync engine :class:`Parallel`, :class:`Download`, :class:`SaveFile`), receives its value
(None after a sleep), or has the :class:`~tajo_brevo.errors.BrevoError` it raised thrown in
at the ``yield``; what the plan returns is the run's value. That loop is
:func:`drive_plan`, written once. The two drivers only say how an effect is carried out:

- :class:`BlockingDriver` (``TajoBrevo``): plain callables, :class:`Parallel` sub-plans on
  threads. Its effects finish before they return, so the loop's coroutine never suspends
  and runs to its end in one step, without an event loop.
- :class:`AsyncDriver` (``AsyncTajoBrevo``): coroutine functions, :class:`Parallel`
  sub-plans as tasks, ``workers`` at once.

A sub-plan's :class:`BrevoError` becomes its value in the list a :class:`Parallel` sends
back (the plan decides what it means); any other exception propagates.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable, Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Self, TypeVar

from .._adapter import Call, Result
from ..errors import BrevoError
from ._base import Download, Parallel, SaveFile, Sleep

__all__ = ["AsyncDriver", "BlockingDriver", "drive_plan"]

T = TypeVar("T")
#: Any plan: what it yields is an effect, what it receives is the effect's value.
AnyPlan = Generator[Any, Any, T]
#: Carries out one effect; its value (or a BrevoError) goes back into the plan.
Perform = Callable[[Any], Awaitable[Any]]


async def drive_plan(plan: AnyPlan[T], perform: Perform) -> T:
    """Run ``plan`` to its value, each effect carried out by ``perform``.

    The plan is closed at the end, however it ends.
    """
    try:
        effect = next(plan)
        while True:  # ends when the plan returns (StopIteration) or raises
            try:
                value = await perform(effect)
            except BrevoError as exc:
                effect = plan.throw(exc)
            else:
                effect = plan.send(value)
    except StopIteration as stop:
        result: T = stop.value
        return result
    finally:
        plan.close()


def _dispatch(effect: Any, driver: _Driver) -> Any:
    """The driver's function for ``effect``, called: a value (blocking) or an awaitable."""
    if isinstance(effect, Sleep):
        return driver.sleep(effect.seconds)
    if isinstance(effect, Download):
        if driver.download is None:
            raise BrevoError("this client can't fetch report files")
        return driver.download(effect.url)
    if isinstance(effect, SaveFile):
        if driver.save_file is None:
            raise BrevoError("this client can't fetch files")
        return driver.save_file(effect.url)
    return driver.execute(effect)


class _Driver:
    """What both drivers hold: the functions that carry out effects, and ``workers``."""

    execute: Callable[[Call], Any]
    sleep: Callable[[float], Any]
    download: Callable[[str], Any] | None
    save_file: Callable[[str], Any] | None
    workers: int

    def with_workers(self, workers: int) -> Self:
        """The same driver, running up to ``workers`` sub-plans of a Parallel at once."""
        twin = copy.copy(self)
        twin.workers = workers
        return twin


class BlockingDriver(_Driver):
    """Runs plans with blocking calls; :class:`Parallel` sub-plans on up to ``workers``
    threads.

    Args:
        execute: sends one call (paced, retried) and returns its result.
        sleep: waits (``time.sleep`` or a test's clock).
        download: fetches an import report file's text (the sync engine).
        save_file: fetches a file onto disk, returns its path (the sync engine).
        workers: how many sub-plans of a :class:`Parallel` run at once.
    """

    def __init__(
        self,
        *,
        execute: Callable[[Call], Result],
        sleep: Callable[[float], None],
        download: Callable[[str], str] | None = None,
        save_file: Callable[[str], Path] | None = None,
        workers: int = 1,
    ) -> None:
        self.execute, self.sleep, self.workers = execute, sleep, workers
        self.download, self.save_file = download, save_file

    def run(self, plan: AnyPlan[T]) -> T:
        """Run ``plan`` to its value (see :func:`drive_plan`)."""
        coroutine = drive_plan(plan, self._perform)
        try:
            coroutine.send(None)
        except StopIteration as done:
            value: T = done.value
            return value
        coroutine.close()  # pragma: no cover - a blocking effect never suspends
        raise RuntimeError("a blocking plan run was suspended")  # pragma: no cover

    async def _perform(self, effect: Any) -> Any:
        if isinstance(effect, Parallel):
            return self._parallel(effect.plans)
        return _dispatch(effect, self)

    def _parallel(self, subplans: Sequence[AnyPlan[Any]]) -> list[Any]:
        if not subplans:
            return []
        with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(subplans)))) as pool:
            futures = [pool.submit(self._captured, sub) for sub in subplans]
            return [future.result() for future in futures]

    def _captured(self, sub: AnyPlan[Any]) -> Any:
        try:
            return self.run(sub)
        except BrevoError as exc:
            return exc


class AsyncDriver(_Driver):
    """Runs plans with awaits; :class:`Parallel` sub-plans as tasks, ``workers`` at once.

    Args:
        execute, sleep, download, save_file, workers: as for :class:`BlockingDriver`,
            coroutine functions.
    """

    def __init__(
        self,
        *,
        execute: Callable[[Call], Awaitable[Result]],
        sleep: Callable[[float], Awaitable[Any]],
        download: Callable[[str], Awaitable[str]] | None = None,
        save_file: Callable[[str], Awaitable[Path]] | None = None,
        workers: int = 1,
    ) -> None:
        self.execute, self.sleep, self.workers = execute, sleep, workers
        self.download, self.save_file = download, save_file

    async def run(self, plan: AnyPlan[T]) -> T:
        """Run ``plan`` to its value (see :func:`drive_plan`)."""
        limit = asyncio.Semaphore(max(1, self.workers))  # one per run: its own event loop

        async def captured(sub: AnyPlan[Any]) -> Any:
            async with limit:
                try:
                    return await drive_plan(sub, perform)
                except BrevoError as exc:
                    return exc

        async def perform(effect: Any) -> Any:
            if isinstance(effect, Parallel):
                return list(await asyncio.gather(*(captured(sub) for sub in effect.plans)))
            return await _dispatch(effect, self)

        return await drive_plan(plan, perform)
