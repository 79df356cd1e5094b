"""Experiment statistics on sufficient statistics (n, mean, sums of squares and co-moments).

Raw observations and imported arm summaries both become ``Moments``, so every test below runs
on one path, and a million observations cost one SQL aggregate instead of a Python loop.
"""
