@echo off
rem Installs xltools (the .xlsm's button and the Excel add-in) for this Windows user. Written by `xltools bundle`.
rem Saved in GBK (code page 936) with CRLF line endings. cmd.exe decodes each line of a batch file in the
rem console's code page when it reaches that line, so every line up to "chcp 936" is ASCII and the Chinese
rem lines after it read right on any Windows, whatever its default code page. Paths are always quoted.
setlocal EnableExtensions DisableDelayedExpansion
set "XLT_OLDCP="
for /f "tokens=2 delims=:" %%c in ('chcp') do set "XLT_OLDCP=%%c"
chcp 936 >nul
title xltools 安装（@KIND@）
set "XLT_RC=1"
set "XLT_PY=@PYTHON@"
set "XLT_VERSION=@VERSION@"
set "XLT_WHEELS=%~dp0@WHEELS@"
set "XLT_TEMPLATES=%~dp0@TEMPLATES@"
set "XLT_ADDIN=%~dp0@ADDIN@"
set "XLT_VENV=%LOCALAPPDATA%\xltools\venv"
set "XLT_XLSTART=%APPDATA%\Microsoft\Excel\XLSTART"
set "XLT_XLSTART_ADDIN=%APPDATA%\Microsoft\Excel\XLSTART\@ADDIN@"
set "XLT_CONF_DIR=%USERPROFILE%\.xlwings"
set "XLT_CONF=%USERPROFILE%\.xlwings\xlwings.conf"
set "XLT_CONF_BACKUP=%USERPROFILE%\.xlwings\xlwings.conf.before-xltools"
echo ============================================================
echo   xltools %XLT_VERSION% 安装（@KIND@）：Excel 加载项和一键校验按钮，Python %XLT_PY%（64 位）
echo   只为当前用户安装，不需要管理员权限，也不需要联网，不改注册表。
echo ============================================================
if not exist "%XLT_WHEELS%\xltools-%XLT_VERSION%-py3-none-any.whl" goto :no_folder
if not exist "%XLT_ADDIN%" goto :no_folder
echo.
echo [1/7] 查找 Python %XLT_PY%（64 位）……
py -%XLT_PY% -c "import struct, sys; sys.exit(0 if struct.calcsize('P') == 8 else 32)" >nul 2>&1
set "XLT_PYRC=%errorlevel%"
if "%XLT_PYRC%"=="32" goto :python_32bit
if not "%XLT_PYRC%"=="0" goto :no_python
echo       已找到。
echo [2/7] 建立 Python 环境："%XLT_VENV%"
if exist "%XLT_VENV%\" rmdir /s /q "%XLT_VENV%"
if exist "%XLT_VENV%\" goto :venv_busy
py -%XLT_PY% -m venv "%XLT_VENV%"
if errorlevel 1 goto :venv_failed
echo [3/7] 从本文件夹安装 xltools 和它用到的软件包（不联网）……
"%XLT_VENV%\Scripts\python.exe" -m pip install --isolated --no-index --find-links "%XLT_WHEELS%" --disable-pip-version-check --no-warn-script-location "@REQUIREMENT@==%XLT_VERSION%"
if errorlevel 1 goto :pip_failed
echo [4/7] 检查安装结果……
"%XLT_VENV%\Scripts\python.exe" -c "import win32com.client, xlwings, xltools.excel, xltools.addin.launch@IMPORTS@; print('      xlwings', xlwings.__version__, '/ xltools', xltools.__version__)"
if errorlevel 1 goto :check_failed
echo [5/7] 让 .xlsm 的按钮使用这个环境：写入 "%XLT_CONF%"
if not exist "%XLT_CONF_DIR%\" mkdir "%XLT_CONF_DIR%"
if exist "%XLT_CONF%" if not exist "%XLT_CONF_BACKUP%" copy /y "%XLT_CONF%" "%XLT_CONF_BACKUP%" >nul
(echo "INTERPRETER_WIN","%%LOCALAPPDATA%%\xltools\venv\Scripts\pythonw.exe")>"%XLT_CONF%" || goto :conf_failed
echo [6/7] 去掉“@TEMPLATES@”文件夹中的模板和加载项 @ADDIN@ 的 Internet 标记……
powershell -NoProfile -NonInteractive -Command "Get-ChildItem -LiteralPath $env:XLT_TEMPLATES -Recurse -File | Unblock-File; Unblock-File -LiteralPath $env:XLT_ADDIN"
if errorlevel 1 echo       未能自动去掉标记：请右键模板文件和 @ADDIN@，在“属性”中勾选“解除锁定”。
echo [7/7] 把加载项放进 Excel 的启动文件夹："%XLT_XLSTART%"
if not exist "%XLT_XLSTART%\" mkdir "%XLT_XLSTART%"
copy /y "%XLT_ADDIN%" "%XLT_XLSTART_ADDIN%" >nul || goto :addin_busy
powershell -NoProfile -NonInteractive -Command "Unblock-File -LiteralPath $env:XLT_XLSTART_ADDIN"
if errorlevel 1 echo       未能去掉加载项的 Internet 标记：请右键 "%XLT_XLSTART_ADDIN%"，在“属性”中勾选“解除锁定”。
echo.
echo ============================================================
echo   安装成功。重新打开 Excel，功能区出现“绩效目标”选项卡（@GROUPS@），对当前打开的申报表
echo   点“一键校验”即可。“@TEMPLATES@”文件夹中的 .xlsm 自带按钮，点“启用内容”后也可以使用。
echo ============================================================
set "XLT_RC=0"
goto :end

:no_folder
echo.
echo 找不到安装包文件夹“@WHEELS@”。请先把整个文件夹复制或解压到本机（不要只复制 安装.bat），再双击其中的 安装.bat。
goto :failed

:no_python
echo.
echo 没有找到 Python %XLT_PY%（64 位）。请先安装 Python：
echo   打开 https://www.python.org/downloads/windows/ 下载 Python %XLT_PY% 的“Windows installer (64-bit)”，
echo   运行后按默认选项安装（保留 py launcher），然后重新双击本文件。
echo   已装“Python 安装管理器”的电脑，也可以运行 py install %XLT_PY%。
echo   电脑不能上网时，请向下发本安装包的部门索取安装程序。
goto :failed

:python_32bit
echo.
echo 找到的 Python %XLT_PY% 是 32 位版本。请另装 64 位的 Python %XLT_PY%（“Windows installer (64-bit)”），再双击本文件。
goto :failed

:venv_busy
echo.
echo 无法删除旧的 Python 环境（可能正在使用）。请关闭 Excel 后重新双击本文件。
goto :failed

:venv_failed
echo.
echo 建立 Python 环境失败（见上面的提示）。
goto :failed

:pip_failed
echo.
echo 安装软件包失败（见上面的提示）。请确认本文件夹完整，且与本机的 Python %XLT_PY% 相符。
goto :failed

:check_failed
echo.
echo 软件包已安装，但无法加载（见上面的提示）。
goto :failed

:conf_failed
echo.
echo 无法写入 "%XLT_CONF%"。
goto :failed

:addin_busy
echo.
echo 无法把加载项复制到 "%XLT_XLSTART%"（Excel 可能正在使用旧的加载项）。请关闭所有 Excel 窗口后重新双击本文件。
goto :failed

:failed
echo.
echo ============================================================
echo   安装失败。请把本窗口截图发给下发本安装包的部门。
echo ============================================================
set "XLT_RC=1"

:end
if /i not "%~1"=="/quiet" pause
chcp %XLT_OLDCP% >nul 2>&1
exit /b %XLT_RC%
