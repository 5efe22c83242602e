Attribute VB_Name = "xltools"
' Macros behind the buttons on the form sheet.
' The Python command is fixed: it never depends on the workbook's file name,
' because staff rename the files they return, often in Chinese.
' Keep this file ASCII only.
Option Explicit

Sub CheckButton()
    RunPython "import xltools.excel as x; x.check_button()"
End Sub

Sub ClearButton()
    RunPython "import xltools.excel as x; x.clear_button()"
End Sub
