"""The one check engine: reader + rules. The CLI, the Excel button and consolidation all call this.

Stays light to import: no pandas, no pandera, no xlwings.
"""
