<#
.SYNOPSIS
  Run by clawwatch.msi on a real uninstall (not on an upgrade), before the files are removed. With -Purge 1
  it removes %ProgramData%\clawwatch (config, enroll.env, spool, host id); otherwise they stay for a reinstall.
  The MSI stops and deletes the service.
#>
[CmdletBinding()]
param([string] $Purge = "")
$ErrorActionPreference = "Continue"
if ($Purge -eq "1") {
    Remove-Item -Recurse -Force -ErrorAction SilentlyContinue (Join-Path $env:ProgramData "clawwatch")
}
Write-Output "clawwatch unenrolled"
