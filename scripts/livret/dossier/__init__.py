"""The dossier contract: models, rules, lint, template, schema, loading and creation."""
