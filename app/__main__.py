"""``python -m app`` runs the ``atlas`` command."""

from app.cli import main

main()
