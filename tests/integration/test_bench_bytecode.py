"""The scale benchmark times commands that load bytecode, as an installed product does (``bench.bytecode``)."""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path

from bench.bytecode import compile_product, product_packages


def fresh_bytecode(source: Path) -> bool:
    """Whether the bytecode Python would load for ``source`` exists and matches it (mtime and size)."""
    cached = Path(importlib.util.cache_from_source(str(source)))
    if not cached.exists():
        return False
    mtime, size = struct.unpack("<II", cached.read_bytes()[8:16])
    stat = source.stat()
    return mtime == int(stat.st_mtime) & 0xFFFFFFFF and size == stat.st_size & 0xFFFFFFFF


def a_checkout(root: Path) -> None:
    (root / "pyproject.toml").write_text('[tool.setuptools.packages.find]\ninclude = ["shop*", "web*"]\n')
    for module in ("shop/__init__.py", "shop/orders/__init__.py", "shop/orders/book.py", "tests/__init__.py",
                   "tests/test_book.py"):
        (root / module).parent.mkdir(parents=True, exist_ok=True)
        (root / module).write_text("VALUE = 1\n")


def test_every_module_of_the_product_is_compiled_and_nothing_else(tmp_path: Path) -> None:
    a_checkout(tmp_path)
    assert product_packages(tmp_path) == [tmp_path / "shop"]  # no web/ in this checkout
    assert compile_product(tmp_path)
    assert fresh_bytecode(tmp_path / "shop" / "orders" / "book.py")
    assert not fresh_bytecode(tmp_path / "tests" / "test_book.py")


def test_stale_bytecode_is_written_again(tmp_path: Path) -> None:
    a_checkout(tmp_path)
    compile_product(tmp_path)
    (tmp_path / "shop" / "orders" / "book.py").write_text("VALUE = 22\n")  # another size: the bytecode is stale
    assert not fresh_bytecode(tmp_path / "shop" / "orders" / "book.py")
    compile_product(tmp_path)
    assert fresh_bytecode(tmp_path / "shop" / "orders" / "book.py")


def test_the_projects_own_packages_are_the_wheels() -> None:
    assert {path.name for path in product_packages()} == {"domain", "projections", "consumers", "notifications",
                                                          "scripts", "web"}
