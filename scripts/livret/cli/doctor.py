"""`livret doctor`: check that this machine can build booklets, and say what to install."""

from __future__ import annotations

import sys

import click

from livret.cli.base import LivretCommand
from livret.doctor import examine, healthy
from livret.errors import LivretError
from livret.project import Project, find_project


@click.command("doctor", cls=LivretCommand)
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Vérifie que cette machine peut construire les livrets (Python, WeasyPrint, polices…)."""
    # Runs outside a repository too: a fresh machine is checked before any dossier exists.
    project: Project | None = None
    racine = ctx.parent.params.get("racine") if ctx.parent else None
    try:
        project = find_project(racine)
    except LivretError:
        click.echo("Aucun dépôt livret ici : seule la machine est vérifiée.")
    findings = examine(project)
    for finding in findings:
        click.echo(finding.line())
    if not healthy(findings):
        click.echo("Il manque de quoi construire les livrets : suivez les indications ci-dessus.")
        sys.exit(1)
    click.echo("Tout est prêt pour construire les livrets.")
