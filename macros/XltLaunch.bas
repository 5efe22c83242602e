Attribute VB_Name = "XltLaunch"
' The add-in's one way into Python, for every ribbon button (XltRibbon).
'
' Safe by construction. The interpreter comes from the add-in itself (the install's default below) or from the
' user's own settings file (an "interpreter=" line); never from the active workbook (a returned form could carry an
' xlwings.conf sheet) nor from its folder. What Python needs to know (which button, which Excel, which workbook)
' goes into a request file written as UTF-16 by FileSystemObject, so a name reaches Python intact whatever it holds;
' the command line holds only the interpreter, fixed switches and a token of 32 hex digits. No cmd.exe: WScript's
' Run starts Python directly. Python runs with -I (it ignores PYTHON* variables and the current folder, which is the
' interpreter's own while it runs) and shows its own messages in Excel; this module speaks only when Python cannot.
'
' Chinese text: the string literals here are turned into Zh("<UTF-16 code units in hex>") when the add-in is built
' (xltools/addin/xlam.py), so the stored module is ASCII whatever the PC's code page.
Option Explicit

#If VBA7 Then
Private Declare PtrSafe Function MessageBoxW Lib "user32" (ByVal hWnd As LongPtr, ByVal lpText As LongPtr, _
    ByVal lpCaption As LongPtr, ByVal uType As Long) As Long
#Else
Private Declare Function MessageBoxW Lib "user32" (ByVal hWnd As Long, ByVal lpText As Long, _
    ByVal lpCaption As Long, ByVal uType As Long) As Long
#End If

Private Const HOME_FOLDER As String = "%LOCALAPPDATA%\xltools"
Private Const SETTINGS_NAME As String = "xltools.conf"
Private Const INTERPRETER_KEY As String = "interpreter"
Private Const DEFAULT_INTERPRETER As String = "%LOCALAPPDATA%\xltools\venv\Scripts\pythonw.exe"
Private Const PYTHON_SWITCHES As String = " -I -B -m xltools.addin "
Private Const MB_ICONWARNING As Long = &H30

Public Sub Launch(ByVal action As String, ByVal title As String)
    Dim wsh As Object, fso As Object
    Dim python As String, folder As String, token As String, request As String, reply As String
    Dim previous As String, status As Long
    On Error GoTo Failed
    Set wsh = CreateObject("WScript.Shell")
    Set fso = CreateObject("Scripting.FileSystemObject")
    python = InterpreterPath(wsh, fso)
    If Not fso.FileExists(python) Then
        Say "找不到 xltools 使用的 Python：" & python & vbCrLf & vbCrLf & _
            "请运行安装包中的“安装.bat”。自行安装 Python 的，请在设置文件 " & SettingsPath(wsh) & _
            " 中写一行 interpreter=pythonw.exe 的完整路径。", title
        Exit Sub
    End If
    folder = RunFolder(wsh, fso)
    token = NewToken()
    request = folder & "\" & token & ".req"
    reply = folder & "\" & token & ".out"
    WriteRequest fso, request, action
    previous = wsh.CurrentDirectory
    wsh.CurrentDirectory = fso.GetParentFolderName(python)
    status = wsh.Run(Chr(34) & python & Chr(34) & PYTHON_SWITCHES & token, 0, True)
    wsh.CurrentDirectory = previous
    If status <> 0 Then ShowReply fso, reply, status, title
    RemoveFile fso, request
    RemoveFile fso, reply
    Exit Sub
Failed:
    Dim problem As String
    problem = Err.Description
    On Error Resume Next
    If previous <> "" Then wsh.CurrentDirectory = previous
    Say "xltools 加载项未能运行：" & problem & vbCrLf & "请把本提示截图发给下发本加载项的部门。", title
End Sub

' The interpreter: the settings file's interpreter= line, else the one the install made. Nothing else is read.
Private Function InterpreterPath(wsh As Object, fso As Object) As String
    Dim configured As String
    configured = SettingValue(wsh, fso, INTERPRETER_KEY)
    If configured = "" Then configured = DEFAULT_INTERPRETER
    InterpreterPath = wsh.ExpandEnvironmentStrings(configured)
End Function

Private Function SettingsPath(wsh As Object) As String
    SettingsPath = wsh.ExpandEnvironmentStrings(HOME_FOLDER) & "\" & SETTINGS_NAME
End Function

' One "key=value" line of the user's settings file (UTF-16, as xltools writes it); "" when absent.
Private Function SettingValue(wsh As Object, fso As Object, ByVal key As String) As String
    Dim path As String, stream As Object, entry As String, at As Long
    path = SettingsPath(wsh)
    If Not fso.FileExists(path) Then Exit Function
    Set stream = fso.OpenTextFile(path, 1, False, -1)
    Do While Not stream.AtEndOfStream
        entry = stream.ReadLine
        at = InStr(entry, "=")
        If at > 1 Then
            If LCase$(Trim$(Left$(entry, at - 1))) = key Then SettingValue = Trim$(Mid$(entry, at + 1))
        End If
    Loop
    stream.Close
End Function

Private Function RunFolder(wsh As Object, fso As Object) As String
    Dim home As String
    home = wsh.ExpandEnvironmentStrings(HOME_FOLDER)
    If Not fso.FolderExists(home) Then fso.CreateFolder home
    RunFolder = home & "\run"
    If Not fso.FolderExists(RunFolder) Then fso.CreateFolder RunFolder
End Function

Private Function NewToken() As String
    Dim i As Long
    Randomize
    For i = 1 To 32
        NewToken = NewToken & Hex$(Int(Rnd * 16))
    Next i
End Function

' The request: the button's action, this Excel's window and the active workbook's name (empty without one).
Private Sub WriteRequest(fso As Object, ByVal path As String, ByVal action As String)
    Dim stream As Object, book As String
    On Error Resume Next
    book = ActiveWorkbook.Name
    On Error GoTo 0
    Set stream = fso.CreateTextFile(path, True, True)
    stream.WriteLine "action=" & action
    stream.WriteLine "hwnd=" & CStr(Application.Hwnd)
    stream.WriteLine "book=" & book
    stream.Close
End Sub

' Python failed before it could speak in Excel: show what it wrote (UTF-16), or say that it did not start.
Private Sub ShowReply(fso As Object, ByVal path As String, ByVal status As Long, ByVal title As String)
    Dim stream As Object, message As String
    If fso.FileExists(path) Then
        Set stream = fso.OpenTextFile(path, 1, False, -1)
        If Not stream.AtEndOfStream Then message = stream.ReadAll
        stream.Close
    End If
    If message = "" Then
        message = "xltools 未能运行（Python 退出码 " & CStr(status) & "）。" & vbCrLf & _
            "请重新运行安装包中的“安装.bat”；仍不成功，请把本提示截图发给下发本加载项的部门。"
    End If
    Say message, title
End Sub

Private Sub RemoveFile(fso As Object, ByVal path As String)
    On Error Resume Next
    If fso.FileExists(path) Then fso.DeleteFile path, True
End Sub

' MsgBox shows only the PC's code page; MessageBoxW shows any text.
Private Sub Say(ByVal message As String, ByVal title As String)
    MessageBoxW Application.Hwnd, StrPtr(message), StrPtr(title), MB_ICONWARNING
End Sub

' Text from its UTF-16 code units, four hex digits each (see the note at the top).
Public Function Zh(ByVal units As String) As String
    Dim i As Long
    For i = 1 To Len(units) Step 4
        Zh = Zh & ChrW$(CLng("&H" & Mid$(units, i, 4)))
    Next i
End Function
