"""The service layer: the use cases every entrypoint (CLI, API, pages, consumers) goes through.

Kept light on purpose: importing the package imports nothing (the show commands' short road must
not pay for pydantic or the event store); each use case is imported from its own module.
"""
