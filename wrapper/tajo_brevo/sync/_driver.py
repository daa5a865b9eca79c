"""Running an engine plan: blocking (threads for :class:`Parallel`) or with asyncio."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .._adapter import Call, Result
from ..errors import BrevoError
from ._effects import Download, Parallel, Plan, SaveFile, Sleep

__all__ = ["drive", "drive_async"]


def drive(
    plan: Plan,
    *,
    execute: Callable[[Call], Result],
    download: Callable[[str], str],
    sleep: Callable[[float], None],
    workers: int,
    save_file: Callable[[str], Path] | None = None,
) -> Any:
    """Run ``plan`` to its value; :class:`Parallel` sub-plans on up to ``workers`` threads.

    A sub-plan's :class:`BrevoError` becomes its value (the plan decides what it means);
    any other exception propagates.
    """

    def step(effect: Any) -> Any:
        if isinstance(effect, Parallel):
            if not effect.plans:
                return []
            with ThreadPoolExecutor(max_workers=max(1, min(workers, len(effect.plans)))) as pool:
                futures = [pool.submit(captured, sub) for sub in effect.plans]
                return [future.result() for future in futures]
        if isinstance(effect, Sleep):
            sleep(effect.seconds)
            return None
        if isinstance(effect, Download):
            return download(effect.url)
        if isinstance(effect, SaveFile):
            if save_file is None:
                raise BrevoError("this client can't fetch files")
            return save_file(effect.url)
        return execute(effect)

    def captured(sub: Plan) -> Any:
        try:
            return run(sub)
        except BrevoError as exc:
            return exc

    def run(current: Plan) -> Any:
        try:
            effect = next(current)
            while True:  # ends when the plan returns (StopIteration) or raises
                try:
                    value = step(effect)
                except BrevoError as exc:
                    effect = current.throw(exc)
                else:
                    effect = current.send(value)
        except StopIteration as stop:
            return stop.value
        finally:
            current.close()

    return run(plan)


async def drive_async(
    plan: Plan,
    *,
    execute: Callable[[Call], Awaitable[Result]],
    download: Callable[[str], Awaitable[str]],
    sleep: Callable[[float], Awaitable[None]],
    workers: int,
    save_file: Callable[[str], Awaitable[Path]] | None = None,
) -> Any:
    """Run ``plan`` with awaits; :class:`Parallel` sub-plans as tasks, ``workers`` at once."""
    limit = asyncio.Semaphore(max(1, workers))

    async def step(effect: Any) -> Any:
        if isinstance(effect, Parallel):
            return list(await asyncio.gather(*(captured(sub) for sub in effect.plans)))
        if isinstance(effect, Sleep):
            await sleep(effect.seconds)
            return None
        if isinstance(effect, Download):
            return await download(effect.url)
        if isinstance(effect, SaveFile):
            if save_file is None:
                raise BrevoError("this client can't fetch files")
            return await save_file(effect.url)
        return await execute(effect)

    async def captured(sub: Plan) -> Any:
        async with limit:
            try:
                return await run(sub)
            except BrevoError as exc:
                return exc

    async def run(current: Plan) -> Any:
        try:
            effect = next(current)
            while True:  # ends when the plan returns (StopIteration) or raises
                try:
                    value = await step(effect)
                except BrevoError as exc:
                    effect = current.throw(exc)
                else:
                    effect = current.send(value)
        except StopIteration as stop:
            return stop.value
        finally:
            current.close()

    return await run(plan)
