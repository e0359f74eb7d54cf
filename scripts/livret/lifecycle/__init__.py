"""A dossier's life after the booklet: follow-up interview, retention, destruction."""
