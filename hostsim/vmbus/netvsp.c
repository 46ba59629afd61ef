/* hostsim's network VSP: NVSP on the channel, the buffers, delivery to
 * the guest (netvsp.h has the rules and sources). */
#include <stdio.h>
#include <string.h>

#include "hostsim/registry.h"
#include "hostsim/vmbus/gpa_direct.h"
#include "hostsim/vmbus/netvsp.h"
#include "hostsim/vmbus/wire.h"

/* NVSP message types and statuses (hyperv_net.h enum nvsp_msg_type,
 * NVSP_STAT_*), spelled here independently of the guest's. */
#define INIT 1u
#define INIT_COMPLETE 2u
#define NDIS_VERSION 100u
#define SEND_RECV_BUF 101u
#define SEND_RECV_BUF_COMPLETE 102u
#define REVOKE_RECV_BUF 103u
#define SEND_SEND_BUF 104u
#define SEND_SEND_BUF_COMPLETE 105u
#define REVOKE_SEND_BUF 106u
#define RNDIS_PKT 107u
#define RNDIS_PKT_COMPLETE 108u
#define NDIS_CONFIG 125u
#define ST_SUCCESS 1u
#define ST_FAIL 2u
#define NO_SECTION 0xFFFFFFFFu
#define V2 0x30002u
#define V61 0x60001u
#define MAX_MDL_CHAIN 34u             /* openvmm's INIT_COMPLETE max_mdl_chain_len */
#define RX_SECTION_EXTRA (256u + 36u) /* openvmm sub_allocation_size_for_mtu */
#define ETH_HEADER 14u
#define XFER_HEADER 8u
#define RNDIS_HEADER 44u
#define CSUM_PPI 16u

static const uint32_t versions[] = {0x60001, 0x60000, 0x50000, 0x40000, 0x30002, 0x00002};

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* NVSP messages are 28 bytes before 6.1, 40 from it (openvmm
 * PACKET_SIZE_V1/V61): the host pads its own to that. */
static size_t msg_size(const struct netvsp *v)
{
    return v->version >= V61 ? 40 : 28;
}

static void complete(struct netvsp *v, uint64_t tid, const uint8_t *m)
{
    vmbus_host_channel_send(v->ch, VMBUS_PACKET_COMP, 0, tid, m, msg_size(v));
}

static bool misbehave_now(struct netvsp *v, enum netvsp_misbehave kind, const char *what)
{
    if (v->misbehave != kind || v->misbehaved)
        return false;
    v->misbehaved = true;
    if (v->ch->host->hooks.misbehaving != NULL)
        v->ch->host->hooks.misbehaving(v->ch->host->hooks.ctx, what);
    return true;
}

static void say(struct netvsp *v, const char *line)
{
    if (v->hooks.log != NULL)
        v->hooks.log(v->hooks.ctx, line);
}

static void init(struct netvsp *v, const uint8_t *m, size_t n, uint64_t tid)
{
    if (n < 12 || v->inited) {
        vmbus_host_violation(v->ch->host,
                             "netvsc: NVSP INIT of %zu bytes%s: expected one INIT of 12 bytes", n,
                             v->inited ? " after INIT succeeded" : "");
        return;
    }
    uint32_t lo = get32(m + 4), hi = get32(m + 8), chosen = 0;
    for (unsigned i = 0; i < sizeof versions / sizeof versions[0] && chosen == 0; i++)
        if (versions[i] <= v->max_version && versions[i] >= lo && versions[i] <= hi)
            chosen = versions[i];
    uint8_t r[40] = {0};
    put32(r, INIT_COMPLETE);
    put32(r + 4, chosen);
    put32(r + 8, MAX_MDL_CHAIN);
    put32(r + 12, chosen != 0 ? ST_SUCCESS : ST_FAIL);
    if (chosen != 0) {
        v->inited = true;
        v->version = chosen;
        char line[96];
        snprintf(line, sizeof line, "netvsc: NVSP %u.%u agreed", chosen >> 16, chosen & 0xFFFF);
        say(v, line);
    }
    complete(v, tid, r);
}

