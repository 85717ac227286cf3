"""Small, seeded NumPy experiments that the chapters run and print.

Each module is named after the chapter it serves: ``chapters/relu.md`` runs
:mod:`actgrad.experiments.relu`. The network they train is :mod:`actgrad.network`,
their data :mod:`actgrad.datasets`.
"""
