"""`livret check`: report every problem a build would refuse, without building."""

from __future__ import annotations

import click

from livret.cli.base import STRICT, LivretCommand, pass_project
from livret.pipeline.check import check_project
from livret.pipeline.staged import dossiers_of_files
from livret.project import Project


@click.command("check", cls=LivretCommand)
@click.argument("slugs", nargs=-1, metavar="[DOSSIER]...")
@STRICT
@click.option(
    "--fichiers",
    "as_files",
    is_flag=True,
    help="Les arguments sont des chemins de fichiers (crochet pre-commit) : seuls les "
    "dossiers qui les contiennent sont vérifiés ; tous si mkdocs.yml, content/ ou "
    "theme/libelles.yml en font partie.",
)
@pass_project
def check(project: Project, slugs: tuple[str, ...], strict_mode: bool, as_files: bool) -> None:
    """Vérifie les dossiers (tous si aucun n'est nommé)."""
    names: list[str] | None = list(slugs) or None
    if as_files:
        names = dossiers_of_files(project, slugs)
        if names == []:
            click.echo("Aucun dossier concerné par ces fichiers.")
            return
    checked = check_project(project, names, strict_mode=strict_mode)
    for warning in checked.warnings:
        click.echo(str(warning), err=True)
    count = len(checked.dossiers)
    plural = "s" if count > 1 else ""
    if checked.warnings:
        notes = len(checked.warnings)
        click.echo(
            f"{count} dossier{plural} vérifié{plural} : aucune erreur, "
            f"{notes} avertissement{'s' if notes > 1 else ''}."
        )
    else:
        click.echo(f"{count} dossier{plural} vérifié{plural} : aucun problème.")