/* A buffer GPADL the guest names: one range at offset 0 of its channel. */
static const struct vmbus_host_gpadl *buffer(struct netvsp *v, uint32_t id, const char *what)
{
    const struct vmbus_host_gpadl *g = vmbus_host_channel_gpadl(v->ch, id);
    if (g == NULL || g->rangecount != 1 || g->first_offset != 0) {
        vmbus_host_violation(v->ch->host,
                             "netvsc: %s names GPADL %u: expected a GPADL of this channel with "
                             "one range at offset 0",
                             what, id);
        return NULL;
    }
    return g;
}

static void send_recv_buf(struct netvsp *v, const uint8_t *m, size_t n, uint64_t tid)
{
    if (n < 10 || !v->inited || v->rx_buf || (v->version >= V2 && !v->ndis_config)) {
        vmbus_host_violation(v->ch->host,
                             "netvsc: SEND_RECV_BUF (%zu bytes) %s: expected it once, after INIT "
                             "and (NVSP 2 and later) NDIS_CONFIG",
                             n, v->rx_buf ? "again" : "out of order");
        return;
    }
    uint32_t id = get32(m + 4);
    const struct vmbus_host_gpadl *g = buffer(v, id, "SEND_RECV_BUF");
    if (g == NULL)
        return;
    uint32_t size = NETVSP_MTU + ETH_HEADER + RX_SECTION_EXTRA;
    uint32_t count = g->first_bytes / size;
    if (count > NETVSP_MAX_SECTIONS)
        count = NETVSP_MAX_SECTIONS;
    uint8_t r[40] = {0};
    put32(r, SEND_RECV_BUF_COMPLETE);
    put32(r + 4, count > NETVSP_CONTROL_SECTIONS ? ST_SUCCESS : ST_FAIL);
    if (count > NETVSP_CONTROL_SECTIONS) {
        put32(r + 8, 1); /* one run of sections */
        put32(r + 12, 0);
        put32(r + 16, size);
        put32(r + 20, count);
        put32(r + 24, size * count);
        v->rx_buf = true;
        v->rx_gpadl = id;
        memcpy(&v->rx_id, m + 8, 2);
        v->rx_section = size;
        v->rx_nsections = count;
        v->recv_buf_tid = tid;
        memset(v->rx_owner, 0, sizeof v->rx_owner);
    }
    complete(v, tid, r);
}

static void send_send_buf(struct netvsp *v, const uint8_t *m, size_t n, uint64_t tid)
{
    if (n < 10 || !v->inited || v->tx_buf) {
        vmbus_host_violation(v->ch->host,
                             "netvsc: SEND_SEND_BUF (%zu bytes) %s: expected it once, after INIT",
                             n, v->tx_buf ? "again" : "out of order");
        return;
    }
    uint32_t id = get32(m + 4);
    const struct vmbus_host_gpadl *g = buffer(v, id, "SEND_SEND_BUF");
    if (g == NULL)
        return;
    uint8_t r[40] = {0};
    put32(r, SEND_SEND_BUF_COMPLETE);
    put32(r + 4, g->first_bytes >= NETVSP_SEND_SECTION ? ST_SUCCESS : ST_FAIL);
    put32(r + 8, NETVSP_SEND_SECTION);
    if (g->first_bytes >= NETVSP_SEND_SECTION) {
        v->tx_buf = true;
        v->tx_gpadl = id;
    }
    complete(v, tid, r);
}

/* The RNDIS bytes of a GPA-direct packet: its page ranges one after the
 * other, as Linux's netvsc sends a message that is in no send section
 * (netvsc.c netvsc_send_pkt with a page buffer; section index 0xFFFFFFFF).
 * Their length, or 0 when the ranges cannot be read or do not fit. */
