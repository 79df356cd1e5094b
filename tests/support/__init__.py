"""What the tests share, imported one way: ``from tests.support.MODULE import NAME``."""
