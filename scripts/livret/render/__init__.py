"""From a loaded dossier to pages: view, Markdown, typography, charts, labels, templates."""
