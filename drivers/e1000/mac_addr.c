/* The Ethernet address from RAL0/RAH0 or the EEPROM (mac_addr.h). */
#include "drivers/e1000/mac_addr.h"

#define MAC_GROUP_BIT 0x01 /* IEEE 802-2014, 8.2.2: first byte, bit 0 */

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
