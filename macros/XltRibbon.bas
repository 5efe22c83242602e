Attribute VB_Name = "XltRibbon"
' The add-in's ribbon callbacks: customUI.xml calls them as onAction="XltRibbon.<Sub>" (xltools/addin/ribbon.py).
' A ribbon callback must be a Sub taking the control, declared with the Office library's IRibbonControl (the
' project references that library). Each hands its button's action, and the title for any message, to the
' launcher; what runs is xltools.addin.launch.ACTIONS[action] in Python.
Option Explicit

Public Sub OnCheck(control As IRibbonControl)
    Launch "check", "一键校验"
End Sub

Public Sub OnClear(control As IRibbonControl)
    Launch "clear", "清除标记"
End Sub

Public Sub OnTemplates(control As IRibbonControl)
    Launch "templates", "生成下发模板"
End Sub

Public Sub OnConsolidate(control As IRibbonControl)
    Launch "consolidate", "汇总"
End Sub

Public Sub OnCopies(control As IRibbonControl)
    Launch "copies", "退回副本"
End Sub

Public Sub OnSettings(control As IRibbonControl)
    Launch "settings", "设置"
End Sub