static uint32_t gather(struct netvsp *v, const struct vmbus_host_packet *p)
{
    struct vmbus_host_gpa gpa;
    char err[160];
    if (vmbus_host_gpa_parse(p, v->ch->host->mem, &gpa, err, sizeof err) != 0)
        return 0;
    uint32_t size = 0;
    for (unsigned i = 0; i < gpa.count; i++) {
        uint32_t len = gpa.range[i].len;
        if (len > sizeof v->scratch - size ||
            vmbus_host_gpa_read(v->ch->host->mem, &gpa.range[i], 0, v->scratch + size, len) != 0)
            return 0;
        size += len;
    }
    return size;
}

/* NVSP 107 from the guest: the RNDIS bytes of a send section, or of the
 * packet's page ranges when it names none. */
static void rndis_packet(struct netvsp *v, const struct vmbus_host_packet *p, uint64_t tid)
{
    const uint8_t *m = p->payload;
    size_t n = p->payload_len;
    uint32_t channel = n >= 16 ? get32(m + 4) : 0, index = n >= 16 ? get32(m + 8) : 0;
    uint32_t size = n >= 16 ? get32(m + 12) : 0;
    const struct vmbus_host_gpadl *g =
        v->tx_buf ? vmbus_host_channel_gpadl(v->ch, v->tx_gpadl) : NULL;
    bool direct = p->type == VMBUS_PACKET_DATA_GPA_DIRECT;
    if (direct && n >= 16 && channel <= 1 && index == NO_SECTION) {
        size = gather(v, p);
        if (size == 0) {
            vmbus_host_violation(v->ch->host,
                                 "netvsc: RNDIS packet in page ranges that cannot be read or are "
                                 "longer than %u bytes",
                                 (unsigned)sizeof v->scratch);
            return;
        }
    } else if (n < 16 || channel > 1 || direct || g == NULL || index == NO_SECTION || size == 0 ||
               size > NETVSP_SEND_SECTION ||
               vmbus_host_gpadl_read(g, v->ch->host->mem, (uint64_t)index * NETVSP_SEND_SECTION,
                                     v->scratch, size) != 0) {
        vmbus_host_violation(v->ch->host,
                             "netvsc: RNDIS packet on channel %u from send section %u, %u bytes: "
                             "expected channel 0 or 1 and 1 to 6144 bytes of a section of the "
                             "send buffer%s",
                             channel, index, size, g == NULL ? " (there is none)" : "");
        return;
    }
    v->reply_len = 0;
    uint32_t status = netvsp_rndis(v, channel, size);
    if (status == 0)
        return;
    uint8_t r[40] = {0};
    put32(r, RNDIS_PKT_COMPLETE);
    put32(r + 4, status);
    if (channel == 0 && misbehave_now(v, NETVSP_MISBEHAVE_TRANSACTION_ID,
                                      "netvsc: a send completion with the transaction id + 1"))
        tid++;
    complete(v, tid, r);
    if (v->reply_len != 0) { /* the RNDIS reply after the completion */
        uint32_t len = v->reply_len;
        v->reply_len = 0;
        netvsp_control_send(v, v->reply, len);
    }
    if (channel == 0 && misbehave_now(v, NETVSP_MISBEHAVE_UNSOLICITED,
                                      "netvsc: SEND_RECV_BUF_COMPLETE again, long after the "
                                      "request was answered")) {
        uint8_t again[40] = {0};
        put32(again, SEND_RECV_BUF_COMPLETE);
        put32(again + 4, ST_SUCCESS);
        complete(v, v->recv_buf_tid, again);
    }
}

