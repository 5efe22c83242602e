"""xltools: the 上海市财政支出项目绩效目标申报表 workflow made reliable.

Import-light on purpose: the Excel button starts a fresh Python per click, so nothing heavy loads here.
"""

__version__ = "0.1.0"
