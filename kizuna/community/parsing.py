"""Parsing an import's batches in a worker process, while the importing process stores.

Parsing is pure Python, so a second thread could not do it alongside: it kept the storing
thread waiting for the GIL after each database call. See ingest.Ingestion._parsed_batches.
Both ends of the pipe are here: ParsingWorker in the importing process, serve_parsing() in
the worker. Like kizuna.community.lines, this module needs no Django setup.
"""

import fcntl
import gc
import logging
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import IO, Any, BinaryIO

from kizuna.community import lines as lines_module
from kizuna.community.lines import Line, Outcome, Record, parse_batch

logger = logging.getLogger(__name__)

ParsedBatch = tuple[list[Line], list[Outcome]]


class ParsingWorker:
    """A worker process that parses batches (serve_parsing, below), started for the first.

    A fresh interpreter that imports this module and kizuna.community.lines alone, talking
    pickles over its standard input and output. Not multiprocessing: forking a process
    that runs other threads (a web server's, say) is not safe, and its spawn runs the
    parent's main script again. The worker ends when its input closes, so also when the
    importing process is killed. One batch at a time is parsed ahead: the next is sent
    once this one's result is in.

    The worker only makes the import faster: when it cannot start (sys.executable is not
    Python, as under uWSGI) or stops (killed, out of memory), the import goes on parsing
    here, and says so in the log.

    A thread here reads the results as the worker writes them, so that moving 20 MB
    through the pipe and unpickling it happen while this process waits on the database,
    not after it (read by the storing thread, it was 15% of a large import's time).
    """

    def __init__(self, output_by_type: dict[str, bool], vendor: str) -> None:
        self._arguments = (output_by_type, vendor)
        self._process: subprocess.Popen[bytes] | None = None
        self._results: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._sent: list[Record] = []  # the batch being parsed there
        self.stopped = False

    def __enter__(self) -> "ParsingWorker":
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._process is None:
            return
        with suppress(BrokenPipeError):  # what is left in its buffer, if the worker died
            self._process.stdin.close()  # type: ignore[union-attr]
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def parse(self, batch: list[Record]) -> Callable[[], ParsedBatch]:
        """Start parsing the batch; the function returned waits for the result."""
        if self._process is None and not self.stopped:
            self._start()
        if self.stopped:
            return lambda: parse_batch(batch, *self._arguments)
        self._sent = batch
        self._send(batch)
        return self._receive

    def _start(self) -> None:
        # Under uWSGI or mod_wsgi, sys.executable is the server's binary: never run that.
        if not Path(sys.executable).name.startswith("python"):
            self._parse_here(f"{sys.executable} is not a Python interpreter")
            return
        package_root = str(Path(lines_module.__file__).resolve().parents[2])
        try:
            self._process = process = subprocess.Popen(  # noqa: S603 - our interpreter and code
                [sys.executable, "-c", WORKER_MAIN],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                # The same kizuna as here first, even run from another folder or checkout.
                env={**os.environ, "PYTHONPATH": os.pathsep.join([package_root, *_python_path()])},
            )
        except OSError as error:
            self._parse_here(f"it could not start: {error}")
            return
        assert process.stdin is not None
        assert process.stdout is not None
        _widen_pipe(process.stdin)
        _widen_pipe(process.stdout)
        threading.Thread(
            target=_read_results, args=(process.stdout, self._results), daemon=True
        ).start()
        self._send(self._arguments)

    def _send(self, message: Any) -> None:
        assert self._process is not None
        assert self._process.stdin is not None
        # A worker that died is seen by the result it never sends (see _read_results).
        with suppress(BrokenPipeError):
            pickle.dump(message, self._process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self._process.stdin.flush()

    def _receive(self) -> ParsedBatch:
        result = self._results.get()
        if result is _STOPPED:
            return self._parse_here_from_now_on()
        if isinstance(result, Exception):  # parsing itself failed: here it would too
            raise result
        rows, rejections = result
        return _lines_received(rows), rejections

    def _parse_here_from_now_on(self) -> ParsedBatch:
        assert self._process is not None
        self._parse_here(f"it stopped (exit code {self._process.wait(timeout=10)})")
        return parse_batch(self._sent, *self._arguments)

    def _parse_here(self, why: str) -> None:
        logger.warning("The import's parsing worker process: %s; parsing goes on here.", why)
        self.stopped = True


WORKER_MAIN = (
    "import sys; from kizuna.community.parsing import serve_parsing; "
    "serve_parsing(sys.stdin.buffer, sys.stdout.buffer)"
)
_STOPPED = object()  # what _read_results hands on last


def _read_results(stream: IO[bytes], results: "queue.SimpleQueue[Any]") -> None:
    """Hand each result the worker writes (its pickle's length, then the pickle) to
    `results`, and _STOPPED when its output ends."""
    try:
        while len(header := stream.read(8)) == 8:
            size = int.from_bytes(header, "little")
            payload = stream.read(size)
            if len(payload) < size:
                break  # cut short: the worker died writing it
            results.put(pickle.loads(payload))  # noqa: S301 - from our own worker
    except Exception as error:  # not expected; handed on, so the import cannot wait forever
        results.put(error)
    finally:
        results.put(_STOPPED)


def _python_path() -> list[str]:
    return [path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path]


def _widen_pipe(stream: IO[bytes]) -> None:
    """Let a pipe to or from the worker hold 1 MB (with Linux's 64 KB default, each batch
    crosses in several hundred reads). Elsewhere, or where refused, the default stays."""
    if hasattr(fcntl, "F_SETPIPE_SZ"):
        with suppress(OSError):
            fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)


def serve_parsing(requests: BinaryIO, results: BinaryIO) -> None:
    """The loop of a parsing worker process: parse each batch it reads, write it back.

    `requests` carries pickles: first (output_by_type, vendor), then one batch of records
    each. Each result goes to `results` as its pickle's length (8 bytes) and the pickle,
    so the importing process reads it in a few large reads. The loop ends when the
    importing process closes its end, or dies. Lines go back as plain tuples (see
    _lines_received): named ones take twice as long to unpickle. Python's cyclic collector
    stays off, as in the importing process (ingest._collector_paused): parsing makes no
    reference cycles.
    """
    gc.disable()
    output_by_type, vendor = pickle.load(requests)  # noqa: S301 - from the importing process
    while True:
        try:
            batch = pickle.load(requests)  # noqa: S301 - from the importing process
        except EOFError:
            return
        try:
            lines, rejections = parse_batch(batch, output_by_type, vendor)
            result: Any = ([tuple(line) for line in lines], rejections)
        except Exception as error:  # raised again in the importing process
            result = error
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        results.write(len(payload).to_bytes(8, "little"))
        results.write(payload)
        results.flush()


def _lines_received(rows: list[tuple[Any, ...]]) -> list[Line]:
    return list(map(Line._make, rows))
