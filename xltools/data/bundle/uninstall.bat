@echo off
rem Removes what the installer of this folder installed for this Windows user. Written by `xltools bundle`.
rem Saved in GBK (code page 936) with CRLF line endings; every line up to "chcp 936" is ASCII (see the installer).
setlocal EnableExtensions DisableDelayedExpansion
set "XLT_OLDCP="
for /f "tokens=2 delims=:" %%c in ('chcp') do set "XLT_OLDCP=%%c"
chcp 936 >nul
title xltools 卸载
set "XLT_RC=1"
set "XLT_HOME=%LOCALAPPDATA%\xltools"
set "XLT_VENV=%LOCALAPPDATA%\xltools\venv"
set "XLT_RUN=%LOCALAPPDATA%\xltools\run"
set "XLT_XLSTART_ADDIN=%APPDATA%\Microsoft\Excel\XLSTART\@ADDIN@"
set "XLT_CONF=%USERPROFILE%\.xlwings\xlwings.conf"
set "XLT_CONF_BACKUP=%USERPROFILE%\.xlwings\xlwings.conf.before-xltools"
echo ============================================================
echo   卸载 xltools：删除 Excel 加载项和 xltools 的 Python 环境，恢复 xlwings 设置。
echo   Python 本身、已填写的表格和加载项的设置文件都不受影响。
echo ============================================================
echo.
echo [1/3] 删除加载项："%XLT_XLSTART_ADDIN%"
if exist "%XLT_XLSTART_ADDIN%" del /f /q "%XLT_XLSTART_ADDIN%"
if exist "%XLT_XLSTART_ADDIN%" goto :addin_busy
echo [2/3] 删除 Python 环境："%XLT_VENV%"
if exist "%XLT_VENV%\" rmdir /s /q "%XLT_VENV%"
if exist "%XLT_VENV%\" goto :venv_busy
if exist "%XLT_RUN%\" rmdir /s /q "%XLT_RUN%"
rmdir "%XLT_HOME%" >nul 2>&1
echo [3/3] 恢复 xlwings 设置："%XLT_CONF%"
if exist "%XLT_CONF_BACKUP%" goto :restore_conf
if not exist "%XLT_CONF%" goto :done
findstr /i /l /c:"xltools" "%XLT_CONF%" >nul
if not errorlevel 1 del /f /q "%XLT_CONF%"
goto :done

:restore_conf
move /y "%XLT_CONF_BACKUP%" "%XLT_CONF%" >nul
if errorlevel 1 goto :conf_failed

:done
echo.
echo ============================================================
echo   卸载完成。
echo ============================================================
set "XLT_RC=0"
goto :end

:addin_busy
echo.
echo 无法删除加载项（Excel 正在使用它）。请关闭所有 Excel 窗口后重新双击本文件。
goto :failed

:venv_busy
echo.
echo 无法删除 Python 环境（可能正在使用）。请关闭 Excel 后重新双击本文件。
goto :failed

:conf_failed
echo.
echo 无法恢复 "%XLT_CONF%"。
goto :failed

:failed
echo.
echo ============================================================
echo   卸载失败。请把本窗口截图发给下发本安装包的部门。
echo ============================================================
set "XLT_RC=1"

:end
if /i not "%~1"=="/quiet" pause
chcp %XLT_OLDCP% >nul 2>&1
exit /b %XLT_RC%
