"""Terminal output of `livret build`: live progress, then a summary table."""

from __future__ import annotations

import sys
import time
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from livret.pipeline.result import BookletResult, Status

_STATUS = {Status.BUILT: "construit", Status.UNCHANGED: "inchangé", Status.FAILED: "en erreur"}


class BuildProgress:
    """A progress bar on a terminal, one plain line per booklet otherwise."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.started = time.perf_counter()
        self.console = Console(stderr=True, highlight=False)
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def __enter__(self) -> BuildProgress:
        if self.enabled and self.console.is_terminal:
            self.bar = Progress(
                TextColumn("Livrets"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.bar.__enter__()
        return self

    def update(self, result: BookletResult, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            if self.task is None:
                self.task = self.bar.add_task("", total=total)
            self.bar.update(self.task, completed=done, description=result.slug)
        else:
            status = _STATUS[result.status]
            self.console.print(f"[{done}/{total}] {result.slug} : {status}", markup=False)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.__exit__(kind, error, trace)


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number <= 1 else many}"


def report_build(results: list[BookletResult], elapsed: float) -> None:
    out = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    for result in results:
        for line in result.errors + result.warnings:
            err.print(line, markup=False, soft_wrap=True)
    if sys.stdout.isatty():
        table = Table(title="Livrets", title_justify="left")
        table.add_column("dossier")
        table.add_column("état")
        table.add_column("publié dans")
        table.add_column("durée", justify="right")
        for r in results:
            duration = f"{r.seconds:.1f} s" if r.status is Status.BUILT else ""
            table.add_row(r.slug, _STATUS[r.status], r.site or "", duration)
        out.print(table)
    counts = {s: sum(1 for r in results if r.status == s) for s in _STATUS}
    out.print(
        f"{_count(counts[Status.BUILT], 'livret construit', 'livrets construits')}, "
        f"{_count(counts[Status.UNCHANGED], 'inchangé', 'inchangés')}, "
        f"{_count(counts[Status.FAILED], 'en erreur', 'en erreur')}, en {elapsed:.1f} s.",
        markup=False,
    )
    if counts[Status.BUILT]:
        out.print(
            "Phrases de passe : livret access DOSSIER (jamais affichées par build).", markup=False
        )
