"""Drawing the read models: SVG charts and the self-contained HTML retrospective.

One rendering module for both entrypoints: the web pages and the CLI's ``retro``/``demo`` import it,
so neither imports the other. Pure functions from the views' answers to markup; no I/O.
"""
