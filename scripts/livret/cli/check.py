"""`livret check`: report every problem a build would refuse, without building."""

from __future__ import annotations

import click

from livret.cli.base import STRICT, LivretCommand, pass_project
from livret.pipeline.check import check_project
from livret.project import Project


@click.command("check", cls=LivretCommand)
@click.argument("slugs", nargs=-1, metavar="[DOSSIER]...")
@STRICT
@pass_project
def check(project: Project, slugs: tuple[str, ...], strict_mode: bool) -> None:
    """Vérifie les dossiers (tous si aucun n'est nommé)."""
    checked = check_project(project, list(slugs) or None, strict_mode=strict_mode)
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
