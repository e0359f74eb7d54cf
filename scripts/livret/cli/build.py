"""`livret build`: build the booklets, show progress and a summary, or a JSON manifest."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from livret.cli import clifr
from livret.cli.base import STRICT, LivretCommand, pass_project, tell
from livret.errors import LivretError
from livret.pipeline.result import Status
from livret.project import Project


@click.command("build", cls=LivretCommand)
@click.argument("slugs", nargs=-1, metavar="[DOSSIER]...")
@click.option("--all", "tous", is_flag=True, help="Tous les dossiers (par défaut sans DOSSIER).")
@click.option("--json", "as_json", is_flag=True, help="Affiche le manifeste JSON.")
@click.option(
    "--jobs",
    "-j",
    type=clifr.Plage(min=1),
    default=None,
    metavar="N",
    help="Processus en parallèle (par défaut : nombre de cœurs).",
)
@click.option("--force", is_flag=True, help="Reconstruit aussi les livrets inchangés.")
@click.option("--shard", default=None, metavar="K/N", help="Construit la K-ième tranche sur N.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="CHEMIN",
    help="Dossier de publication (par défaut : site/).",
)
@STRICT
@pass_project
def build(
    project: Project,
    slugs: tuple[str, ...],
    tous: bool,
    as_json: bool,
    jobs: int | None,
    force: bool,
    shard: str | None,
    out: Path | None,
    strict_mode: bool,
) -> None:
    """Construit les livrets chiffrés (site et PDF) dans site/."""
    # Imported here: MkDocs and WeasyPrint are heavy, and `check` does not need them.
    from livret.cli.output import BuildProgress, report_build
    from livret.pipeline.batch import Shard, build_all

    # Not resolved here: the library refuses a symbolic link on the way, so it must see it.
    target = out or project.default_out
    notices: list[str] = []
    try:
        with BuildProgress(enabled=not as_json) as progress:
            results = build_all(
                project,
                None if tous or not slugs else list(slugs),
                target,
                jobs=jobs or os.cpu_count() or 1,
                force=force,
                shard=Shard.parse(shard) if shard else None,
                progress=progress.update,
                strict_mode=strict_mode,
                notices=notices,
            )
    except LivretError as error:
        if as_json:  # scripts still get a manifest: nothing was built
            click.echo(json.dumps({"booklets": [], "error": str(error)}, ensure_ascii=False))
        raise
    finally:
        tell(notices)
    if as_json:
        for result in results:
            for line in result.errors + result.warnings:
                click.echo(line, err=True)
        click.echo(json.dumps({"booklets": [r.as_json() for r in results]}, ensure_ascii=False))
    else:
        report_build(results, progress.elapsed)
    if any(r.status is Status.FAILED for r in results):
        sys.exit(1)
