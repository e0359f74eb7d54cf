"""What every command shares: French click, user errors mapped to exit code 1, the project.

Imported by each command module before it declares anything, so click speaks French
by the time the decorators run (some of click's help texts are made there).
"""

from __future__ import annotations

import sys

import click

from livret.cli import clifr
from livret.errors import DossierError, LivretError
from livret.project import Project

clifr.install()  # before any decorator: some of click's help texts are made there


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

STRICT = click.option(
    "--strict", "strict_mode", is_flag=True, help="Les avertissements comptent comme des erreurs."
)


def tell(notices: list[str]) -> None:
    """What livret fixed on its own (permissions): on stderr, so --json stays parseable."""
    for notice in notices:
        click.echo(f"Attention : {notice}", err=True)
