"""The README's pasted run ("What a run shows") is what the command prints today: re-run as a
user runs it (a child process, from the checkout), it gives the same lines but for host time
and speed, which change from run to run."""

from __future__ import annotations

import re

from conftest import REPO, run_console

VARIES = ("host time ", "speed ")  # summary rows measured in host time


def _pasted_run() -> tuple[list[str], list[str]]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## What a run shows"):]
    block = re.search(r"```text\n\$ (mcusim run [^\n]+)\n(.*?)```", section, re.S)
    assert block, "no pasted run in the README"
    return block[1].split(), block[2].splitlines()


def _comparable(lines: list[str]) -> list[str]:
    return [line.rstrip() for line in lines if not line.strip().startswith(VARIES)]


def test_the_pasted_run_is_what_the_command_prints():
    command, pasted = _pasted_run()
    assert command[:2] == ["mcusim", "run"]
    r = run_console(*command[1:], cwd=REPO)
    assert r.rc == 0, r.err
    printed = (r.out + r.err).splitlines()
    assert _comparable(printed) == _comparable(pasted), \
        "the README's pasted run is stale: paste the command's output again (stdout, then stderr)"
    assert len(printed) == len(pasted)
