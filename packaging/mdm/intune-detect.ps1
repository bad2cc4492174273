# Intune Remediations ("proactive remediations") detection script, or any scheduled compliance check.
# Run as SYSTEM. Intune runs scripts in 32-bit PowerShell unless "Run script in 64-bit PowerShell" is set:
# there $env:ProgramFiles is "C:\Program Files (x86)", so the 64-bit folder comes from $env:ProgramW6432.
# Exit 1 = "issue detected" (Intune then reports the device and, if configured, runs the remediation script); exit 0 = compliant.
# Built on `clawwatch scan --fail-on LEVEL` exit codes: 0 nothing at/above LEVEL, 1 something, 2 error.
# The one-line output (last line of stdout) is what Intune shows in the device's "pre-remediation output".
# Not run in this project's CI (no Windows/PowerShell): linted by tests/packaging/test_windows_msi.py; see docs/windows.md.
$ErrorActionPreference = "Stop"
$FailOn = "high"   # critical | high | medium | low | info (info: any OpenClaw install at all)
$ProgramFiles64 = if ($env:ProgramW6432) { $env:ProgramW6432 } else { $env:ProgramFiles }
$Exe = Join-Path $ProgramFiles64 "clawwatch\clawwatch.exe"
if (-not (Test-Path $Exe)) {
    Write-Output "clawwatch missing"
    exit 1
}
$json = & $Exe scan --fail-on $FailOn --format json
$code = $LASTEXITCODE
if ($code -eq 0) {
    Write-Output "no OpenClaw finding at or above $FailOn"
    exit 0
}
if ($code -eq 1) {
    $report = ($json -join "`n") | ConvertFrom-Json
    $installs = ($report.installs | ForEach-Object { "$($_.product)@$($_.state_dir)" }) -join "; "
    $worst = ($report.findings | Where-Object { $_.severity -in @("critical", "high") } |
              ForEach-Object { $_.id } | Sort-Object -Unique) -join ","
    Write-Output "OpenClaw: $installs [$worst]"
    exit 1
}
Write-Output "clawwatch scan error $code"
exit 1
