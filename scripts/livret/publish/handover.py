"""Handing a booklet over: its public link and the two messages to send, one per channel.

The public address of the published folder is a provider setting
(`extra.publication.adresse` in `mkdocs.yml`) that only this module reads: it is never
written into any page (`site_url` is refused for that reason), so a copy of `site/` names
no host, and the link exists only in what the consultant sends. The link and the
passphrase go in two messages meant for two channels (e-mail and SMS): either one alone
opens nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from livret.dossier.provider import load_provider
from livret.project import Project
from livret.protect.stores import Renewal, show_access


@dataclass(frozen=True)
class Handover:
    """What the consultant sends for one booklet."""

    slug: str
    site: str  # the published folder of the booklet, relative to the repository
    passphrase: str
    built: bool  # whether a build published it with this link and passphrase
    former_site: str | None  # where it was before --nouveau-lien (now the moved page)
    link: str | None  # None while `extra.publication.adresse` is not set
    message_link: str | None
    message_passphrase: str | None

    def as_json(self) -> dict[str, object]:
        """`livret access --json`: the contract's keys, then the link and both messages."""
        messages = (
            {"link": self.message_link, "passphrase": self.message_passphrase}
            if self.link
            else None
        )
        return {
            "slug": self.slug,
            "site": self.site,
            "passphrase": self.passphrase,
            "built": self.built,
            "former_site": self.former_site,
            "link": self.link,
            "messages": messages,
        }


def link_message(link: str, provider_name: str, *, online: bool = True) -> str:
    """The first message, by e-mail: the link, what it holds, and that the passphrase
    comes separately. It never holds the passphrase. Until a build has published the
    booklet with this access, it says the booklet *will be* online."""
    state = "est en ligne" if online else "sera en ligne très prochainement"
    return (
        "Bonjour,\n\n"
        f"Votre livret de bilan de compétences {state}, avec votre document de synthèse "
        f"en PDF :\n{link}\n\n"
        "Il est protégé par une phrase de passe, que je vous envoie séparément, par SMS. "
        "Saisissez-la sur la première page : les suivantes s'ouvrent sans la redemander "
        "tant que l'onglet reste ouvert. Le PDF s'ouvre avec la même phrase.\n\n"
        f"Bien cordialement,\n{provider_name}"
    )


def passphrase_message(passphrase: str) -> str:
    """The second message, by SMS: the passphrase alone, never the link."""
    return (
        "Phrase de passe de votre livret de bilan de compétences (lien reçu par courriel) : "
        f"{passphrase}\nÀ saisir en minuscules, tirets compris."
    )


def hand_over(
    project: Project,
    slug: str,
    *,
    renew: Renewal = Renewal.NONE,
    notices: list[str] | None = None,
) -> Handover:
    """The booklet's access (made on first use, renewed as asked) and, when the
    provider set the public address, its full link and the two messages.

    `mkdocs.yml` is read first: a refused address is reported at its line before any
    access is made or rotated.
    """
    base = load_provider(project).base
    info = show_access(project, slug, renew=renew, notices=notices)
    site, passphrase, built = info.site, info.passphrase, info.published
    address = base.extra.publication.adresse
    if address is None:
        return Handover(slug, site, passphrase, built, info.former_site, None, None, None)
    # The booklet id is the published folder's name; the address ends with one "/".
    link = f"{address}{PurePosixPath(site).name}/"
    return Handover(
        slug,
        site,
        passphrase,
        built,
        info.former_site,
        link,
        link_message(link, base.extra.prestataire.nom, online=built),
        passphrase_message(passphrase),
    )