/* The guest's completion of a transfer-page packet: frees its sections. */
static void guest_completion(struct netvsp *v, const struct vmbus_host_packet *p)
{
    uint64_t tid = p->transaction_id;
    if (p->payload_len < 8 || get32(p->payload) != RNDIS_PKT_COMPLETE || !v->rx_buf ||
        tid >= v->rx_nsections || v->rx_owner[tid] != tid + 1) {
        vmbus_host_violation(v->ch->host,
                             "netvsc: a completion (%u bytes, NVSP type %u) with transaction id "
                             "%llu: expected NVSP 108 for a receive packet the host sent",
                             p->payload_len, p->payload_len >= 4 ? get32(p->payload) : 0,
                             (unsigned long long)tid);
        return;
    }
    for (uint32_t s = 0; s < v->rx_nsections; s++)
        if (v->rx_owner[s] == tid + 1)
            v->rx_owner[s] = 0;
    if (v->hooks.rx_room != NULL)
        v->hooks.rx_room(v->hooks.ctx);
}

static void on_packet(struct vmbus_host_channel *ch, const struct vmbus_host_packet *p)
{
    struct netvsp *v = ch->service->ctx;
    if (p->type == VMBUS_PACKET_COMP) {
        guest_completion(v, p);
        return;
    }
    const uint8_t *m = p->payload;
    size_t n = p->payload_len;
    uint32_t type = n >= 4 ? get32(m) : 0;
    bool wants = p->flags & VMBUS_PACKET_FLAG_COMPLETION;
    bool must = type == INIT || type == SEND_RECV_BUF || type == SEND_SEND_BUF || type == RNDIS_PKT;
    bool direct_rndis = p->type == VMBUS_PACKET_DATA_GPA_DIRECT && type == RNDIS_PKT;
    if ((p->type != VMBUS_PACKET_DATA_INBAND && !direct_rndis) || (must && !wants)) {
        vmbus_host_violation(ch->host,
                             "netvsc: VMBus packet type %u carrying NVSP type %u%s: expected "
                             "in-band NVSP messages (RNDIS packets also in page ranges), "
                             "requests with completion requested",
                             p->type, type, must && !wants ? " without completion requested" : "");
        return;
    }
    switch (type) {
    case INIT:
        init(v, m, n, p->transaction_id);
        return;
    case NDIS_CONFIG:
    case NDIS_VERSION:
        if (!v->inited || n < 12 || (type == NDIS_CONFIG && v->version < V2)) {
            vmbus_host_violation(ch->host,
                                 "netvsc: NVSP %u (%zu bytes) before INIT or for NVSP %u.%u: "
                                 "expected it after INIT (NDIS_CONFIG from NVSP 2 on)",
                                 type, n, v->version >> 16, v->version & 0xFFFF);
            return;
        }
        if (type == NDIS_CONFIG)
            v->ndis_config = true;
        if (wants) /* openvmm answers an empty completion */
            vmbus_host_channel_send(ch, VMBUS_PACKET_COMP, 0, p->transaction_id, NULL, 0);
        return;
    case SEND_RECV_BUF:
        send_recv_buf(v, m, n, p->transaction_id);
        return;
    case SEND_SEND_BUF:
        send_send_buf(v, m, n, p->transaction_id);
        return;
    case REVOKE_RECV_BUF:
    case REVOKE_SEND_BUF: {
        uint16_t id = 0;
        if (n >= 6)
            memcpy(&id, m + 4, 2);
        bool rx = type == REVOKE_RECV_BUF;
        if (n < 6 || !(rx ? v->rx_buf : v->tx_buf) || (rx && id != v->rx_id)) {
            vmbus_host_violation(ch->host,
                                 "netvsc: REVOKE_%s_BUF of id %u: expected the id of a buffer "
                                 "the guest gave",
                                 rx ? "RECV" : "SEND", id);
            return;
        }
        if (rx)
            v->rx_buf = false;
        else
            v->tx_buf = false;
        return;
    }
    case RNDIS_PKT:
        rndis_packet(v, p, p->transaction_id);
        return;
    default:
        vmbus_host_violation(ch->host,
                             "netvsc: NVSP message type %u (%zu bytes): expected 1, 100, 101, "
                             "103, 104, 106, 107 or 125",
                             type, n);
    }
}

static void on_opened(struct vmbus_host_channel *ch)
{
    struct netvsp *v = ch->service->ctx;
    v->ch = ch;
}

