"""Command line: argument parsing and the choice of renderer; the work is elsewhere."""

from __future__ import annotations

import argparse
import contextlib
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
    run.add_argument("--quiet", action="store_true",
                     help="no summary, tables or progress line, only the firmware's output")
    run.add_argument("--no-profile", dest="profile", action="store_false",
                     help="cycles, layers and the memory report only: no per-function profile "
                     "(call tracking) and no per-layer memory figures; faster")
    _add_render_options(run)
    _add_export_options(run)

    report = commands.add_parser(
        "report", help="show a saved run result (--json) again, and export it",
        usage="mcusim report RESULT.json [--top N] [--functions] [--csv DIR] [--trace FILE] [--flame FILE]",
        description="Print what `mcusim run` printed on stderr for this result (summary, layer, "
        "function and memory tables), on stdout; optionally write the exports.")
    report.add_argument("result", type=Path, help="a result written by `mcusim run --json FILE`")
    _add_render_options(report)
    _add_export_options(report)

    diff = commands.add_parser(
        "diff", help="compare two saved run results; exit 1 when a layer or the total slowed down",
        usage="mcusim diff BASE.json NEW.json [--threshold PCT]",
        description="Cycles per layer and in total, per-function self cycles and memory peaks of "
        "two runs. Exits 1 when the total or any layer is slower by more than the threshold, 0 "
        "otherwise, 2 on bad input.")
    diff.add_argument("base", type=Path, help="the baseline result JSON")
    diff.add_argument("new", type=Path, help="the result JSON to check against it")
    diff.add_argument("--threshold", type=_percent, default=5.0, metavar="PCT",
                      help="allowed slow-down in percent, e.g. 5%% or 0.5 (default 5%%)")

    boards = commands.add_parser("boards", help="list boards, or show one board's memory map")
    boards.add_argument("name", nargs="?", help="a board name or board file")

    inspect = commands.add_parser("inspect", help="static sizes, largest symbols and section placement")
    inspect.add_argument("elf", help="the firmware ELF file")
    inspect.add_argument("--board", help="board to place the sections on (name or .toml file)")
    inspect.add_argument("--top", type=_positive_int, default=10, help="how many symbols to list")
    return parser


def _add_render_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--top", type=_positive_int, default=10, metavar="N",
                        help="functions to list in the function table (default 10)")
    parser.add_argument("--functions", action="store_true",
                        help="show the function table also when the firmware marks layers")


def _add_export_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--csv", type=Path, metavar="DIR",
                        help="write layers.csv, functions.csv and memory.csv into DIR (created if needed)")
    parser.add_argument("--trace", type=Path, metavar="FILE",
                        help="write a Chrome trace event JSON (Perfetto, chrome://tracing): one track "
                        "per core, layers as slices")
    parser.add_argument("--flame", type=Path, metavar="FILE",
                        help="write collapsed stacks weighted by cycles (speedscope, flamegraph.pl)")


def _percent(text: str) -> float:
    try:
        value = float(text.strip().removesuffix("%").strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a percentage (e.g. 5%% or 2.5)") from None
    if value < 0 or value != value:
        raise argparse.ArgumentTypeError(f"'{text}' must be zero or more")
    return value


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
        if args.command == "report":
            return _report(args)
        if args.command == "diff":
            return _diff(args)
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
    from mcusim.report.progress import StatusLine, wants_progress
    from mcusim.report.terminal import print_report

    if args.semihost_dir is not None and not args.semihost_dir.is_dir():
        raise McusimError(f"--semihost-dir {args.semihost_dir} is not a directory.")
    board = load_board(args.board)
    firmware = Firmware.load(args.elf)
    # On a terminal, a live status line on stderr (erased before the firmware writes to stdout).
    status = StatusLine(sys.stderr) if wants_progress(sys.stderr, args.quiet) else None
    options = RunOptions(max_cycles=args.max_cycles or DEFAULT_MAX_CYCLES,
                         semihost_dir=args.semihost_dir, argv=list(args.args), timing=args.timing,
                         profile=args.profile,
                         stdout=status.stream(sys.stdout) if status else sys.stdout,
                         progress=status.update if status else None)
    machine = Machine(board, firmware, options)
    with status or contextlib.nullcontext():
        result = machine.run()
    if args.json:
        try:
            result.save(args.json)
        except OSError as e:
            raise McusimError(f"cannot write --json {args.json}: {e.strerror}.") from None
    _export(result, args)
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
        print_report(result, err, top=args.top, functions=args.functions)
    if result.status == STATUS_EXITED:
        return result.exit_code
    if args.quiet:
        from mcusim.report.summary import fault_text

        err.print(fault_text(result), markup=False, highlight=False)
    return EXIT_FIRMWARE_FAULT if result.status == STATUS_FAULT else EXIT_NEVER_EXITED


def _export(result, args: argparse.Namespace) -> None:
    """--csv, --trace, --flame: every export renders from the RunResult only."""
    from mcusim.report.chrome_trace import write_trace
    from mcusim.report.csv_tables import write_csv
    from mcusim.report.flame import write_flame

    for option, target, write in (("--csv", args.csv, write_csv), ("--trace", args.trace, write_trace),
                                  ("--flame", args.flame, write_flame)):
        if target is None:
            continue
        try:
            write(result, target)
        except OSError as e:
            raise McusimError(f"cannot write {option} {target}: {e.strerror or e}.") from None


def _report(args: argparse.Namespace) -> int:
    from mcusim.report.saved import load_result
    from mcusim.report.terminal import print_report

    result = load_result(args.result)
    _export(result, args)
    print_report(result, _console(), top=args.top, functions=args.functions)
    return 0


def _diff(args: argparse.Namespace) -> int:
    from mcusim.report.diff import EXIT_REGRESSION, diff_results, print_diff
    from mcusim.report.saved import load_result

    base, new = load_result(args.base), load_result(args.new)
    d = diff_results(base, new, args.threshold)
    print_diff(d, str(args.base), str(args.new), _console())
    return EXIT_REGRESSION if d.regressions else 0


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
