"""Small, seeded NumPy experiments that the chapters run and print.

Each module belongs to one chapter; :mod:`actgrad.experiments.nonlinearity`
holds the experiments of *Why nonlinearity*.
"""