static void on_closed(struct vmbus_host_channel *ch)
{
    struct netvsp *v = ch->service->ctx;
    v->inited = v->ndis_config = v->rx_buf = v->tx_buf = v->rndis_inited = false;
    v->version = 0;
    v->filter = 0;
    v->offload_tcp4 = v->offload_tcp6 = v->offload_udp4 = v->offload_udp6 = 0;
}

void netvsp_init(struct netvsp *v, const uint8_t mac[6], const struct netvsp_hooks *hooks)
{
    memset(v, 0, sizeof *v);
    static const uint8_t nic_class[16] = {0x63, 0x51, 0x61, 0xf8, 0x3e, 0xdf, 0xc5, 0x46,
                                          0x91, 0x3f, 0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e};
    v->service.name = "netvsc";
    memcpy(v->service.class_guid, nic_class, 16);
    memcpy(v->service.instance_guid + 10, mac, 6);
    v->service.instance_guid[0] = 0x4e; /* "N": any fixed instance */
    v->service.opened = on_opened;
    v->service.packet = on_packet;
    v->service.closed = on_closed;
    v->service.ctx = v;
    v->hooks = *hooks;
    memcpy(v->mac, mac, 6);
    v->link_up = true;
    v->max_version = V61;
}

bool netvsp_can_deliver(const struct netvsp *v)
{
    return v->ch != NULL && v->ch->open && v->rx_buf && v->rndis_inited && !v->ch->host->broken;
}

/* A free receive section at or after from (control sections first 16). */
static uint32_t free_section(const struct netvsp *v, uint32_t from, uint32_t to)
{
    for (uint32_t s = from; s < to; s++)
        if (v->rx_owner[s] == 0)
            return s;
    return NO_SECTION;
}

/* Sends one transfer-page packet naming sections sec[0..n) with lens on
 * channel; the sections become transaction sec[0]'s. */
static int send_sections(struct netvsp *v, uint32_t channel, const uint32_t *sec,
                         const uint32_t *lens, unsigned n)
{
    uint8_t pkt[XFER_HEADER + 8 * NETVSP_MAX_RANGES + 40] = {0};
    memcpy(pkt, &v->rx_id, 2);
    put32(pkt + 4, n);
    for (unsigned i = 0; i < n; i++) {
        put32(pkt + XFER_HEADER + 8 * i, lens[i]);
        put32(pkt + XFER_HEADER + 8 * i + 4, sec[i] * v->rx_section);
    }
    const struct vmbus_host_gpadl *g = vmbus_host_channel_gpadl(v->ch, v->rx_gpadl);
    if (channel == 0 && g != NULL &&
        misbehave_now(v, NETVSP_MISBEHAVE_RECV_SECTION,
                      "netvsc: a receive range past the end of the receive buffer"))
        put32(pkt + XFER_HEADER + 4, g->first_bytes - 8);
    uint8_t *m = pkt + XFER_HEADER + 8 * n;
    put32(m, RNDIS_PKT);
    put32(m + 4, channel);
    put32(m + 8, NO_SECTION);
    /* The transfer-page header and ranges sit between the descriptor and
     * the payload: the ring writes them as the packet's first bytes and
     * offset8 must point past them. */
    int r = vmbus_host_channel_send_xfer(v->ch, sec[0], pkt, XFER_HEADER + 8 * n, m, msg_size(v));
    if (r != 0)
        return -1;
    for (unsigned i = 0; i < n; i++)
        v->rx_owner[sec[i]] = (uint16_t)(sec[0] + 1);
    return 0;
}

