"""`livret access`: a booklet's link and passphrase, or new ones with --rotate."""

from __future__ import annotations

import json

import click

from livret.cli.base import LivretCommand, pass_project, tell
from livret.project import Project
from livret.protect.access import show_access


@click.command("access", cls=LivretCommand)
@click.argument("slug", metavar="DOSSIER")
@click.option("--rotate", is_flag=True, help="Crée un nouveau lien et une nouvelle phrase.")
@click.option("--json", "as_json", is_flag=True, help="Affiche le résultat en JSON.")
@pass_project
def access(project: Project, slug: str, rotate: bool, as_json: bool) -> None:
    """Affiche le lien et la phrase de passe d'un livret."""
    notices: list[str] = []
    try:
        info = show_access(project, slug, rotate=rotate, notices=notices)
    finally:
        tell(notices)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False))
        return
    click.echo(f"Livret de {slug}")
    click.echo(f"  dossier publié : {info['site']}")
    click.echo(f"  phrase de passe : {info['passphrase']}")
    if rotate:
        click.echo("Nouveau lien et nouvelle phrase : relancez « livret build » pour publier.")
    click.echo("Transmettez le lien et la phrase par deux canaux différents (courriel et SMS).")
