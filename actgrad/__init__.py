"""Helper package of the course *Activation functions and the gradients they pass*.

The chapters import the reference activations from :mod:`actgrad.activations`,
the gradient check from :mod:`actgrad.gradcheck`, weight initialisers from
:mod:`actgrad.initializers` and the widgets from :mod:`actgrad.widgets`.
"""

__version__ = "0.1.0"
