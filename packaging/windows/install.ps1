<#
.SYNOPSIS
  Enrolls the clawwatch sensor on Windows: run by clawwatch.msi (deferred, as SYSTEM) before the service starts.

.DESCRIPTION
  The MSI installs the files, the "clawwatch" service (LocalSystem, automatic, restart on failure) and
  %ProgramData%\clawwatch with a protected ACL (SYSTEM and Administrators only). This script:
    - writes %ProgramData%\clawwatch\enroll.env (CLAWWATCH_COLLECTOR, CLAWWATCH_ENROLL_SECRET,
      CLAWWATCH_CA_BUNDLE), keeping existing values unless new ones are given;
    - replaces %ProgramData%\clawwatch\sensor.toml with the shipped template when it is missing or when its
      owner is neither SYSTEM nor Administrators (a file planted by a user is never run by SYSTEM);
    - re-applies the protected ACL to the folder and its files (icacls, inheritance removed);
    - turns on the audit policy the live sources read: Process Creation with command lines (event 4688) and
      File System (event 4663 for the SACLs the sensor sets on the credential catalogue).
  Verified only by lint in this project's CI (no Windows); see docs/windows.md.
#>
[CmdletBinding()]
param(
    [string] $Collector = "",
    [string] $EnrollSecret = "",
    [string] $CaBundle = "",
    [string] $ConfigTemplate = (Join-Path $PSScriptRoot "sensor.toml")
)
$ErrorActionPreference = "Stop"

$DataDir = Join-Path $env:ProgramData "clawwatch"
$StateDir = Join-Path $DataDir "state"
$EnrollFile = Join-Path $DataDir "enroll.env"
$ConfigFile = Join-Path $DataDir "sensor.toml"
$Trusted = @("S-1-5-18", "S-1-5-32-544")  # SYSTEM, BUILTIN\Administrators

function Protect-Path([string] $Path) {
    # SYSTEM and Administrators only; inheritance removed so ProgramData's user ACEs do not apply.
    & icacls.exe $Path /inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" /T /Q | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "icacls failed on $Path" }
}

function Test-TrustedOwner([string] $Path) {
    $owner = (Get-Acl -LiteralPath $Path).GetOwner([Security.Principal.SecurityIdentifier]).Value
    return $Trusted -contains $owner
}

New-Item -ItemType Directory -Force -Path $DataDir, $StateDir | Out-Null
Protect-Path $DataDir
if ((Test-Path -LiteralPath $ConfigFile) -and -not (Test-TrustedOwner $ConfigFile)) {
    Move-Item -Force -LiteralPath $ConfigFile -Destination "$ConfigFile.untrusted"
}
if (-not (Test-Path -LiteralPath $ConfigFile)) {
    Copy-Item -LiteralPath $ConfigTemplate -Destination $ConfigFile
}

$values = [ordered]@{ CLAWWATCH_COLLECTOR = ""; CLAWWATCH_ENROLL_SECRET = ""; CLAWWATCH_CA_BUNDLE = "" }
if (Test-Path -LiteralPath $EnrollFile) {
    foreach ($line in Get-Content -LiteralPath $EnrollFile) {
        if ($line -match '^(CLAWWATCH_[A-Z_]+)=(.*)$' -and $values.Contains($Matches[1])) {
            $values[$Matches[1]] = $Matches[2]
        }
    }
}
if ($Collector) { $values.CLAWWATCH_COLLECTOR = $Collector }
if ($EnrollSecret) { $values.CLAWWATCH_ENROLL_SECRET = $EnrollSecret }
if ($CaBundle) { $values.CLAWWATCH_CA_BUNDLE = $CaBundle }
$lines = $values.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }
Set-Content -LiteralPath $EnrollFile -Encoding ASCII -Value $lines
Protect-Path $DataDir

# Audit policy by subcategory GUID (locale independent): Process Creation, File System.
& auditpol.exe /set /subcategory:"{0CCE922B-69AE-11D9-BED3-505054503030}" /success:enable | Out-Null
& auditpol.exe /set /subcategory:"{0CCE921D-69AE-11D9-BED3-505054503030}" /success:enable | Out-Null
$audit = "HKLM:\Software\Microsoft\Windows\CurrentVersion\Policies\System\Audit"
New-Item -Force -Path $audit | Out-Null
Set-ItemProperty -Path $audit -Name "ProcessCreationIncludeCmdLine_Enabled" -Value 1 -Type DWord
Write-Output "clawwatch enrolled: $DataDir"
