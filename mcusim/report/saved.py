"""Reading a saved run result (`mcusim run --json FILE`) for `mcusim report` and `mcusim diff`:
every way the file can be wrong ends in one McusimError paragraph (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

from mcusim import __version__
from mcusim.errors import EXIT_BAD_INPUT, McusimError
from mcusim.result import SCHEMA_VERSION, RunResult

HOW = "Write one with `mcusim run ELF --board BOARD --json FILE`."


def load_result(path: Path) -> RunResult:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise McusimError(f"result file {path} does not exist. {HOW}", EXIT_BAD_INPUT) from None
    except IsADirectoryError:
        raise McusimError(f"result file {path} is a directory, not a run result JSON. {HOW}",
                          EXIT_BAD_INPUT) from None
    except UnicodeDecodeError:
        raise McusimError(f"{path} is not a mcusim run result: it is not text (UTF-8 JSON). {HOW}",
                          EXIT_BAD_INPUT) from None
    except OSError as e:
        raise McusimError(f"cannot read result file {path}: {e.strerror}.", EXIT_BAD_INPUT) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise McusimError(f"{path} is not a mcusim run result: it is not valid JSON ({e.msg} at line "
                          f"{e.lineno}, column {e.colno}). {HOW}", EXIT_BAD_INPUT) from None
    if not isinstance(data, dict) or "schema_version" not in data:
        raise McusimError(f"{path} is not a mcusim run result: it is JSON, but has no schema_version "
                          f"(a result is an object with schema_version, board, totals, cores, ...). {HOW}",
                          EXIT_BAD_INPUT)
    if data["schema_version"] != SCHEMA_VERSION:
        raise McusimError(f"{path} has schema_version {data['schema_version']!r}, and this mcusim "
                          f"({__version__}) reads schema_version {SCHEMA_VERSION}: re-run the firmware "
                          f"with this version to write a result it can read.", EXIT_BAD_INPUT)
    try:
        return RunResult.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        detail = f"missing key {e}" if isinstance(e, KeyError) else str(e)
        raise McusimError(f"{path} is not a valid mcusim run result (schema_version {SCHEMA_VERSION}): "
                          f"{detail}. {HOW}", EXIT_BAD_INPUT) from None
