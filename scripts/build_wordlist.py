"""Rebuild scripts/livret/data/mots.txt, the words passphrases are drawn from (issue 9).

Not part of the package: the list is committed, so nothing is downloaded at run time.
Needs `pip install 'wordfreq==3.1.1'`, Debian's `hunspell-fr-classical` (fr_FR.dic) and
the `hunspell` program (Debian package `hunspell`):

    python scripts/build_wordlist.py [--size N] [--dic /usr/share/hunspell/fr_FR.dic]

How a word is chosen, and why:
- frequency order from wordfreq's French data, so the words are common and easy;
- it must be a lowercase entry of the Hunspell French dictionary tagged noun, adjective,
  verb or adverb, and never a proper noun: this keeps real spellings only (« ete » for
  « été » is not an entry, so words needing an accent drop out instead of being folded),
  drops proper nouns, abbreviations and symbols, and mostly keeps base forms;
- not more frequent in English than in French (« the », « star », « cool »), unless read
  and listed in scripts/wordlist_francais.txt (« pain », « place »), and not
  less frequent than the same letters with accents (« cote » is mostly « côte »);
- none of the words or stems in tests/data/mots_interdits.txt, nor any word removed by
  reading the list (scripts/wordlist_relecture.txt).
The dictionary serves only as a filter; the words and their order come from wordfreq.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import unicodedata
from pathlib import Path

import wordfreq  # type: ignore[import-not-found]

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "scripts" / "livret" / "data" / "mots.txt"
BLOCKLIST = ROOT / "tests" / "data" / "mots_interdits.txt"
REMOVED = ROOT / "scripts" / "wordlist_relecture.txt"
# French words that wordfreq finds more often in English text (« pain », « place », « note »),
# read by hand: the English test below would otherwise drop them.
FRENCH = ROOT / "scripts" / "wordlist_francais.txt"
WORDFREQ_VERSION = "3.1.1"
# At most 6 letters: six words and five hyphens must fit in 32 characters (see access.py).
SHAPE = re.compile(r"[a-z]{3,6}")
# Hunspell-fr (Dicollecte) morphological tags: nouns, adjectives, verbs, adverbs.
KEPT_TAGS = re.compile(r"po:(nom|adj|v[0-9]|adv)")
NOMINAL_TAGS = re.compile(r"po:(nom|adj)")
REFUSED_TAGS = re.compile(
    r"po:(npr|patr|prn|mg|interj|titr|loc|err|infi|pfx|sfx|div|nb|cj|det|prep|pro|neg|symb)"
)


def entries(path: Path) -> dict[str, bool]:
    """Lowercase dictionary entries of the kept kinds, never also a proper noun.

    The value tells whether the entry is a noun or an adjective, which has plural and
    feminine forms.
    """
    kept: dict[str, bool] = {}
    refused: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        word = line.split("/", 1)[0].split(" ", 1)[0]
        if REFUSED_TAGS.search(line):
            refused.add(word.lower())
        elif KEPT_TAGS.search(line) and SHAPE.fullmatch(word):
            kept[word] = kept.get(word, False) or bool(NOMINAL_TAGS.search(line))
    return {word: nominal for word, nominal in kept.items() if word not in refused}


# Verb forms kept: present, imperative, future, present and past participles. The
# simple past and the imperfect subjunctive (« chanta », « lussiez ») are hard to say.
VERB_FORMS = re.compile(r"po:(ipre|impe|ifut|ppre|ppas)\b")


def analyses(words: list[str], dic: Path) -> dict[str, list[tuple[str, str]]]:
    """What Hunspell says each word is: (stem, tags) for each reading (« bois »: wood, drink).

    Guessing plurals and forms by rule goes wrong (« bijous », « miene »), and wordfreq
    counts such misspellings too; the `hunspell` program knows the real forms and their
    base form. A word it does not know gets no reading.
    """
    result = subprocess.run(
        ["hunspell", "-d", str(dic.with_suffix("")), "-m"],
        input="\n".join(words) + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, list[tuple[str, str]]] = {}
    for line in result.stdout.splitlines():
        word, _, tags = line.partition(" ")
        stem = re.search(r"\bst:(\S+)", tags)
        if stem:
            found.setdefault(word, []).append((stem.group(1), tags))
    return found


def verb_entries(path: Path) -> set[str]:
    """Lowercase verbs of any length and spelling: the base forms of « prenez », « connu »."""
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        word = line.split("/", 1)[0].split(" ", 1)[0]
        if re.search(r"po:v[0-9]", line) and word.isalpha() and word == word.lower():
            found.add(word)
    return found


def listed(path: Path) -> tuple[set[str], tuple[str, ...]]:
    """Exact words and stems (lines ending in `*`) of a word file; `#` starts a comment."""
    words: set[str] = set()
    stems: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        item = line.split("#", 1)[0].strip()
        if item.endswith("*"):
            stems.append(item[:-1])
        elif item:
            words.add(item)
    return words, tuple(stems)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=6000)
    # Beyond the 60,000 most frequent words there are still many short, plain base forms
    # (« sapin », « tulipe », « luge »): the 32-character rule needs them for 64 bits.
    parser.add_argument("--top", type=int, default=150000)
    parser.add_argument("--dic", type=Path, default=Path("/usr/share/hunspell/fr_FR.dic"))
    args = parser.parse_args()
    dictionary = entries(args.dic)
    blocked, stems = listed(BLOCKLIST)
    removed, removed_stems = listed(REMOVED) if REMOVED.exists() else (set(), ())
    french, _ = listed(FRENCH) if FRENCH.exists() else (set(), ())
    # Every word wordfreq knows, for the plurals, feminines and verb forms below and the
    # accent check; base forms come from the `--top` most frequent only.
    everything = wordfreq.top_n_list("fr", 1_000_000, wordlist="large")
    common = everything[: args.top]
    # « cote », « pate », « comite » are real words, but the ones people mean are « côte »,
    # « pâte », « comité »: a word whose accented twin is more frequent would be misheard.
    accented: dict[str, float] = {}
    for word in everything:
        folded = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
        if folded != word and SHAPE.fullmatch(folded):
            accented.setdefault(folded, wordfreq.zipf_frequency(word, "fr"))

    def acceptable(word: str) -> bool:
        if not SHAPE.fullmatch(word):
            return False
        if word in blocked or word in removed or word.startswith(stems + removed_stems):
            return False
        frequency = wordfreq.zipf_frequency(word, "fr")
        english = 0.0 if word in french else wordfreq.zipf_frequency(word, "en")
        return english <= frequency >= accented.get(word, 0)

    lemmas = [w for w in common if w in dictionary and acceptable(w)][: args.size]
    # Plurals and feminines of the kept nouns and adjectives (« pommes », « verte ») and
    # forms of the kept verbs (« dansez »), however rare wordfreq says they are: the
    # 32-character rule leaves room for short words only, and there are too few short base
    # forms for 64 bits. Forms also come from verbs too long for the list (« prenez »,
    # « ouvert »): their base form was never read, but each form is, and every form goes
    # through the same filters.
    kept = set(lemmas)
    long_verbs = {
        v
        for v in verb_entries(args.dic)
        if not SHAPE.fullmatch(v)
        and v not in blocked | removed
        and not v.startswith(stems + removed_stems)
    }
    candidates = [w for w in everything if w not in kept and acceptable(w)]
    readings = analyses(candidates, args.dic)

    def form_of_kept(stem: str, tags: str) -> bool:
        if "po:v" in tags:
            return (stem in kept or stem in long_verbs) and bool(VERB_FORMS.search(tags))
        return stem in kept and dictionary[stem] and bool(re.search(r"is:(pl|fem)", tags))

    forms = [
        w for w in candidates if any(form_of_kept(st, tags) for st, tags in readings.get(w, []))
    ]
    chosen = lemmas + forms
    header = (
        f"# Mots des phrases de passe de livret : {len(chosen)} mots.\n"
        f"# Source : wordfreq {WORDFREQ_VERSION} (données CC BY-SA 4.0, "
        "https://github.com/rspeer/wordfreq), mots français les plus fréquents,\n"
        "# filtrés par le dictionnaire Hunspell français (hunspell-fr-classical, MPL-2.0),\n"
        "# par tests/data/mots_interdits.txt et par relecture. Cette liste est sous CC BY-SA 4.0.\n"
        "# Reconstruite par scripts/build_wordlist.py ; voir scripts/livret/data/README.md.\n"
    )
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(header + "\n".join(sorted(chosen)) + "\n", encoding="utf-8")
    print(f"{TARGET}: {len(chosen)} mots")


if __name__ == "__main__":
    main()
