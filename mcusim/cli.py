"""Command line: argument parsing and the choice of renderer; the work is elsewhere."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from mcusim import __version__
from mcusim.errors import EXIT_FIRMWARE_FAULT, EXIT_NEVER_EXITED, McusimError
from mcusim.result import STATUS_EXITED, STATUS_FAULT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mcusim",
        description="Instruction-set-accurate MCU simulator and profiler for inference firmware.",
    )
    parser.add_argument("--version", action="version", version=f"mcusim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run a firmware ELF on a board and report",
                              usage="mcusim run ELF --board BOARD [options] [-- ARG ...]",
                              description="Run a firmware ELF on a board: streams the firmware's "
                              "stdout, prints a summary on stderr, exits with the firmware's exit code.",
                              epilog="Arguments after -- are the firmware's argv (semihosting "
                              "SYS_GET_CMDLINE).")
    run.add_argument("elf", help="the firmware ELF file")
    run.add_argument("--board", required=True, help="board name (see `mcusim boards`) or a board .toml file")
    run.add_argument("--max-cycles", type=_positive_int, default=None,
                     help="stop a firmware that has not exited after this many cycles "
                     "(default 5,000,000,000)")
    run.add_argument("--json", type=Path, metavar="FILE", help="write the run result as JSON")
    run.add_argument("--semihost-dir", type=Path, metavar="DIR",
                     help="directory the firmware may open files in through semihosting "
                     "(without it, only stdin/stdout/stderr)")
    run.add_argument("--timing", choices=("fast", "accurate"), default="accurate",
                     help="accurate (default): static costs plus taken branches from block edges; "
                     "fast: static costs only (unconditional branches included)")
    run.add_argument("--quiet", action="store_true", help="no summary, only the firmware's output")

    boards = commands.add_parser("boards", help="list boards, or show one board's memory map")
    boards.add_argument("name", nargs="?", help="a board name or board file")

    inspect = commands.add_parser("inspect", help="static sizes, largest symbols and section placement")
    inspect.add_argument("elf", help="the firmware ELF file")
    inspect.add_argument("--board", help="board to place the sections on (name or .toml file)")
    inspect.add_argument("--top", type=_positive_int, default=10, help="how many symbols to list")
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""), 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be positive")
    return value


def _console(stderr: bool = False) -> Console:
    # Off a terminal rich assumes 80 columns, which folds the memory-map tables: give it room.
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, highlight=False, width=None if stream.isatty() else 120)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    firmware_args: list[str] = []
    if "--" in argv:  # everything after the first -- belongs to the firmware
        split = argv.index("--")
        argv, firmware_args = argv[:split], argv[split + 1:]
    args = _parser().parse_args(argv)
    args.args = firmware_args
    err = _console(stderr=True)
    try:
        if args.command == "run":
            return _run(args, err)
        if args.command == "boards":
            return _boards(args)
        if args.command == "inspect":
            return _inspect(args)
    except McusimError as e:
        err.print(f"mcusim: {e}", markup=False, highlight=False)
        return e.exit_code
    except KeyboardInterrupt:
        err.print("mcusim: interrupted")
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 141  # as a shell reports a process ended by SIGPIPE
    return 0


def _silence_stdout() -> None:
    """After the reader of stdout went away, point stdout at /dev/null so that Python's final
    flush does not print a BrokenPipeError of its own."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _run(args: argparse.Namespace, err: Console) -> int:
    from mcusim.board import load_board
    from mcusim.elf import Firmware
    from mcusim.machine import DEFAULT_MAX_CYCLES, Machine, RunOptions
    from mcusim.report.summary import fault_text, print_summary

    if args.semihost_dir is not None and not args.semihost_dir.is_dir():
        raise McusimError(f"--semihost-dir {args.semihost_dir} is not a directory.")
    board = load_board(args.board)
    firmware = Firmware.load(args.elf)
    options = RunOptions(max_cycles=args.max_cycles or DEFAULT_MAX_CYCLES,
                         semihost_dir=args.semihost_dir, argv=list(args.args), timing=args.timing)
    result = Machine(board, firmware, options).run()
    if args.json:
        try:
            result.save(args.json)
        except OSError as e:
            raise McusimError(f"cannot write --json {args.json}: {e.strerror}.") from None
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        result.diagnostics["stdout_closed"] = True
    if result.diagnostics.get("stdout_closed"):
        # The reader of the firmware's output went away (`| head`): what it printed was lost,
        # so this is not a success, whatever the firmware returned.
        _silence_stdout()
        return 141
    if not args.quiet:
        print_summary(result, err)
    if result.status == STATUS_EXITED:
        return result.exit_code
    err.print(fault_text(result), markup=False, highlight=False)
    return EXIT_FIRMWARE_FAULT if result.status == STATUS_FAULT else EXIT_NEVER_EXITED


def _boards(args: argparse.Namespace) -> int:
    from mcusim.board import load_all_boards, load_board
    from mcusim.report.boards import print_board, print_board_list

    out = _console()
    if args.name:
        print_board(load_board(args.name), out)
    else:
        print_board_list(load_all_boards(), out)
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from mcusim.board import load_board
    from mcusim.elf import Firmware
    from mcusim.report.inspect import print_inspect

    firmware = Firmware.load(args.elf)
    board = None
    if args.board:
        board = load_board(args.board)
        firmware.check_runs_on(board)
    print_inspect(firmware, board, _console(), top=args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
