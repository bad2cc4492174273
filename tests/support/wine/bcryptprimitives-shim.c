/* Test harness only (the Windows lane under Wine; never shipped).
 * Wine 8.0 (Debian bookworm) lacks bcryptprimitives.dll, whose ProcessPrng the Rust >= 1.78 standard
 * library imports (pydantic-core, orjson wheels). This DLL exports ProcessPrng over RtlGenRandom.
 * Built by scripts/install-wine-python.sh with mingw-w64 into the Wine prefix's system32. */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    return RtlGenRandom(data, (ULONG)len);
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved) {
    (void)instance; (void)reason; (void)reserved;
    return TRUE;
}
