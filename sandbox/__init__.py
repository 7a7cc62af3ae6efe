"""The embedded default: a local GitHub-compatible forge, so the whole
product runs and is tested with no account anywhere."""
