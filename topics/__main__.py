"""``python -m topics`` runs the command-line interface."""

from topics.cli import main

raise SystemExit(main())
