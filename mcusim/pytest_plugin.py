"""pytest plugin: run firmware under mcusim in a test and hold its cycles to a reviewed baseline.

Registered through the ``pytest11`` entry point, so it is active wherever mcusim is installed:

    from mcusim.pytest_plugin import assert_cycles

    def test_kws_m4(mcusim_run):
        result = mcusim_run("kws_dscnn-nucleo-l4r5zi.elf", board="nucleo-l4r5zi")
        assert result.exit_code == 0
        assert result.layers["conv1"].cycles < 2_000_000
        assert_cycles(result, baseline="kws_m4")   # tests/baselines/kws_m4.json

Fixtures: ``mcusim_run`` (run an ELF, get the RunResult) and ``mcusim_baseline`` (assert_cycles
bound to the requesting test). Option: ``--mcusim-update-baselines`` writes or rewrites the
baselines of the tests that ran instead of comparing. Ini option: ``mcusim_baselines_dir`` (the
directory beside each test file that holds its baselines, default ``baselines``).

A baseline is a small JSON object of the compared numbers only, one per line with sorted keys, so
a timing change shows up as a reviewable diff:

    {
      "layers.conv1.cycles": 1759777,
      "memory.SRAM1.peak_bytes": 17698,
      "totals.cycles": 12839014,
      "totals.instructions": 8391211
    }

The simulator is deterministic, so comparison is exact unless ``rel=``/``abs=`` allow more.
Nothing is shared between processes: under pytest-xdist every worker reads and writes only the
baselines of the tests it runs (written atomically), and the controller reports what was written.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import pytest

from mcusim.result import RunResult

if TYPE_CHECKING:  # the engine loads only when a test runs firmware
    from mcusim.board import Board
    from mcusim.elf import Firmware

UPDATE_OPTION = "--mcusim-update-baselines"
SECTIONS = ("totals", "layers", "memory")
TOTALS = ("cycles", "instructions")
_PROPERTY = "mcusim_baseline"  # user_properties key: travels from xdist workers to the controller
_NAME_OK = re.compile(r"[^A-Za-z0-9_.\-]+")


class CycleRegression(AssertionError):
    """A result differs from its baseline by more than the tolerance (or has no baseline)."""


# --------------------------------------------------------------------------- the numbers compared

def baseline_metrics(result: RunResult, compare: Iterable[str] = SECTIONS) -> dict[str, int]:
    """The numbers a baseline holds for this result: ``totals.cycles``/``totals.instructions``,
    ``layers.<name>.cycles`` per layer name (RunResult.layers[name].cycles: summed on a core, the
    slowest core's over cores) and ``memory.<region>.peak_bytes`` per memory region."""
    compare = tuple(compare)
    unknown = set(compare) - set(SECTIONS)
    if unknown:
        raise ValueError(f"compare: unknown section(s) {sorted(unknown)}; choose from {SECTIONS}")
    out: dict[str, int] = {}
    if "totals" in compare:
        for key in TOTALS:
            out[f"totals.{key}"] = int(getattr(result.totals, key))
    if "layers" in compare:
        for name in result.layers.names():
            out[f"layers.{name}.cycles"] = int(result.layers[name].cycles)
    if "memory" in compare:
        for region in result.memory.regions:
            out[f"memory.{region.name}.peak_bytes"] = int(region.peak_bytes)
    return out


def dump_baseline(metrics: dict[str, int]) -> str:
    return json.dumps(dict(sorted(metrics.items())), indent=2) + "\n"


def load_baseline(path: Path) -> dict[str, int]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise CycleRegression(f"mcusim: baseline {path} is not valid JSON ({e}); rewrite it with "
                              f"`pytest {UPDATE_OPTION}`") from None
    if not isinstance(data, dict) or not all(isinstance(v, (int, float)) for v in data.values()):
        raise CycleRegression(f"mcusim: baseline {path} is not an object of metric -> number; "
                              f"rewrite it with `pytest {UPDATE_OPTION}`")
    return data


# --------------------------------------------------------------------------- comparison

@dataclass
class MetricChange:
    metric: str
    baseline: int | float | None  # None: the metric is new (not in the baseline)
    now: int | float | None  # None: the metric is gone (the run did not produce it)
    allowed: float  # largest |delta| within tolerance

    @property
    def delta(self) -> int | float | None:
        if self.baseline is None or self.now is None:
            return None
        return self.now - self.baseline

    @property
    def delta_pct(self) -> float | None:
        if self.delta is None or not self.baseline:
            return None
        return 100.0 * self.delta / builtins.abs(self.baseline)

    @property
    def moved(self) -> bool:
        return self.delta != 0

    @property
    def ok(self) -> bool:
        return self.delta is not None and builtins.abs(self.delta) <= self.allowed

    @property
    def layer(self) -> str | None:
        if self.metric.startswith("layers.") and self.metric.endswith(".cycles"):
            return self.metric[len("layers."):-len(".cycles")]
        return None


@dataclass
class BaselineComparison:
    """What assert_cycles compared: every metric with its baseline and current value."""

    path: Path
    rel: float
    abs: float
    changes: list[MetricChange] = field(default_factory=list)
    action: str = "compared"  # or, with --mcusim-update-baselines: written, updated, unchanged

    @property
    def moved(self) -> list[MetricChange]:
        return [c for c in self.changes if c.moved]

    @property
    def failed(self) -> list[MetricChange]:
        return [c for c in self.changes if not c.ok]

    @property
    def ok(self) -> bool:
        return not self.failed

    def tolerance_text(self) -> str:
        if not self.rel and not self.abs:
            return "exact comparison"
        parts = ([f"rel={self.rel:g}"] if self.rel else []) + ([f"abs={self.abs:g}"] if self.abs else [])
        return "tolerance " + ", ".join(parts)

    def report(self) -> str:
        """The failure message: a header, the table of what moved, and how to accept it."""
        failed = self.failed
        slowed = [c for c in sorted(failed, key=lambda c: -builtins.abs(c.delta_pct or float("inf")))
                  if c.layer is not None]
        beyond = (f"{len(failed)} of {len(self.changes)} metrics moved beyond the tolerance "
                  f"({self.tolerance_text()})")
        if slowed:  # the first line names the layers (pytest's short summary shows only it)
            names = ", ".join(f"{c.layer} ({_pct(c.delta_pct)})" for c in slowed)
            lines = [f"mcusim: layer{'s' if len(slowed) > 1 else ''} {names} moved against baseline "
                     f"{_display(self.path)}; {beyond}"]
        else:
            lines = [f"mcusim: {beyond} against baseline {_display(self.path)}"]
        lines.append("")
        lines.extend(_table(self.moved or failed))
        lines.append("")
        lines.append(f"If the change is intended, rewrite the baseline with `pytest {UPDATE_OPTION}` "
                     f"and review the diff of {_display(self.path)}.")
        return "\n".join(lines)


def compare_metrics(now: dict[str, int], baseline: dict[str, int | float], *, rel: float = 0.0,
                    abs: float = 0, path: Path = Path("<baseline>"),
                    order: Sequence[str] = ()) -> BaselineComparison:
    """Every metric of either side, in ``order`` (then sorted), with its allowed |delta|:
    max(abs, rel * |baseline|) as pytest.approx has it."""
    if rel < 0 or abs < 0:
        raise ValueError("rel and abs must not be negative")
    keys = list(dict.fromkeys([*(k for k in order if k in now or k in baseline),
                               *sorted(set(now) | set(baseline), key=_section_key)]))
    changes = []
    for key in keys:
        base = baseline.get(key)
        allowed = builtins.max(abs, rel * builtins.abs(base)) if base is not None else 0
        changes.append(MetricChange(key, base, now.get(key), allowed))
    return BaselineComparison(Path(path), rel, abs, changes)


def _section_key(metric: str) -> tuple[int, str]:
    section = metric.split(".", 1)[0]
    return (SECTIONS.index(section) if section in SECTIONS else len(SECTIONS), metric)


def _fmt(value: int | float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,}" if isinstance(value, int) or float(value).is_integer() else f"{value:,.6g}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.2f}%"


