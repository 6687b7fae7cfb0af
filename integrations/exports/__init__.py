"""Exports: the schedule as xlsx, PDF and CSV files for people outside the program's pages."""
