# netcheck talks through the socket API: it links the network layer.
netcheck_NETWORK := yes
# It checks the network only: no block drivers (Makefile, NAME_BLOCK).
netcheck_BLOCK := no
