/* The e1000's Ethernet address from what the device reports (pure logic,
 * host-tested): the receive address registers RAL0/RAH0, or EEPROM words
 * 0-2, and whether the result may be used as a station address. */
#ifndef DRIVERS_E1000_MAC_ADDR_H
#define DRIVERS_E1000_MAC_ADDR_H

#include <stdbool.h>
#include <stdint.h>

#define E1000_RAH_AV (1u << 31) /* Address Valid [SDM] ch. 13, RAH */

/* RAL0 holds bytes 0-3 (byte 0 lowest), RAH0 bits 15:0 bytes 4-5. Returns
 * false when RAH0's Address Valid bit is clear. */
bool e1000_mac_from_ra(uint32_t ral, uint32_t rah, uint8_t mac[6]);
/* EEPROM words 0, 1, 2: bytes 0-1, 2-3, 4-5, low byte first. */
void e1000_mac_from_eeprom(const uint16_t words[3], uint8_t mac[6]);
/* A unicast address that is not all zeros (a group address, broadcast
 * included, is never a station's: IEEE 802-2014, 8.2.2). */
bool e1000_mac_usable(const uint8_t mac[6]);

/* Where the address came from: the first usable of RAL0/RAH0 (ra, NULL
 * when Address Valid was clear), the EEPROM (eeprom, NULL when it could
 * not be read) and random bytes (rnd, made unicast and locally
 * administered). */
enum e1000_mac_source { E1000_MAC_RA, E1000_MAC_EEPROM, E1000_MAC_RANDOM };
enum e1000_mac_source e1000_mac_choose(const uint8_t *ra, const uint8_t *eeprom,
                                       const uint8_t rnd[6], uint8_t mac[6]);

#endif
