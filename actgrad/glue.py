"""Numbers the chapters' prose shows, for the built site and for JupyterLab alike.

A chapter computes a number in a code cell and calls :func:`glue`; its prose
shows the number with the inline role ``{eval}`` and a Python expression:
``{eval}`f"{glued.dead_share:.1%}"``` (formatted) or ``{eval}`glued.plateau_start```.

* On the site, :mod:`actgrad.sphinx_eval` looks the name up in the glued
  values of the executed chapter and formats it as myst-nb's ``{glue:text}``
  does.
* In JupyterLab, jupyterlab-myst evaluates the expression in the chapter's
  kernel, where :func:`glue` has set the attribute of the notebook's variable
  ``glued``. The values live there, not in variables of their own, so that no
  later cell can change what the prose shows by reusing a name.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from IPython import get_ipython
from myst_nb import glue as myst_nb_glue

#: The notebook variable that holds every glued value, one attribute per name.
NAMESPACE = "glued"


class Glued(SimpleNamespace):
    """The values a notebook glued, as attributes (the type of its variable ``glued``)."""


def glue(name: str, value: Any, display: bool = False) -> None:
    """Glue ``value`` under ``name`` (myst-nb's glue) and set ``glued.<name>`` in the notebook."""
    if not name.isidentifier():
        raise ValueError(f"glue name {name!r} is not a Python identifier, so {{eval}} cannot show it")
    myst_nb_glue(name, value, display=display)
    shell = get_ipython()
    if shell is None:
        return
    glued = shell.user_ns.setdefault(NAMESPACE, Glued())
    if not isinstance(glued, Glued):
        raise NameError(f"the notebook's variable {NAMESPACE!r} is not actgrad's glued values; rename it")
    setattr(glued, name, value)
