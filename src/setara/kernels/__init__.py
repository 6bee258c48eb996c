"""Array kernels: pure functions on NumPy arrays, vectorised over rows, domains and replicates.

Nothing here knows about data frames, column names or survey objects; the layers above pass
plain arrays in and get plain arrays back, so these functions can run per partition on a
distributed engine.
"""
