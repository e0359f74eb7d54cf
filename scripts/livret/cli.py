"""The `livret` command: parse options, call one library function, map errors to exit codes."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from livret import __version__, clifr
from livret.access import show_access
from livret.check import check_project
from livret.dossier.create import new_dossier
from livret.dossier.schema import MODELS, schema_text
from livret.errors import DossierError, LivretError
from livret.project import Project, find_project

clifr.install()  # before the decorators below: some of click's help texts are made there


class LivretCommand(click.Command):
    context_class = clifr.Context


class LivretGroup(click.Group):
    """Turns user errors into French lines and exit code 1; bugs keep their traceback."""

    context_class = clifr.Context
    command_class = LivretCommand

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DossierError as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            count = len(error.errors)
            click.echo(f"{count} problème{'s' if count > 1 else ''} à corriger.", err=True)
            sys.exit(1)
        except LivretError as error:
            click.echo(f"Erreur : {error}", err=True)
            sys.exit(1)


pass_project = click.make_pass_decorator(Project)


@click.group(
    cls=LivretGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    options_metavar="[OPTIONS]",
    subcommand_metavar="COMMANDE [ARGUMENTS]...",
)
@click.version_option(__version__, "--version", message="livret %(version)s")
@click.option(
    "-C",
    "racine",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="CHEMIN",
    help="Dépôt à utiliser (par défaut : le dossier courant ou un parent).",
)
@click.pass_context
def cli(ctx: click.Context, racine: Path | None) -> None:
    """livret : livrets privés et documents de synthèse des bilans de compétences."""
    if ctx.invoked_subcommand != "schema":
        ctx.obj = find_project(racine)


_STRICT = click.option(
    "--strict", "strict_mode", is_flag=True, help="Les avertissements comptent comme des erreurs."
)


@cli.command()
@click.argument("slugs", nargs=-1, metavar="[DOSSIER]...")
@_STRICT
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


@cli.command()
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


@cli.command()
@click.argument("fichier", required=False, type=clifr.Choix(sorted(MODELS)), metavar="[FICHIER]")
def schema(fichier: str | None) -> None:
    """Affiche le schéma JSON de bilan.yml, synthese.yml et des notes."""
    if fichier:
        click.echo(schema_text(fichier), nl=False)
    else:
        combined = {name: json.loads(schema_text(name)) for name in MODELS}
        click.echo(json.dumps(combined, ensure_ascii=False, indent=2))


@cli.command()
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
@_STRICT
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
    from livret.batch import Shard, build_all
    from livret.report import BuildProgress, report_build

    # Not resolved here: the library refuses a symbolic link on the way, so it must see it.
    target = out or project.root / "site"
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
        _tell(notices)
    if as_json:
        for result in results:
            for line in result.errors + result.warnings:
                click.echo(line, err=True)
        click.echo(json.dumps({"booklets": [r.as_json() for r in results]}, ensure_ascii=False))
    else:
        report_build(results, progress.elapsed)
    if any(r.status == "failed" for r in results):
        sys.exit(1)


@cli.command()
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
        _tell(notices)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False))
        return
    click.echo(f"Livret de {slug}")
    click.echo(f"  dossier publié : {info['site']}")
    click.echo(f"  phrase de passe : {info['passphrase']}")
    if rotate:
        click.echo("Nouveau lien et nouvelle phrase : relancez « livret build » pour publier.")
    click.echo("Transmettez le lien et la phrase par deux canaux différents (courriel et SMS).")


def _tell(notices: list[str]) -> None:
    """What livret fixed on its own (permissions): on stderr, so --json stays parseable."""
    for notice in notices:
        click.echo(f"Attention : {notice}", err=True)


def main() -> None:
    cli(prog_name="livret")
