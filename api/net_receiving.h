/* Whether the app's receive callback (anyvm/net.h) is running: it runs
 * inside its driver's receive loop, where some calls must be refused
 * (api/devices.c: removing a device). */
#ifndef API_NET_RECEIVING_H
#define API_NET_RECEIVING_H

#include <stdbool.h>

bool api_net_receiving(void);

#endif
