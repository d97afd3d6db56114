"""ARM semihosting (also the RISC-V semihosting ABI, which uses the same operations).

What newlib's rdimon needs: the standard streams, files confined to a directory the user names,
heap and stack information, clocks in simulated time, the command line, and exit with a code.
Calls are rare (one per printf flush), so this is plain Python.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol, TextIO

from mcusim.errors import McusimError

SYS_OPEN, SYS_CLOSE, SYS_WRITEC, SYS_WRITE0, SYS_WRITE, SYS_READ = 0x01, 0x02, 0x03, 0x04, 0x05, 0x06
SYS_READC, SYS_ISERROR, SYS_ISTTY, SYS_SEEK, SYS_FLEN, SYS_TMPNAM = 0x07, 0x08, 0x09, 0x0A, 0x0C, 0x0D
SYS_REMOVE, SYS_RENAME, SYS_CLOCK, SYS_TIME, SYS_SYSTEM, SYS_ERRNO = 0x0E, 0x0F, 0x10, 0x11, 0x12, 0x13
SYS_GET_CMDLINE, SYS_HEAPINFO, SYS_EXIT, SYS_EXIT_EXTENDED = 0x15, 0x16, 0x18, 0x20
SYS_ELAPSED, SYS_TICKFREQ = 0x30, 0x31

ADP_STOPPED_APPLICATION_EXIT = 0x20026
ADP_STOPPED_RUN_TIME_ERROR = 0x20023

# ":semihosting-features": magic "SHFB" and a byte of feature bits (EXIT_EXTENDED, STDOUT_STDERR)
FEATURES_FILE = ":semihosting-features"
FEATURES_DATA = b"SHFB\x03"

OPEN_MODES = ("rb", "rb", "r+b", "r+b", "wb", "wb", "w+b", "w+b", "ab", "ab", "a+b", "a+b")


class GuestMemory(Protocol):
    def read(self, address: int, size: int) -> bytes: ...
    def write(self, address: int, data: bytes) -> None: ...


@dataclass
class ExitRequest:
    code: int
    reason: int


class _Handle:
    def __init__(self, name: str, stream=None, data: bytes | None = None, kind: str = "file") -> None:
        self.name, self.stream, self.kind = name, stream, kind
        self.data, self.position = data, 0


class Semihosting:
    def __init__(self, *, host_dir: Path | None, argv: list[str], stdout: TextIO, stderr: TextIO,
                 cycles: Callable[[], int], clock_hz: int, heapinfo: tuple[int, int, int, int]) -> None:
        self.host_dir = host_dir.resolve() if host_dir else None
        self.argv = argv
        self.stdout, self.stderr = stdout, stderr
        self.cycles, self.clock_hz = cycles, clock_hz
        self.heapinfo = heapinfo
        self.captured_stdout: list[str] = []
        self.captured_stderr: list[str] = []
        self.closed_streams: set = set()
        self.handles: dict[int, _Handle] = {}
        self.next_handle = 1
        self.errno = 0
        self.exit: ExitRequest | None = None
        self.calls = 0

    # ---- dispatch -----------------------------------------------------------------------

    def call(self, op: int, param: int, memory: GuestMemory) -> int:
        self.calls += 1
        words = lambda n: [int.from_bytes(memory.read(param + 4 * i, 4), "little") for i in range(n)]
        if op == SYS_WRITEC:
            self._emit(self.stdout, self.captured_stdout, memory.read(param, 1))
            return 0
        if op == SYS_WRITE0:
            data = bytearray()
            while len(data) < 1 << 20:
                chunk = memory.read(param + len(data), 64)
                nul = chunk.find(0)
                data += chunk if nul < 0 else chunk[:nul]
                if nul >= 0:
                    break
            self._emit(self.stdout, self.captured_stdout, bytes(data))
            return 0
        if op == SYS_OPEN:
            name_ptr, mode, length = words(3)
            return self._open(memory.read(name_ptr, length).decode("utf-8", "replace"), mode)
        if op == SYS_CLOSE:
            handle = self.handles.pop(words(1)[0], None)
            if handle is None:
                return self._fail(errno.EBADF)
            if handle.kind == "file":
                handle.stream.close()
            return 0
        if op == SYS_WRITE:
            fd, buffer, length = words(3)
            return self._write(fd, memory.read(buffer, length))
        if op == SYS_READ:
            fd, buffer, length = words(3)
            return self._read(fd, buffer, length, memory)
        if op == SYS_READC:
            return -1 & 0xFFFFFFFF  # no interactive input
        if op == SYS_ISERROR:
            return 1 if _signed(words(1)[0]) < 0 else 0
        if op == SYS_ISTTY:
            handle = self.handles.get(words(1)[0])
            if handle is None:
                return self._fail(errno.EBADF, 0)
            return 1 if handle.kind == "tty" else 0
        if op == SYS_SEEK:
            fd, position = words(2)
            return self._seek(fd, position)
        if op == SYS_FLEN:
            return self._flen(words(1)[0])
        if op == SYS_CLOCK:
            return (self.cycles() * 100 // self.clock_hz) & 0xFFFFFFFF
        if op == SYS_TIME:
            # Simulated seconds since the run started: runs are deterministic.
            return (self.cycles() // self.clock_hz) & 0xFFFFFFFF
        if op == SYS_ERRNO:
            return self.errno
        if op == SYS_GET_CMDLINE:
            buffer, length = words(2)
            text = " ".join(_quoted(a) for a in self.argv).encode()
            if len(text) + 1 > length:
                raise McusimError(
                    f"the firmware's command line is {len(text)} bytes, but it reads it into a "
                    f"{length}-byte buffer (SYS_GET_CMDLINE): shorten the arguments after --."
                )
            text += b"\0"
            memory.write(buffer, text)
            memory.write(param + 4, (len(text) - 1).to_bytes(4, "little"))
            return 0
        if op == SYS_HEAPINFO:
            block = words(1)[0]
            memory.write(block, b"".join(v.to_bytes(4, "little") for v in self.heapinfo))
            return 0
        if op == SYS_EXIT:
            # 32-bit ABI: the parameter is the reason code itself.
            reason = param
            self.exit = ExitRequest(0 if reason == ADP_STOPPED_APPLICATION_EXIT else 1, reason)
            return 0
        if op == SYS_EXIT_EXTENDED:
            reason, code = words(2)
            if reason == ADP_STOPPED_APPLICATION_EXIT:
                self.exit = ExitRequest(_signed(code) & 0xFF, reason)
            else:
                self.exit = ExitRequest(1, reason)
            return 0
        if op == SYS_ELAPSED:
            memory.write(param, self.cycles().to_bytes(8, "little"))
            return 0
        if op == SYS_TICKFREQ:
            return self.clock_hz
        if op in (SYS_REMOVE, SYS_RENAME, SYS_TMPNAM, SYS_SYSTEM):
            return self._fail(errno.EPERM)
        return self._fail(errno.ENOSYS)

    # ---- helpers ------------------------------------------------------------------------

    def emit_stdout(self, data: bytes) -> None:
        """Firmware output that does not come through a semihosting call (a board's UART or
        virtual stdout register) joins the same stream and capture."""
        self._emit(self.stdout, self.captured_stdout, data)

    def _fail(self, code: int, value: int = -1) -> int:
        self.errno = code
        return value & 0xFFFFFFFF

    def _emit(self, stream: TextIO, capture: list[str], data: bytes) -> None:
        text = data.decode("utf-8", "replace")
        capture.append(text)
        if stream in self.closed_streams:
            return
        try:
            stream.write(text)
            stream.flush()
        except BrokenPipeError:
            # The reader went away (`mcusim run ... | head`): keep running and capturing, as
            # the run's result and exit code still matter; stop writing to that stream.
            self.closed_streams.add(stream)

    def _new_handle(self, handle: _Handle) -> int:
        number = self.next_handle
        self.next_handle += 1
        self.handles[number] = handle
        return number

    def _open(self, name: str, mode: int) -> int:
        if mode >= len(OPEN_MODES):
            return self._fail(errno.EINVAL)
        if name == ":tt":
            # newlib opens stdin with mode 0 (r), stdout with 4 (w) and stderr with 8 (a).
            stream = "stdin" if mode < 4 else "stdout" if mode < 8 else "stderr"
            return self._new_handle(_Handle(stream, kind="tty"))
        if name == FEATURES_FILE:
            return self._new_handle(_Handle(name, data=FEATURES_DATA, kind="memory"))
        path = self._confined(name)
        if path is None:
            return self._fail(errno.EACCES)
        try:
            stream = open(path, OPEN_MODES[mode])
        except OSError as e:
            return self._fail(e.errno or errno.EIO)
        return self._new_handle(_Handle(name, stream=stream))

    def _confined(self, name: str) -> Path | None:
        """The host path for a guest file name, or None if it is outside --semihost-dir."""
        if self.host_dir is None or not name or "\0" in name:
            return None
        candidate = (self.host_dir / name).resolve()
        if candidate != self.host_dir and self.host_dir not in candidate.parents:
            return None
        return candidate

    def _write(self, fd: int, data: bytes) -> int:
        handle = self.handles.get(fd)
        if handle is None:
            self._fail(errno.EBADF)
            return len(data)
        if handle.kind == "tty":
            if handle.name == "stderr":
                self._emit(self.stderr, self.captured_stderr, data)
            else:
                self._emit(self.stdout, self.captured_stdout, data)
            return 0
        if handle.kind == "memory":
            self._fail(errno.EBADF)
            return len(data)
        try:
            handle.stream.write(data)
        except OSError as e:
            self._fail(e.errno or errno.EIO)
            return len(data)
        return 0

    def _read(self, fd: int, buffer: int, length: int, memory: GuestMemory) -> int:
        handle = self.handles.get(fd)
        if handle is None:
            self._fail(errno.EBADF)
            return length
        if handle.kind == "tty":
            return length  # no input on stdin: end of file
        if handle.kind == "memory":
            data = handle.data[handle.position:handle.position + length]
            handle.position += len(data)
        else:
            try:
                data = handle.stream.read(length)
            except OSError as e:
                self._fail(e.errno or errno.EIO)
                return length
        memory.write(buffer, data)
        return length - len(data)

    def _seek(self, fd: int, position: int) -> int:
        handle = self.handles.get(fd)
        if handle is None or handle.kind == "tty":
            return self._fail(errno.EBADF)
        if handle.kind == "memory":
            handle.position = position
            return 0
        handle.stream.seek(position)
        return 0

    def _flen(self, fd: int) -> int:
        handle = self.handles.get(fd)
        if handle is None or handle.kind == "tty":
            return self._fail(errno.EBADF)
        if handle.kind == "memory":
            return len(handle.data)
        handle.stream.flush()
        return os.fstat(handle.stream.fileno()).st_size

    def close_all(self) -> None:
        for handle in self.handles.values():
            if handle.kind == "file":
                handle.stream.close()
        self.handles.clear()

    @property
    def stdout_text(self) -> str:
        return "".join(self.captured_stdout)

    @property
    def stderr_text(self) -> str:
        return "".join(self.captured_stderr)


def _quoted(argument: str) -> str:
    """An argument as newlib's crt0 splits the command line: at blanks, where an argument that
    starts with a quote runs to the matching quote (a quote inside a word is an ordinary
    character)."""
    if argument and not any(c.isspace() for c in argument) and argument[0] not in "\"'":
        return argument
    for quote in "\"'":
        if quote not in argument:
            return f"{quote}{argument}{quote}"
    raise McusimError(
        f"firmware argument {argument!r} holds blanks or a leading quote and both quote "
        "characters: newlib's command-line parsing cannot pass it through. Change the argument."
    )


def _signed(value: int) -> int:
    return value - (1 << 32) if value & 0x80000000 else value
