"""Terminal output of `livret build`: a table on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table

from livret.build import BookletResult

_STATUS = {"built": "construit", "unchanged": "inchangé", "failed": "en erreur"}


def report_build(results: list[BookletResult]) -> None:
    out = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    for result in results:
        for line in result.errors:
            err.print(line, markup=False, soft_wrap=True)
    if sys.stdout.isatty():
        table = Table(title="Livrets", title_justify="left")
        table.add_column("dossier")
        table.add_column("état")
        table.add_column("publié dans")
        table.add_column("durée", justify="right")
        for r in results:
            table.add_row(r.slug, _STATUS[r.status], r.site or "", f"{r.seconds:.1f} s")
        out.print(table)
    else:
        for r in results:
            out.print(f"{r.slug}: {_STATUS[r.status]} {r.site or ''}".rstrip(), markup=False)
    counts = {s: sum(1 for r in results if r.status == s) for s in _STATUS}
    out.print(
        f"{counts['built']} construit(s), {counts['unchanged']} inchangé(s), "
        f"{counts['failed']} en erreur.",
        markup=False,
    )
    if counts["built"]:
        out.print(
            "Phrases de passe : livret access SLUG (jamais affichées par build).", markup=False
        )
