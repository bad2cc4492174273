<#
.SYNOPSIS
  Installs the clawwatch sensor on Windows and registers it to run as SYSTEM at boot, restarted on failure.

.DESCRIPTION
  Layout:
    %ProgramFiles%\clawwatch\clawwatch.exe        single-file binary (packaging/binary/build.sh on Windows)
    %ProgramFiles%\clawwatch\clawwatch-launch.ps1 loads enroll.env into the environment, runs the sensor
    %ProgramData%\clawwatch\sensor.toml           config (kept on reinstall)
    %ProgramData%\clawwatch\enroll.env            enrollment values; ACL: SYSTEM and Administrators only
    %ProgramData%\clawwatch\state                 spool and host id; ACL: SYSTEM and Administrators only

  Supervision is a Task Scheduler task "clawwatch sensor" (at startup, as SYSTEM, restart every minute on
  failure, no time limit), not a Windows service: a PyInstaller console executable does not answer the
  Service Control Manager, so `sc.exe create`/New-Service would see it fail to start (error 1053). A
  service needs a wrapper (pywin32 win32serviceutil.ServiceFramework) - see docs/deploy.md.

  Not run in this project's CI (no Windows, no PowerShell): verify on a Windows 10/11 host, see
  docs/deploy.md "What must be verified on Windows".

.EXAMPLE
  powershell -ExecutionPolicy Bypass -File install.ps1 -Source .\clawwatch.exe `
      -Collector https://clawwatch.corp.example:8443 -EnrollSecret $secret
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)] [string] $Source,
    [string] $Collector = "",
    [string] $EnrollSecret = "",
    [string] $CaBundle = "",
    [string] $ConfigTemplate = (Join-Path $PSScriptRoot "sensor.toml")
)
$ErrorActionPreference = "Stop"

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw "install.ps1 must run elevated (Administrator or SYSTEM)"
}

$TaskName = "clawwatch sensor"
$AppDir = Join-Path $env:ProgramFiles "clawwatch"
$DataDir = Join-Path $env:ProgramData "clawwatch"
$StateDir = Join-Path $DataDir "state"
$EnrollFile = Join-Path $DataDir "enroll.env"

function Protect-Path([string] $Path) {
    # Only SYSTEM and Administrators; inheritance removed so user ACEs from ProgramData do not apply.
    & icacls.exe $Path /inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "icacls failed on $Path" }
}

# Stop a running sensor before replacing its binary.
if (Get-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue) {
    Stop-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue
}

New-Item -ItemType Directory -Force -Path $AppDir, $DataDir, $StateDir | Out-Null
function Copy-IfElsewhere([string] $From, [string] $To) {
    # The MSI runs this script from %ProgramFiles%\clawwatch itself, where the files already are.
    if ((Resolve-Path $From).Path -ne [IO.Path]::GetFullPath($To)) { Copy-Item -Force $From $To }
}
Copy-IfElsewhere $Source (Join-Path $AppDir "clawwatch.exe")
Copy-IfElsewhere (Join-Path $PSScriptRoot "clawwatch-launch.ps1") (Join-Path $AppDir "clawwatch-launch.ps1")
if (-not (Test-Path (Join-Path $DataDir "sensor.toml"))) {
    Copy-Item $ConfigTemplate (Join-Path $DataDir "sensor.toml")
}
Protect-Path $StateDir

# Enrollment file: existing values are kept unless a new one is given.
$values = [ordered]@{ CLAWWATCH_COLLECTOR = ""; CLAWWATCH_ENROLL_SECRET = ""; CLAWWATCH_CA_BUNDLE = "" }
if (Test-Path $EnrollFile) {
    foreach ($line in Get-Content $EnrollFile) {
        if ($line -match '^(CLAWWATCH_[A-Z_]+)=(.*)$' -and $values.Contains($Matches[1])) { $values[$Matches[1]] = $Matches[2] }
    }
}
if ($Collector) { $values.CLAWWATCH_COLLECTOR = $Collector }
if ($EnrollSecret) { $values.CLAWWATCH_ENROLL_SECRET = $EnrollSecret }
if ($CaBundle) { $values.CLAWWATCH_CA_BUNDLE = $CaBundle }
New-Item -ItemType File -Force -Path $EnrollFile | Out-Null
Protect-Path $EnrollFile
Set-Content -Path $EnrollFile -Encoding ASCII -Value ($values.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" })

# Supervision: at boot, as SYSTEM, highest privileges, restart on failure forever, no execution time limit.
$launcher = Join-Path $AppDir "clawwatch-launch.ps1"
$action = New-ScheduledTaskAction -Execute "powershell.exe" `
    -Argument "-NoProfile -NonInteractive -ExecutionPolicy Bypass -WindowStyle Hidden -File `"$launcher`""
$trigger = New-ScheduledTaskTrigger -AtStartup
$settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries `
    -ExecutionTimeLimit ([TimeSpan]::Zero) -RestartCount 9999 -RestartInterval (New-TimeSpan -Minutes 1) `
    -MultipleInstances IgnoreNew -Priority 7
$system = New-ScheduledTaskPrincipal -UserId "S-1-5-18" -LogonType ServiceAccount -RunLevel Highest
Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger -Settings $settings `
    -Principal $system -Description "clawwatch sensor: finds shadow OpenClaw installs" -Force | Out-Null
Start-ScheduledTask -TaskName $TaskName
Write-Output "clawwatch installed to $AppDir; task '$TaskName' started"
