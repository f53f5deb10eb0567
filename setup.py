"""Builds the `ccengine` wheel: setuptools drives CMake, as pybind11's
cmake_example does. Metadata is in pyproject.toml; this file adds the
CMake-built extension `ccengine._ccengine`, the version (from the file
VERSION) and where the pure-Python files are (bindings/python/ccengine).

The CMake build tree is $CCENGINE_CMAKE_BUILD_DIR when set, else build/wheel.
A tree that is already configured (e.g. build/release, which CI has built)
is used as it is: only the target `_ccengine` is built, incrementally, and its
cache is not changed. Otherwise the tree is configured here with the Python
module only (no tests, benchmarks, examples or adapters). Parallel jobs:
$CCENGINE_JOBS, else $CMAKE_BUILD_PARALLEL_LEVEL, else the number of CPUs.

Nothing is written to the source tree outside build/: setuptools' own build
and egg-info folders go to build/setuptools.
"""

import os
import shutil
import sys
import sysconfig
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
SETUPTOOLS_DIR = ROOT / "build" / "setuptools"


def cmake_build_dir() -> Path:
    env = os.environ.get("CCENGINE_CMAKE_BUILD_DIR")
    if env:
        path = Path(env)
        return path if path.is_absolute() else (ROOT / path)
    return ROOT / "build" / "wheel"


def jobs() -> str:
    for var in ("CCENGINE_JOBS", "CMAKE_BUILD_PARALLEL_LEVEL"):
        if os.environ.get(var):
            return os.environ[var]
    return str(os.cpu_count() or 1)


class CMakeExtension(Extension):
    """An extension CMake builds (no sources for setuptools to compile)."""

    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        if not isinstance(ext, CMakeExtension):
            return super().build_extension(ext)
        build_dir = cmake_build_dir()
        if (build_dir / "CMakeCache.txt").exists() and os.environ.get("CCENGINE_CMAKE_BUILD_DIR"):
            print(f"ccengine: reusing the configured CMake build tree {build_dir}", flush=True)
        else:
            configure = [
                "cmake", "-S", str(ROOT), "-B", str(build_dir),
                "-DCCENGINE_BUILD_PYTHON=ON",
                "-DCCENGINE_BUILD_TESTS=OFF",
                "-DCCENGINE_BUILD_BENCH=OFF",
                "-DCCENGINE_BUILD_EXAMPLES=OFF",
                "-DCCENGINE_BUILD_KAMAILIO=OFF",
                "-DCCENGINE_INSTALL=OFF",
                f"-DPython3_EXECUTABLE={sys.executable}",
                "-DCMAKE_BUILD_TYPE=Release",
            ]
            self.spawn(configure)
        self.spawn(["cmake", "--build", str(build_dir), "--target", "_ccengine", "-j", jobs()])

        # The module lies in <build>/python/ccengine (bindings/python/CMakeLists.txt),
        # named with the suffix of the interpreter CMake was given.
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        built = build_dir / "python" / "ccengine" / f"_ccengine{suffix}"
        if not built.is_file():
            found = sorted(p.name for p in (build_dir / "python" / "ccengine").glob("_ccengine*"))
            raise RuntimeError(
                f"ccengine: {built} was not built (found: {found or 'nothing'}); "
                f"the build tree {build_dir} must be configured for {sys.executable} "
                f"(Python3_EXECUTABLE)")
        dest = Path(self.get_ext_fullpath(ext.name))
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, dest)
        shutil.copymode(built, dest)


SETUPTOOLS_DIR.mkdir(parents=True, exist_ok=True)
setup(
    # The version's one source (CMake reads it too).
    version=(ROOT / "VERSION").read_text(encoding="utf-8").strip(),
    packages=["ccengine"],
    package_dir={"ccengine": "bindings/python/ccengine"},
    package_data={"ccengine": ["*.pyi", "py.typed"]},
    include_package_data=False,
    ext_modules=[CMakeExtension("ccengine._ccengine")],
    cmdclass={"build_ext": CMakeBuild},
    options={
        "build": {"build_base": str(SETUPTOOLS_DIR)},
        "egg_info": {"egg_base": str(SETUPTOOLS_DIR)},
    },
    zip_safe=False,
)
