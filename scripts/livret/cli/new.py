"""`livret new`: a dossier from the commented template."""

from __future__ import annotations

import click

from livret.cli.base import LivretCommand, pass_project
from livret.dossier.create import new_dossier
from livret.project import Project


@click.command("new", cls=LivretCommand)
@click.argument("slug", metavar="DOSSIER")
@click.option(
    "--prenom", default="Prénom", metavar="PRÉNOM", help="Prénom du ou de la bénéficiaire."
)
@click.option("--nom", default="Nom", metavar="NOM", help="Nom du ou de la bénéficiaire.")
@pass_project
def new(project: Project, slug: str, prenom: str, nom: str) -> None:
    """Crée dossiers/DOSSIER/ à partir du modèle commenté."""
    folder = new_dossier(project, slug, prenom, nom)
    shown = folder.relative_to(project.root).as_posix()
    click.echo(f"Dossier créé : {shown}/")
    click.echo(f"Complétez {shown}/bilan.yml et {shown}/synthese.yml, puis : livret check {slug}")
