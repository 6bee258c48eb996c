"""Measures: a kernel plus a survey-aware wrapper for each statistic."""