def _table(changes: list[MetricChange]) -> list[str]:
    header = ("metric", "baseline", "now", "delta", "delta %", "tolerance", "")
    rows = [header]
    for c in changes:
        delta = "new" if c.baseline is None else "gone" if c.now is None else (
            ("+" if c.delta > 0 else "") + _fmt(c.delta))
        tol = "exact" if not c.allowed else f"±{_fmt(round(c.allowed, 6))}"
        rows.append((c.metric, _fmt(c.baseline), _fmt(c.now), delta, _pct(c.delta_pct), tol,
                     "ok" if c.ok else "FAIL"))
    widths = [builtins.max(len(r[i]) for r in rows) for i in range(len(header))]
    out = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [row[i].rjust(widths[i]) for i in range(1, len(row) - 1)]
        out.append("  ".join([*cells, row[-1]]).rstrip())
    return out


def _display(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- the current test

_current: list[pytest.Item] = []  # the test running in this process (a stack: pytester nests)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    _current.append(item)
    try:
        yield
    finally:
        _current.remove(item)


def _baseline_path(item: pytest.Item, baseline: str | os.PathLike | None) -> Path:
    folder = Path(str(item.path)).parent
    if baseline is None:  # one baseline per test: its name, parameters included
        baseline = item.name
    text = os.fspath(baseline)
    if text.endswith(".json") or os.sep in text or "/" in text:  # a path of the test's choosing
        path = Path(text)
        return path if path.is_absolute() else folder / path
    name = _NAME_OK.sub("_", text).strip("._") or "baseline"
    return folder / (item.config.getini("mcusim_baselines_dir") or "baselines") / f"{name}.json"


def _write_baseline(path: Path, text: str) -> str:
    """Write atomically (concurrent identical writes are safe); say what happened."""
    old = path.read_text(encoding="utf-8") if path.is_file() else None
    if old == text:
        return "unchanged"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return "written" if old is None else "updated"


def _check(item: pytest.Item | None, result: RunResult, baseline: str | os.PathLike | None, *,
           rel: float, abs: float, compare: Iterable[str]) -> BaselineComparison:
    __tracebackhide__ = True
    if not isinstance(result, RunResult):
        raise TypeError(f"assert_cycles wants a RunResult, not {type(result).__name__}")
    compare = tuple(compare)
    now = baseline_metrics(result, compare)
    order = list(now)  # the table follows the run: totals, layers as they ran, memory regions
    if item is None:
        if baseline is None:
            raise RuntimeError("assert_cycles outside a pytest test needs baseline=<path to a .json file>")
        path, update = Path(baseline), False
    else:
        path = _baseline_path(item, baseline)
        update = bool(item.config.getoption("mcusim_update_baselines"))
    if update:
        owners = item.config.stash.setdefault(_owners_key, {})
        previous = owners.get(path)
        if previous is not None and previous[0] != item.nodeid and previous[1] != now:
            raise CycleRegression(f"mcusim: baseline {_display(path)} was already written by "
                                  f"{previous[0]} in this session with other numbers: give each "
                                  "test its own baseline name")
        owners[path] = (item.nodeid, now)
        old = _read_quietly(path)
        comparison = compare_metrics(now, old or {}, rel=rel, abs=abs, path=path, order=order)
        comparison.action = _write_baseline(path, dump_baseline(now))
        item.user_properties.append((_PROPERTY, f"{comparison.action} {_display(path)}"))
        return comparison
    if not path.is_file():
        raise CycleRegression(f"mcusim: no baseline {_display(path)}; create it with "
                              f"`pytest {UPDATE_OPTION}` and commit it")
    stored = load_baseline(path)
    # a baseline holds only the sections it was written with: compare those
    stored = {k: v for k, v in stored.items() if k.split(".", 1)[0] in compare}
    comparison = compare_metrics(now, stored, rel=rel, abs=abs, path=path, order=order)
    if not comparison.ok:
        raise CycleRegression(comparison.report())
    return comparison


def _read_quietly(path: Path) -> dict[str, int] | None:
    try:
        return load_baseline(path) if path.is_file() else None
    except CycleRegression:
        return None


_owners_key = pytest.StashKey[dict]()


def assert_cycles(result: RunResult, baseline: str | os.PathLike | None = None, *, rel: float = 0.0,
                  abs: float = 0, compare: Iterable[str] = SECTIONS) -> BaselineComparison:
    """Assert that ``result`` matches its baseline: totals (cycles, instructions), every layer's
    cycles and every memory region's peak bytes.

    ``baseline`` is a name (``<test dir>/baselines/<name>.json``; default: the test's name with
    its parameters), or a path ending in ``.json`` (relative to the test file's directory).
    Exact by default; a metric passes when |now - baseline| <= max(abs, rel * |baseline|).
    ``compare`` picks the sections ("totals", "layers", "memory"). With
    ``--mcusim-update-baselines`` the baseline is written instead (only if its numbers changed).
    Raises CycleRegression (an AssertionError) with a table of what moved; returns the
    BaselineComparison otherwise.
    """
    __tracebackhide__ = True
    return _check(_current[-1] if _current else None, result, baseline, rel=rel, abs=abs,
                  compare=compare)


# --------------------------------------------------------------------------- fixtures

class McusimRunner:
    """The ``mcusim_run`` fixture: ``mcusim_run(elf, board, **options) -> RunResult``."""

    def __init__(self, item: pytest.Item) -> None:
        self._item = item

    def resolve(self, elf: str | os.PathLike) -> Path:
        """An ELF path: absolute, or relative to the current directory, the test file's
        directory or the rootdir (the first that exists)."""
        path = Path(elf)
        if path.is_absolute():
            return path
        for base in (Path.cwd(), Path(str(self._item.path)).parent, Path(str(self._item.config.rootpath))):
            if (base / path).is_file():
                return base / path
        return path

    def __call__(self, elf: str | os.PathLike | "Firmware", board: str | os.PathLike | "Board", *,
                 max_cycles: int | None = None, timing: str = "accurate",
                 argv: Sequence[object] = (), semihost_dir: str | os.PathLike | None = None,
                 quantum_cycles: int | None = None, echo: bool = True, profile: bool = True) -> RunResult:
        """Run ``elf`` on ``board`` (a built-in name, a board .toml path, or a Board) and return
        the RunResult. ``argv`` is the firmware's argv[1:]; the firmware's stdout and stderr are
        echoed to the test's (captured) streams unless ``echo=False``, and are in the result.
        ``profile=False`` is ``mcusim run --no-profile``: the same cycles, no functions."""
        __tracebackhide__ = True
        from mcusim.board import Board, load_board
        from mcusim.elf import Firmware
        from mcusim.errors import McusimError
        from mcusim.machine import Machine, RunOptions

        options: dict[str, Any] = {"timing": timing, "argv": [str(a) for a in argv], "profile": profile}
        if max_cycles is not None:
            options["max_cycles"] = int(max_cycles)
        if semihost_dir is not None:
            options["semihost_dir"] = Path(semihost_dir)
        if quantum_cycles is not None:
            options["quantum_cycles"] = int(quantum_cycles)
        if not echo:
            options["stdout"], options["stderr"] = io.StringIO(), io.StringIO()
        else:
            options["stdout"], options["stderr"] = sys.stdout, sys.stderr
        try:
            board_ = board if isinstance(board, Board) else load_board(os.fspath(board))
            firmware = elf if isinstance(elf, Firmware) else Firmware.load(self.resolve(elf))
            machine = Machine(board_, firmware, RunOptions(**options))
        except McusimError as e:  # a bad ELF or board: the CLI's one-line message, no traceback
            error = f"mcusim: {e}"
        else:
            return machine.run()
        pytest.fail(error, pytrace=False)


@pytest.fixture
def mcusim_run(request: pytest.FixtureRequest) -> McusimRunner:
    """Run firmware under mcusim: ``mcusim_run(elf, board, max_cycles=, timing=, argv=,
    semihost_dir=, echo=)`` returns the RunResult (``result.total.cycles``,
    ``result.layers["conv1"].cycles``, ``result.functions["dot"].self_cycles``,
    ``result.memory.peak("SRAM1")``)."""
    return McusimRunner(request.node)


@pytest.fixture
def mcusim_baseline(request: pytest.FixtureRequest) -> Callable[..., BaselineComparison]:
    """assert_cycles bound to this test: ``mcusim_baseline(result, "kws_m4", rel=0.01)``."""
    item = request.node

    def check(result: RunResult, baseline: str | os.PathLike | None = None, *, rel: float = 0.0,
              abs: float = 0, compare: Iterable[str] = SECTIONS) -> BaselineComparison:
        __tracebackhide__ = True
        return _check(item, result, baseline, rel=rel, abs=abs, compare=compare)

    return check


# --------------------------------------------------------------------------- options and summary

def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mcusim", "mcusim cycle baselines")
    group.addoption(UPDATE_OPTION, action="store_true", dest="mcusim_update_baselines", default=False,
                    help="write or rewrite the cycle baselines of the tests that run (assert_cycles, "
                         "mcusim_baseline) instead of comparing against them")
    parser.addini("mcusim_baselines_dir", default="baselines",
                  help="directory beside each test file that holds its mcusim baselines")


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_BaselineSummary(config), "mcusim-baseline-summary")


class _BaselineSummary:
    """Collects what assert_cycles wrote, from this process's tests or, under pytest-xdist, from
    the workers' reports (user_properties travel with them), and lists it at the end."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.entries: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call":
            self.entries.extend(v for k, v in report.user_properties if k == _PROPERTY)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not self.config.getoption("mcusim_update_baselines"):
            return
        terminalreporter.section("mcusim baselines")
        if not self.entries:
            terminalreporter.write_line("no test wrote a baseline")
            return
        counts: dict[str, int] = {}
        for entry in self.entries:
            action = entry.split(" ", 1)[0]
            counts[action] = counts.get(action, 0) + 1
        for entry in sorted(set(self.entries)):
            if not entry.startswith("unchanged "):
                terminalreporter.write_line(entry)
        terminalreporter.write_line(", ".join(f"{n} {a}" for a, n in sorted(counts.items())))
