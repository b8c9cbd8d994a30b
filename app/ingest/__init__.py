"""Ingesting a new plan: read the document, propose its entities and targets, review, accept.

No HTTP here: ``atlas propose``, ``atlas review``, ``atlas accept`` and ``atlas serve --preview``
(app/cli.py) call these modules.
"""
