"""The ``Projector``'s methods, one per event type, grouped by what they project (``projections.projector``)."""
