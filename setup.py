"""A shim for `scrapyd-deploy` (scrapyd-client 2.0.3), which builds the Scrapyd egg by running
`python setup.py bdist_egg` in the project folder, and writes a setup.py of its own when there
is none: that one would name the project "project", package every folder (tests too) and lose
the `scrapy` entry point by which Scrapyd finds the settings module.

pyproject.toml declares everything. setuptools 77+ reads it as is (`pip install -e .` builds
with such a setuptools in its isolated build environment). The setuptools that ships with
Python 3.11/3.12 venvs (65-69), which scrapyd-deploy runs in place, rejects pyproject's
`license = "MIT"` (PEP 639): for those, this file gives setuptools the same declarations read
from pyproject.toml and keeps it from parsing the file itself.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import setuptools
from setuptools import find_packages, setup
from setuptools.dist import Distribution

HERE = Path(__file__).resolve().parent


def _reads_pep639() -> bool:
    return int(setuptools.__version__.split(".")[0]) >= 77


class _WithoutPyproject(Distribution):
    """Reads setup.cfg-style files but not pyproject.toml (setuptools < 77 rejects it)."""

    def parse_config_files(self, filenames: Any = None, ignore_option_errors: bool = False) -> None:
        if filenames is None:
            filenames = self.find_config_files()
        super().parse_config_files(filenames, ignore_option_errors)


def _from_pyproject() -> dict[str, Any]:
    """pyproject.toml's declarations as setup() arguments."""
    data = tomllib.loads((HERE / "pyproject.toml").read_text("utf-8"))
    project, tool = data["project"], data["tool"]["setuptools"]
    entry_points = {group: [f"{name} = {target}" for name, target in points.items()]
                    for group, points in project.get("entry-points", {}).items()}
    entry_points["console_scripts"] = [f"{name} = {target}"
                                       for name, target in project.get("scripts", {}).items()]
    return {
        "distclass": _WithoutPyproject,
        "name": project["name"],
        "version": project["version"],
        "description": project.get("description", ""),
        "license": project.get("license", ""),
        "python_requires": project.get("requires-python"),
        "install_requires": project.get("dependencies", []),
        "extras_require": project.get("optional-dependencies", {}),
        "packages": find_packages(str(HERE), include=tool["packages"]["find"]["include"]),
        "package_data": tool.get("package-data", {}),
        "entry_points": entry_points,
    }


setup(**({} if _reads_pep639() else _from_pyproject()))
