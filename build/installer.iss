; Inno Setup script for 卫健台账 (Windows installer). See build/README.md.
;
;   ISCC.exe /DAppVersion=0.1.0 build\installer.iss
;
; Input: the one-folder PyInstaller bundle build\dist\weijian\ (build/weijian.spec).
; Output: build\dist\weijian-setup-<version>.exe
;
; User data: the program keeps its database, backups, settings and logs in
; %LOCALAPPDATA%\WeiJianTaiZhang (platformdirs user_data_dir, core/paths.py). This installer never
; writes there and the uninstaller never deletes it: uninstalling (or upgrading) keeps every county's
; data. Only the program folder {app} is removed.
;
; This file is UTF-8 with a byte-order mark: ISCC reads a script without a BOM in the system's ANSI
; code page, which would garble the Chinese text on a non-Chinese build machine. Keep the BOM.
; Requires Inno Setup 6.3 or later (x64compatible); Chinese Simplified is an official language
; from Inno Setup 6.5 on, and earlier versions fall back to Default.isl with Chinese messages below.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "卫健台账"
#define AppExe "weijian.exe"
#define BundleDir "dist\weijian"
#define Icon SourcePath + "..\resources\icons\app.ico"
#define HaveChineseIsl FileExists(CompilerPath + "Languages\ChineseSimplified.isl")

[Setup]
; AppId identifies the product for upgrades and the uninstaller: never change it.
AppId={{C531A695-48C5-4BA2-A197-8161A1EEAFE3}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-machine by default (Program Files); a clerk without administrator rights may still install
; for themself only ({autopf} then resolves to their own Programs folder).
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=dist
OutputBaseFilename=weijian-setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExe}
CloseApplications=yes
#if FileExists(Icon)
SetupIconFile={#Icon}
#endif

[Languages]
#if HaveChineseIsl
Name: "chinesesimp"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#else
Name: "chinesesimp"; MessagesFile: "compiler:Default.isl"

[LangOptions]
LanguageName=简体中文
LanguageID=$0804
LanguageCodePage=936

; Default.isl is English: override the texts every user sees on the usual path through the wizard.
[Messages]
SetupAppTitle=安装
SetupWindowTitle=安装 - %1
UninstallAppTitle=卸载
UninstallAppFullTitle=%1 卸载
ButtonBack=< 上一步(&B)
ButtonNext=下一步(&N) >
ButtonInstall=安装(&I)
ButtonOK=确定
ButtonCancel=取消
ButtonYes=是(&Y)
ButtonNo=否(&N)
ButtonFinish=完成(&F)
ButtonBrowse=浏览(&B)...
ButtonWizardBrowse=浏览(&R)...
ClickNext=点击“下一步”继续，或点击“取消”退出安装程序。
WelcomeLabel1=欢迎使用 [name] 安装向导
WelcomeLabel2=即将在您的计算机上安装 [name/ver]。%n%n建议您在继续安装前关闭所有其他应用程序。
WizardSelectDir=选择目标位置
SelectDirDesc=您想将 [name] 安装在哪里？
SelectDirLabel3=安装程序将安装 [name] 到下面的文件夹中。
SelectDirBrowseLabel=点击“下一步”继续。如果您想选择其他文件夹，点击“浏览”。
WizardSelectTasks=选择附加任务
SelectTasksDesc=您想要安装程序执行哪些附加任务？
SelectTasksLabel2=选择您想要安装程序在安装 [name] 时执行的附加任务，然后点击“下一步”。
WizardReady=准备安装
ReadyLabel1=安装程序准备就绪，现在可以开始安装 [name] 到您的计算机。
ReadyLabel2a=点击“安装”继续此安装程序。如果您想重新考虑或修改任何设置，点击“上一步”。
ReadyLabel2b=点击“安装”继续此安装程序。
ReadyMemoDir=目标位置：
ReadyMemoTasks=附加任务：
WizardInstalling=正在安装
InstallingLabel=安装程序正在安装 [name] 到您的计算机，请稍候。
FinishedHeadingLabel=[name] 安装完成
FinishedLabel=安装程序已在您的计算机中安装了 [name]。您可以通过已安装的快捷方式运行此应用程序。
ClickFinish=点击“完成”退出安装程序。
ExitSetupTitle=退出安装程序
ExitSetupMessage=安装程序尚未完成。如果现在退出，将不会安装该程序。%n%n现在退出安装程序吗？
ConfirmUninstall=您确认要完全移除 %1 吗？（您的数据保存在用户数据文件夹中，不会被删除。）
UninstalledAll=已顺利从您的计算机中移除 %1。
RunEntryExec=运行 %1
#endif

[CustomMessages]
chinesesimp.AdditionalIcons=附加快捷方式：
chinesesimp.CreateDesktopIcon=创建桌面快捷方式(&D)
chinesesimp.LaunchProgram=运行 %1
chinesesimp.UninstallProgram=卸载 %1

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole bundle: weijian.exe (windowed GUI), weijian-cli.exe (console, for the command line) and _internal\.
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Bytecode caches Python may leave next to the migration scripts (they are loaded from files).
; Nothing outside {app} is ever deleted: the data folder in %LOCALAPPDATA% stays.
Type: filesandordirs; Name: "{app}\_internal\db\migrations\__pycache__"
Type: filesandordirs; Name: "{app}\_internal\db\migrations\versions\__pycache__"
