"""The stages in order: `check.py` without output, `booklet.py` for one booklet, `batch.py`
for many (change detection, worker processes).

One booklet: dossier -> view -> PDF -> attachments -> pages -> site -> verify -> swap.
"""
