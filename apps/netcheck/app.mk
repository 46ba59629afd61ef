# netcheck talks through the socket API: it links the network layer.
netcheck_NETWORK := yes
