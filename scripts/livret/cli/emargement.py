"""`livret emargement`: a dossier's attendance sheet, to print and sign at each session."""

from __future__ import annotations

import click

from livret.cli.base import STRICT, LivretCommand, pass_project, tell
from livret.errors import display_path
from livret.project import Project


@click.command("emargement", cls=LivretCommand)
@click.argument("slug", metavar="DOSSIER")
@STRICT
@pass_project
def emargement(project: Project, slug: str, strict_mode: bool) -> None:
    """Écrit la feuille d'émargement du dossier (séances et cases de signature)."""
    # WeasyPrint loads only here: the other commands stay fast.
    from livret.pipeline.emargement import write_emargement

    notices: list[str] = []
    try:
        sheet = write_emargement(project, slug, strict_mode=strict_mode, notices=notices)
    finally:
        tell(notices)
    for warning in sheet.warnings:
        click.echo(str(warning), err=True)
    plural = "s" if sheet.sessions > 1 else ""
    click.echo(
        f"Feuille d'émargement écrite ({sheet.sessions} séance{plural}) : "
        f"{display_path(sheet.path, project.root)}"
    )
    click.echo(
        "Imprimez-la et faites signer chaque séance. Elle reste sur cet ordinateur : "
        "git l'ignore et elle n'est jamais publiée."
    )
