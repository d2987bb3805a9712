"""Insights pages; every table has a CSV download (`?format=csv`).

Charts are drawn by static/insights/charts.js from data embedded with json_script, so
the strict CSP allows them.
"""
