"""`livret schema`: the JSON Schemas of the files a consultant writes, for editors."""

from __future__ import annotations

import json

import click

from livret.cli import clifr
from livret.cli.base import LivretCommand
from livret.dossier.schema import MODELS, schema_text


@click.command("schema", cls=LivretCommand)
@click.argument("fichier", required=False, type=clifr.Choix(sorted(MODELS)), metavar="[FICHIER]")
def schema(fichier: str | None) -> None:
    """Affiche le schéma JSON de bilan.yml, synthese.yml et des notes."""
    if fichier:
        click.echo(schema_text(fichier), nl=False)
    else:
        combined = {name: json.loads(schema_text(name)) for name in MODELS}
        click.echo(json.dumps(combined, ensure_ascii=False, indent=2))
