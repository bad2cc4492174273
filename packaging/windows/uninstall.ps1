<#
.SYNOPSIS
  Removes the clawwatch sensor from Windows. -KeepData keeps %ProgramData%\clawwatch (config,
  enroll.env, spool, host id) for a reinstall.
#>
[CmdletBinding()]
param([switch] $KeepData)
$ErrorActionPreference = "Stop"
$TaskName = "clawwatch sensor"
if (Get-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue) {
    Stop-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue
    Unregister-ScheduledTask -TaskName $TaskName -Confirm:$false
}
Remove-Item -Recurse -Force -ErrorAction SilentlyContinue (Join-Path $env:ProgramFiles "clawwatch")
if (-not $KeepData) {
    Remove-Item -Recurse -Force -ErrorAction SilentlyContinue (Join-Path $env:ProgramData "clawwatch")
}
Write-Output "clawwatch removed"