int netvsp_control_send(struct netvsp *v, const uint8_t *msg, uint32_t len)
{
    uint32_t s = v->rx_buf ? free_section(v, 0, NETVSP_CONTROL_SECTIONS) : NO_SECTION;
    const struct vmbus_host_gpadl *g =
        v->rx_buf ? vmbus_host_channel_gpadl(v->ch, v->rx_gpadl) : NULL;
    if (s == NO_SECTION || g == NULL || len > v->rx_section) {
        vmbus_host_violation(v->ch->host,
                             "netvsc: no receive section free for an RNDIS control message: "
                             "expected the guest to complete what the host sent");
        return -1;
    }
    if (vmbus_host_gpadl_write(g, v->ch->host->mem, (uint64_t)s * v->rx_section, msg, len) != 0 ||
        send_sections(v, 1, &s, &len, 1) != 0) {
        vmbus_host_violation(v->ch->host, "netvsc: an RNDIS control message did not fit the "
                                          "host-to-guest ring: expected the guest to read it");
        return -1;
    }
    return 0;
}

/* Whether the packet filter lets a frame to dst through (hyperv_net.h
 * NDIS_PACKET_TYPE_*: directed 1, multicast 2, all multicast 4,
 * broadcast 8, promiscuous 0x20). */
static bool filter_passes(const struct netvsp *v, const uint8_t *dst)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (v->filter & 0x20)
        return true;
    if (memcmp(dst, bcast, 6) == 0)
        return v->filter & 0x8;
    if (dst[0] & 1)
        return v->filter & 0x6;
    return (v->filter & 0x1) && memcmp(dst, v->mac, 6) == 0;
}

/* The RNDIS PACKET_MSG of a frame in a receive section: the header, a
 * checksum PPI right after it, the frame (openvmm buffers.rs puts a PPI on
 * every frame). */
static uint32_t write_frame(struct netvsp *v, const struct vmbus_host_gpadl *g, uint32_t s,
                            const struct netvsp_frame *f)
{
    uint8_t h[RNDIS_HEADER + CSUM_PPI] = {0};
    uint32_t len = RNDIS_HEADER + CSUM_PPI + (uint32_t)f->len;
    put32(h, 1);
    put32(h + 4, len);
    put32(h + 8, RNDIS_HEADER + CSUM_PPI - 8);
    put32(h + 12, (uint32_t)f->len);
    put32(h + 28, RNDIS_HEADER - 8);
    put32(h + 32, CSUM_PPI);
    put32(h + 44, CSUM_PPI);
    put32(h + 48, 0); /* checksum */
    put32(h + 52, 12);
    put32(h + 56, f->csum);
    if (misbehave_now(v, NETVSP_MISBEHAVE_RNDIS_LEN,
                      "netvsc: a received frame whose RNDIS msg_len is 4096 past its range"))
        put32(h + 4, len + 4096);
    if (misbehave_now(v, NETVSP_MISBEHAVE_RNDIS_OFFSET,
                      "netvsc: a received frame whose RNDIS data_offset lies past the message"))
        put32(h + 8, len);
    uint64_t at = (uint64_t)s * v->rx_section;
    vmbus_host_gpadl_write(g, v->ch->host->mem, at, h, sizeof h);
    vmbus_host_gpadl_write(g, v->ch->host->mem, at + sizeof h, f->data, f->len);
    return len;
}

unsigned netvsp_deliver(struct netvsp *v, const struct netvsp_frame *f, unsigned n)
{
    const struct vmbus_host_gpadl *g =
        netvsp_can_deliver(v) ? vmbus_host_channel_gpadl(v->ch, v->rx_gpadl) : NULL;
    uint32_t sec[NETVSP_MAX_RANGES], lens[NETVSP_MAX_RANGES];
    unsigned taken = 0, k = 0;
    if (n > NETVSP_MAX_RANGES)
        n = NETVSP_MAX_RANGES;
    uint32_t from = NETVSP_CONTROL_SECTIONS;
    for (; taken < n; taken++) {
        if (g == NULL || f[taken].len < ETH_HEADER || f[taken].len > ETH_HEADER + NETVSP_MTU ||
            !filter_passes(v, f[taken].data)) {
            v->rx_dropped++;
            continue;
        }
        uint32_t s = free_section(v, from, v->rx_nsections);
        if (s == NO_SECTION)
            break;
        from = s + 1;
        sec[k] = s;
        lens[k] = write_frame(v, g, s, &f[taken]);
        k++;
    }
    if (k > 0 && send_sections(v, 0, sec, lens, k) != 0)
        return taken - k; /* the ring is full: those frames wait */
    v->rx_frames += k;
    return taken;
}

