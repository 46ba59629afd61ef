/* Numbers of the Hyper-V guest interface that hostsim's Hyper-V host
 * reproduces: synthetic MSRs, CPUID leaves and their bits, hypercall codes
 * and status values. Facts from Microsoft's Hypervisor Top Level Functional
 * Specification (MicrosoftDocs/Virtualization-Documentation,
 * virtualization/hyper-v-on-windows/tlfs/: feature-discovery.md,
 * hypercall-interface.md, inter-partition-communication.md, timers.md,
 * datatypes/hv_partition_privilege_mask.md) and Linux's
 * include/hyperv/hvgdk_mini.h (HV_X64_MSR_*, HV_STATUS_*), which names the
 * MSR numbers the TLFS markdown leaves out (TSC_FREQUENCY, APIC_FREQUENCY).
 * The guest side (hv/ in the kernel) spells these on its own on purpose. */
#ifndef HOSTSIM_HYPERV_TLFS_H
#define HOSTSIM_HYPERV_TLFS_H

/* ---- CPUID (TLFS "Feature Discovery") ---- */
#define HV_CPUID_VENDOR 0x40000000u        /* EAX max leaf, "Microsoft Hv" */
#define HV_CPUID_INTERFACE 0x40000001u     /* EAX "Hv#1" */
#define HV_CPUID_VERSION 0x40000002u       /* build, major.minor, service pack */
#define HV_CPUID_FEATURES 0x40000003u      /* privilege mask, features */
#define HV_CPUID_ENLIGHTENMENT 0x40000004u /* recommendations */
#define HV_CPUID_LIMITS 0x40000005u        /* max VPs, LPs */
#define HV_CPUID_MAX_LEAF 0x4000000Au      /* through the nested features leaf */
#define HV_CPUID_HV1 0x31237648u           /* "Hv#1" */

/* 0x40000003 EAX/EBX: HV_PARTITION_PRIVILEGE_MASK, low and high halves. */
#define HV_PRIV_TIME_REF_COUNT (1u << 1)   /* AccessPartitionReferenceCounter */
#define HV_PRIV_SYNIC (1u << 2)            /* AccessSynicRegs */
#define HV_PRIV_HYPERCALL (1u << 5)        /* AccessHypercallMsrs */
#define HV_PRIV_VP_INDEX (1u << 6)         /* AccessVpIndex */
#define HV_PRIV_REFERENCE_TSC (1u << 9)    /* AccessPartitionReferenceTsc */
#define HV_PRIV_FREQUENCY (1u << 11)       /* AccessFrequencyRegs */
#define HV_PRIV_HI_POST_MESSAGES (1u << 4) /* EBX: PostMessages */
#define HV_PRIV_HI_SIGNAL_EVENTS (1u << 5) /* EBX: SignalEvents */
/* 0x40000003 EDX */
#define HV_FEATURE_FREQUENCY_MSRS (1u << 8) /* with EAX bit 11: the frequency MSRs */
/* 0x40000004 EAX */
#define HV_RECOMMEND_DEPRECATE_AUTOEOI (1u << 9)

/* ---- synthetic MSRs (TLFS "Partition Properties", "Synthetic Interrupt
 * Controller", "Timers"; numbers hvgdk_mini.h HV_X64_MSR_*) ---- */
#define HV_MSR_GUEST_OS_ID 0x40000000u
#define HV_MSR_HYPERCALL 0x40000001u
#define HV_MSR_VP_INDEX 0x40000002u
#define HV_MSR_TIME_REF_COUNT 0x40000020u
#define HV_MSR_REFERENCE_TSC 0x40000021u
#define HV_MSR_TSC_FREQUENCY 0x40000022u
#define HV_MSR_APIC_FREQUENCY 0x40000023u
#define HV_MSR_SCONTROL 0x40000080u
#define HV_MSR_SVERSION 0x40000081u
#define HV_MSR_SIEFP 0x40000082u
#define HV_MSR_SIMP 0x40000083u
#define HV_MSR_VP_ASSIST_PAGE 0x40000073u
#define HV_MSR_EOM 0x40000084u
#define HV_MSR_SINT0 0x40000090u
#define HV_SINT_COUNT 16
#define HV_SYNIC_VERSION 1 /* HV_SYNIC_VERSION_1 */

/* SINTn layout (TLFS "SINTx Registers"). */
#define HV_SINT_VECTOR_MASK 0xFFull
#define HV_SINT_MASKED (1ull << 16)
#define HV_SINT_AUTO_EOI (1ull << 17)
#define HV_SINT_POLLING (1ull << 18)
#define HV_SINT_RESET 0x10000ull /* masked, vector 0 */

/* ---- hypercalls (TLFS "Hypercall Interface") ---- */
#define HV_CALL_POST_MESSAGE 0x005Cu
#define HV_CALL_SIGNAL_EVENT 0x005Du

#define HV_STATUS_SUCCESS 0x0u
#define HV_STATUS_INVALID_HYPERCALL_CODE 0x2u
#define HV_STATUS_INVALID_HYPERCALL_INPUT 0x3u
#define HV_STATUS_INVALID_ALIGNMENT 0x4u
#define HV_STATUS_INVALID_PARAMETER 0x5u
#define HV_STATUS_ACCESS_DENIED 0x6u
#define HV_STATUS_INVALID_CONNECTION_ID 0x12u
#define HV_STATUS_INSUFFICIENT_BUFFERS 0x13u
#define HV_STATUS_INVALID_SYNIC_STATE 0x18u

/* ---- SynIC pages (TLFS "SIM and SIEF", hv_message.md) ---- */
#define HV_PAGE_SIZE 4096u
#define HV_MESSAGE_SIZE 256u
#define HV_MESSAGE_PAYLOAD_MAX 240u
#define HV_MESSAGE_FLAG_PENDING 0x1u
#define HV_EVENT_FLAGS_BYTES 256u /* 2048 flags per SINT */

#endif
