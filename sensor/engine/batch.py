"""Offline hunting over JSON-lines files (``rules match``): blocks of lines matched in worker processes.

The input is read in blocks of whole lines; each block is parsed (orjson, falling back to the
standard library for what orjson refuses, e.g. integers beyond 64 bits) and matched statelessly, in
``jobs`` worker processes or in this one. Results come back per block, in input order: the line
numbers of matches, messages about unreadable lines, and, for rules that feed a correlation, the
event itself. The parent prints matches in order and feeds the correlations in order, so
``--jobs N`` prints exactly what one job prints. Workers get the engine by ``fork`` where the
platform has it, otherwise they rebuild it from the compiled bundle (no pySigma in the workers).
"""

from __future__ import annotations

import json
import multiprocessing
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import orjson

from sensor.engine.bundle import RuleBundle
from sensor.engine.engine import Engine, LogsourceArg

MAX_EVENT_LINE = 1 << 20
BLOCK_BYTES = 1 << 20


@dataclass
class BlockResult:
    lines: int  # lines in the block (numbering continues from the previous block)
    matches: list[tuple[int, int]] = field(default_factory=list)  # (line in block, rule index)
    events: dict[int, dict[str, Any]] = field(default_factory=dict)  # line -> event, for correlated rules
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line in block, message)


def parse_line(line: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """(event, None), (None, problem) or (None, None) for a blank line."""
    if not line.strip():
        return None, None
    if len(line) > MAX_EVENT_LINE:
        return None, f"longer than {MAX_EVENT_LINE} bytes, skipped"
    try:
        event = orjson.loads(line)
    except orjson.JSONDecodeError:
        try:
            event = json.loads(line)
        except json.JSONDecodeError as exc:
            return None, f"not JSON ({exc.msg}), skipped"
        except (ValueError, RecursionError) as exc:  # e.g. an integer too long to convert
            return None, f"unreadable JSON ({exc}), skipped"
    if not isinstance(event, dict):
        return None, "not a JSON object, skipped"
    return event, None


def match_block(engine: Engine, block: bytes, logsource: LogsourceArg) -> BlockResult:
    lines = block.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    result = BlockResult(lines=len(lines))
    matching = engine.matching_rules
    for number, line in enumerate(lines):
        event, problem = parse_line(line)
        if event is None:
            if problem is not None:
                result.problems.append((number, problem))
            continue
        for rule in matching(event, logsource):
            result.matches.append((number, rule.index))
            if rule.correlations:
                result.events[number] = event
    return result


def read_blocks(stream: IO[bytes], size: int | None = None) -> Iterator[bytes]:
    """Blocks of whole lines (a final line without newline included)."""
    size = size or BLOCK_BYTES
    rest = b""
    while True:
        chunk = stream.read(size)
        if not chunk:
            break
        data = rest + chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            rest = data
            continue
        yield data[: cut + 1]
        rest = data[cut + 1 :]
    if rest:
        yield rest


# ---- worker processes ----------------------------------------------------------------------------

_worker: tuple[Engine, LogsourceArg] | None = None


def _init_worker(bundle: bytes | None, logsource: LogsourceArg, prefilter: bool) -> None:
    global _worker  # noqa: PLW0603 - one engine per worker process
    if bundle is not None:
        _worker = (Engine.from_bundle(RuleBundle.from_bytes(bundle), prefilter=prefilter), logsource)


def _work(block: bytes) -> BlockResult:
    assert _worker is not None, "worker without an engine"
    return match_block(_worker[0], block, _worker[1])


def _fork_context() -> Any:
    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return None


def match_stream(
    engine: Engine,
    stream: IO[bytes],
    *,
    jobs: int = 1,
    bundle: RuleBundle | None = None,
    logsource: LogsourceArg = None,
    prefilter: bool = True,
) -> Iterator[BlockResult]:
    """Block results in input order. With ``jobs`` > 1, ``bundle`` (the engine's compiled form) is
    needed where workers cannot be forked."""
    if jobs <= 1:
        for block in read_blocks(stream):
            yield match_block(engine, block, logsource)
        return
    global _worker  # noqa: PLW0603
    context = _fork_context()
    if context is not None:
        _worker = (engine, logsource)  # inherited by the forked workers
        init_args: tuple[Any, ...] = (None, logsource, prefilter)
    else:
        if bundle is None:
            raise ValueError("--jobs needs the compiled rules on this platform")
        context = multiprocessing.get_context("spawn")
        init_args = (bundle.to_bytes(), logsource, prefilter)
    with context.Pool(jobs, initializer=_init_worker, initargs=init_args) as pool:
        yield from pool.imap(_work, read_blocks(stream), chunksize=1)


Emit = Callable[[int, str, str, str], None]  # (line, rule id, title, level)


def run(
    engine: Engine,
    stream: IO[bytes],
    emit: Emit,
    *,
    jobs: int = 1,
    bundle: RuleBundle | None = None,
    logsource: LogsourceArg = None,
    problem: Callable[[int, str], None] | None = None,
) -> int:
    """Match every line; ``emit`` once per alert (rule match or fired correlation) in input order.
    Returns the number of lines read."""
    rules = engine.rules
    offset = 0
    report = problem or (lambda n, msg: print(f"line {n}: {msg}", file=sys.stderr))
    for result in match_stream(engine, stream, jobs=jobs, bundle=bundle, logsource=logsource):
        for number, message in result.problems:
            report(offset + number, message)
        for number, index in result.matches:
            rule = rules[index]
            if rule.emit:
                emit(offset + number, rule.id, rule.title, rule.level)
            if rule.correlations:
                event = result.events[number]
                for alert in engine.correlate(rule, event, _event_id(event, offset + number)):
                    emit(offset + number, alert.rule_id, alert.title, alert.level)
        offset += result.lines
    return offset


def _event_id(event: Mapping[str, Any], number: int) -> str:
    return str(event.get("EventId") or f"line-{number}")
