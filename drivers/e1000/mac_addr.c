/* The Ethernet address from RAL0/RAH0 or the EEPROM (mac_addr.h). */
#include "drivers/e1000/mac_addr.h"

#include <string.h>

#define MAC_GROUP_BIT 0x01 /* IEEE 802-2014, 8.2.2: first byte, bit 0 */
#define MAC_LOCAL_BIT 0x02 /* ... bit 1: locally administered */

bool e1000_mac_from_ra(uint32_t ral, uint32_t rah, uint8_t mac[6])
{
    if (!(rah & E1000_RAH_AV))
        return false;
    for (unsigned i = 0; i < 4; i++)
        mac[i] = (uint8_t)(ral >> (8 * i));
    mac[4] = (uint8_t)rah;
    mac[5] = (uint8_t)(rah >> 8);
    return true;
}

void e1000_mac_from_eeprom(const uint16_t words[3], uint8_t mac[6])
{
    for (unsigned i = 0; i < 3; i++) {
        mac[2 * i] = (uint8_t)words[i];
        mac[2 * i + 1] = (uint8_t)(words[i] >> 8);
    }
}

bool e1000_mac_usable(const uint8_t mac[6])
{
    if (mac[0] & MAC_GROUP_BIT)
        return false;
    for (unsigned i = 0; i < 6; i++)
        if (mac[i] != 0)
            return true;
    return false;
}

enum e1000_mac_source e1000_mac_choose(const uint8_t *ra, const uint8_t *eeprom,
                                       const uint8_t rnd[6], uint8_t mac[6])
{
    if (ra != NULL && e1000_mac_usable(ra)) {
        memcpy(mac, ra, 6);
        return E1000_MAC_RA;
    }
    if (eeprom != NULL && e1000_mac_usable(eeprom)) {
        memcpy(mac, eeprom, 6);
        return E1000_MAC_EEPROM;
    }
    memcpy(mac, rnd, 6);
    mac[0] = (uint8_t)((mac[0] & ~MAC_GROUP_BIT) | MAC_LOCAL_BIT);
    return E1000_MAC_RANDOM; /* never all zeros: the local bit is set */
}
