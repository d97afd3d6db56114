"""Builds the native hot path (mcusim/native/hotpath.c); everything else is in pyproject.toml."""

from pathlib import Path

from setuptools import Extension, setup


def unicorn_include_dir() -> str:
    import unicorn  # a build requirement: the wheel ships unicorn/include/unicorn/*.h

    return str(Path(unicorn.__file__).parent / "include")


setup(
    ext_modules=[
        # A plain shared library loaded with ctypes (no Python API); built as an extension so
        # that pip compiles it and installs it inside the package.
        Extension(
            "mcusim.native._hotpath",
            sources=["mcusim/native/hotpath.c", "mcusim/native/xpulp.c", "mcusim/native/ri5cy.c",
                     "mcusim/native/scheduler.c"],
            include_dirs=[unicorn_include_dir()],
            extra_compile_args=["-O2", "-std=c99", "-Wall", "-Wextra"],
        )
    ]
)