static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 2)
        sum += (uint32_t)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
    return sum;
}

static bool sums_to_ones(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return sum == 0xFFFF;
}

uint32_t netvsp_rx_checksum(const uint8_t *f, size_t len)
{
    if (len < ETH_HEADER + 20 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4)
        return 0;
    const uint8_t *ip = f + ETH_HEADER;
    size_t ihl = (size_t)(ip[0] & 0xF) * 4, total = (size_t)ip[2] << 8 | ip[3];
    if (ihl < 20 || ETH_HEADER + ihl > len)
        return 0;
    if (!sums_to_ones(sum16(0, ip, ihl)))
        return 0x4;                          /* IP failed */
    uint32_t v = 0x20;                       /* IP ok */
    bool fragment = (ip[6] & 0x3F) || ip[7]; /* more fragments, or an offset */
    uint8_t proto = ip[9];
    if (fragment || total < ihl || ETH_HEADER + total > len || (proto != 6 && proto != 17))
        return v;
    const uint8_t *l4 = ip + ihl;
    size_t l4len = total - ihl;
    if (l4len < (proto == 6 ? 20u : 8u) || (proto == 17 && l4[6] == 0 && l4[7] == 0))
        return v;
    uint8_t pseudo[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, proto, (uint8_t)(l4len >> 8), (uint8_t)l4len};
    memcpy(pseudo, ip + 12, 8);
    bool ok = sums_to_ones(sum16(sum16(0, pseudo, 12), l4, l4len));
    if (proto == 6)
        return v | (ok ? 0x8 : 0x1);
    return v | (ok ? 0x10 : 0x2);
}

void netvsp_set_link(struct netvsp *v, bool up)
{
    v->link_up = up;
    if (!netvsp_can_deliver(v))
        return;
    uint8_t m[20] = {0};
    put32(m, 7); /* INDICATE_STATUS */
    put32(m + 4, sizeof m);
    put32(m + 8, up ? 0x4001000Bu : 0x4001000Cu); /* MEDIA_CONNECT, MEDIA_DISCONNECT */
    netvsp_control_send(v, m, sizeof m);
}

/* The faults this back end injects on purpose (--misbehave KIND). */
static const struct hostsim_misbehave netvsp_misbehave_kinds[] = {
    {"netvsc-rndis-len", "netvsc", NETVSP_MISBEHAVE_RNDIS_LEN,
     "the first frame to the guest: RNDIS msg_len 4096 bytes past its receive range"},
    {"netvsc-rndis-offset", "netvsc", NETVSP_MISBEHAVE_RNDIS_OFFSET,
     "the first frame to the guest: RNDIS data_offset past the end of the message"},
    {"netvsc-recv-section", "netvsc", NETVSP_MISBEHAVE_RECV_SECTION,
     "the first frame to the guest: a receive range outside the receive buffer"},
    {"netvsc-wrong-tid", "netvsc", NETVSP_MISBEHAVE_TRANSACTION_ID,
     "the first frame from the guest: its completion carries the transaction id + 1"},
    {"netvsc-unsolicited", "netvsc", NETVSP_MISBEHAVE_UNSOLICITED,
     "the first frame from the guest: a SEND_RECV_BUF completion again, for no request"},
    {NULL, NULL, 0, NULL},
};

static const struct hostsim_backend netvsp_backend = {
    .name = "netvsc",
    .summary = "the Hyper-V model's synthetic NIC (NVSP and RNDIS on VMBus) on a TAP interface",
    .misbehave = netvsp_misbehave_kinds,
};
HOSTSIM_REGISTER_BACKEND(netvsp_backend);
