"""What `mcusim run` prints on stderr after a run and `mcusim report` prints from the saved JSON:
one function, so that the two cannot drift.

Order: the run summary; for multi-core boards the per-core activity and DMA tables; the per-layer table (or, for firmware without layer markers, the
per-function table and a hint about firmware/include/mcusim.h); the per-function table too when
asked; the memory report; and last, for a run that did not exit, the one-paragraph fault report.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from mcusim.report.cores import core_table, dma_table
from mcusim.report.functions import DEFAULT_TOP, function_table
from mcusim.report.layers import NO_MARKERS_HINT, NO_PROFILE_HINT, layer_tables
from mcusim.report.memory import memory_renderables
from mcusim.report.summary import fault_text, summary_table
from mcusim.result import STATUS_EXITED, RunResult


def print_report(result: RunResult, console: Console, top: int = DEFAULT_TOP,
                 functions: bool = False) -> None:
    console.print(summary_table(result))
    for table in (core_table(result), dma_table(result)):
        if table is not None:
            console.print(table)
    layers = layer_tables(result, console.width)
    for table in layers:
        console.print(table)
    if not layers or functions:
        table = function_table(result, top)
        if table is not None:
            console.print(table)
        if result.profile == "off":
            console.print(Text(NO_PROFILE_HINT, style="dim"))
        elif not layers:
            console.print(Text(NO_MARKERS_HINT, style="dim"))
    for renderable in memory_renderables(result):
        console.print(renderable)
    if result.status != STATUS_EXITED:
        console.print(fault_text(result), markup=False, highlight=False)
