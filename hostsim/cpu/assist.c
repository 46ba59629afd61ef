/* Completing what the emulator refused: see assist.h. */
#include "hostsim/cpu/assist.h"

#define CR0_PE 0x1ull
#define CR0_EM 0x4ull
#define CR0_TS 0x8ull

struct assist_decision assist_decide(const uint8_t *insn, size_t n, uint64_t cr0)
{
    struct assist_decision d = {ASSIST_NONE, 0, NULL};
    if (n == 0 || !(cr0 & CR0_PE))
        return d; /* real mode: the emulator handles INT n itself */
    if (insn[0] == 0xCC)
        return (struct assist_decision){ASSIST_INJECT_BP, 1, "int3"};
    if (insn[0] == 0x9B && !(cr0 & (CR0_TS | CR0_EM)))
        return (struct assist_decision){ASSIST_SKIP, 1, "fwait"};
    return d;
}
