# Task Scheduler entry point for the clawwatch sensor (%ProgramFiles%\clawwatch\clawwatch-launch.ps1).
# Loads %ProgramData%\clawwatch\enroll.env (KEY=value lines, SYSTEM/Administrators only) into this
# process's environment - so the secret is never on a command line - then runs the sensor and returns
# its exit code (non-zero makes Task Scheduler restart it).
$ErrorActionPreference = "Stop"
$DataDir = Join-Path $env:ProgramData "clawwatch"
$EnrollFile = Join-Path $DataDir "enroll.env"
if (Test-Path $EnrollFile) {
    foreach ($line in Get-Content $EnrollFile) {
        if ($line -match '^(CLAWWATCH_[A-Z_]+)=(.+)$') {
            [Environment]::SetEnvironmentVariable($Matches[1], $Matches[2], "Process")
        }
    }
}
$exe = Join-Path $PSScriptRoot "clawwatch.exe"
& $exe sensor run --config (Join-Path $DataDir "sensor.toml")
exit $LASTEXITCODE
