"""The xltools add-in (``xltools.xlam``): a ribbon tab 绩效目标 in Excel for staff and for the bureau.

* :mod:`~xltools.addin.ribbon`: the tab, its groups and buttons (``customUI/customUI.xml``);
* :mod:`~xltools.addin.xlam`: the add-in file, built without Excel as the .xlsm is (VBA from ``macros/``);
* :mod:`~xltools.addin.launch`: what a button click runs in Python (``python -I -B -m xltools.addin TOKEN``): it reads
  the request the VBA wrote, connects to Excel and dispatches to the button's function;
* :mod:`~xltools.addin.staff`: 一键校验 and 清除标记 on the active workbook (the .xlsm button's logic);
* :mod:`~xltools.addin.bureau`, :mod:`~xltools.addin.configure`: 生成下发模板, 汇总, 退回副本 and 设置, calling the
  same library functions as the command line, in process;
* :mod:`~xltools.addin.settings`: the user's settings file, the only place besides the add-in that says anything
  about how a click runs; :mod:`~xltools.addin.ui`: dialogs, alerts and the status bar, through Excel.

Nothing here is imported by a click except the launcher and the module of the button clicked: the staff check stays
as quick as the .xlsm's button, and pandas is imported only when a bureau button runs.
"""

ADDIN_FILENAME = "xltools.xlam"
