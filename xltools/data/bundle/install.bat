@echo off
rem Installs the xltools one-click check button for this Windows user. Written by `xltools bundle`.
rem Saved in GBK (code page 936) with CRLF line endings. cmd.exe decodes each line of a batch file in the
rem console's code page when it reaches that line, so every line up to "chcp 936" is ASCII and the Chinese
rem lines after it read right on any Windows, whatever its default code page. Paths are always quoted.
setlocal EnableExtensions DisableDelayedExpansion
set "XLT_OLDCP="
for /f "tokens=2 delims=:" %%c in ('chcp') do set "XLT_OLDCP=%%c"
chcp 936 >nul
title xltools 一键校验按钮安装
set "XLT_RC=1"
set "XLT_PY=@PYTHON@"
set "XLT_VERSION=@VERSION@"
set "XLT_WHEELS=%~dp0@WHEELS@"
set "XLT_TEMPLATES=%~dp0@TEMPLATES@"
set "XLT_VENV=%LOCALAPPDATA%\xltools\venv"
set "XLT_CONF_DIR=%USERPROFILE%\.xlwings"
set "XLT_CONF=%USERPROFILE%\.xlwings\xlwings.conf"
set "XLT_CONF_BACKUP=%USERPROFILE%\.xlwings\xlwings.conf.before-xltools"
echo ============================================================
echo   一键校验按钮安装：xltools %XLT_VERSION%，Python %XLT_PY%（64 位）
echo   只为当前用户安装，不需要管理员权限，也不需要联网。
echo ============================================================
if not exist "%XLT_WHEELS%\xltools-%XLT_VERSION%-py3-none-any.whl" goto :no_folder
echo.
echo [1/6] 查找 Python %XLT_PY%（64 位）……
py -%XLT_PY% -c "import struct, sys; sys.exit(0 if struct.calcsize('P') == 8 else 32)" >nul 2>&1
set "XLT_PYRC=%errorlevel%"
if "%XLT_PYRC%"=="32" goto :python_32bit
if not "%XLT_PYRC%"=="0" goto :no_python
echo       已找到。
echo [2/6] 建立 Python 环境："%XLT_VENV%"
if exist "%XLT_VENV%\" rmdir /s /q "%XLT_VENV%"
if exist "%XLT_VENV%\" goto :venv_busy
py -%XLT_PY% -m venv "%XLT_VENV%"
if errorlevel 1 goto :venv_failed
echo [3/6] 从本文件夹安装 xltools 和它用到的软件包（不联网）……
"%XLT_VENV%\Scripts\python.exe" -m pip install --isolated --no-index --find-links "%XLT_WHEELS%" --disable-pip-version-check --no-warn-script-location "xltools==%XLT_VERSION%"
if errorlevel 1 goto :pip_failed
echo [4/6] 检查安装结果……
"%XLT_VENV%\Scripts\python.exe" -c "import win32com.client, xlwings, xltools.excel; print('      xlwings', xlwings.__version__, '/ xltools', xltools.__version__)"
if errorlevel 1 goto :check_failed
echo [5/6] 让按钮使用这个环境：写入 "%XLT_CONF%"
if not exist "%XLT_CONF_DIR%\" mkdir "%XLT_CONF_DIR%"
if exist "%XLT_CONF%" if not exist "%XLT_CONF_BACKUP%" copy /y "%XLT_CONF%" "%XLT_CONF_BACKUP%" >nul
(echo "INTERPRETER_WIN","%%LOCALAPPDATA%%\xltools\venv\Scripts\pythonw.exe")>"%XLT_CONF%" || goto :conf_failed
echo [6/6] 去掉“@TEMPLATES@”文件夹中模板文件的 Internet 标记……
powershell -NoProfile -NonInteractive -Command "Get-ChildItem -LiteralPath $env:XLT_TEMPLATES -Recurse -File | Unblock-File"
if errorlevel 1 echo       未能自动去掉标记：请右键模板文件，在“属性”中勾选“解除锁定”。
echo.
echo ============================================================
echo   安装成功。打开“@TEMPLATES@”文件夹中的 .xlsm 文件，点“启用内容”，即可使用“一键校验”按钮。
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
