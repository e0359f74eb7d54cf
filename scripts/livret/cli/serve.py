"""`livret serve`: the live preview of one booklet, on this computer only."""

from __future__ import annotations

import signal
import time
from types import FrameType

import click

from livret.cli import clifr
from livret.cli.base import LivretCommand, pass_project
from livret.project import Project


def _stop(signum: int, frame: FrameType | None) -> None:
    # `kill` or closing the terminal: the same clean stop as Ctrl-C (temporary folder removed).
    raise KeyboardInterrupt


@click.command("serve", cls=LivretCommand)
@click.argument("slug", metavar="DOSSIER")
@click.option(
    "--port",
    type=clifr.Plage(min=0, max=65535),
    default=8000,
    show_default=True,
    metavar="PORT",
    help="Port sur 127.0.0.1 (0 : un port libre au hasard).",
)
@pass_project
def serve(project: Project, slug: str, port: int) -> None:
    """Aperçu en direct d'un livret, reconstruit à chaque enregistrement.

    L'aperçu n'est ni chiffré ni publié : il n'est visible que sur cet ordinateur
    (127.0.0.1) et disparaît à l'arrêt (Ctrl-C). Rien n'est écrit dans site/.
    """
    # Imported here: MkDocs and WeasyPrint are heavy, and `check` does not need them.
    from livret.pipeline.preview import Rebuilt, serve_preview

    def ready(url: str) -> None:
        click.echo(f"Aperçu de {slug} : {url}")
        click.echo(
            "Non chiffré et non publié, visible sur cet ordinateur seulement ; "
            "il se met à jour à chaque enregistrement. Ctrl-C pour arrêter."
        )

    def report(outcome: Rebuilt) -> None:
        now = time.strftime("%H:%M:%S")
        seconds = f"{outcome.seconds:.2f}".replace(".", ",")
        for problem in outcome.problems:
            click.echo(str(problem), err=True)
        if outcome.bug:
            click.echo(outcome.bug, err=True, nl=False)
        if outcome.message:
            click.echo(f"Erreur : {outcome.message}", err=True)
        if outcome.ok:
            click.echo(f"[{now}] Aperçu à jour ({seconds} s).")
            return
        count = len(outcome.errors) or 1
        plural = "s" if count > 1 else ""
        click.echo(
            f"[{now}] {count} problème{plural} à corriger : l'aperçu affiche la liste "
            "et revient à la prochaine version correcte.",
            err=True,
        )

    # SIGHUP does not exist on Windows, where closing the console ends the process anyway.
    stops = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {number: signal.signal(number, _stop) for number in stops}
    try:
        serve_preview(project, slug, port, ready=ready, report=report)
    except KeyboardInterrupt:
        click.echo("Aperçu arrêté.")
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
