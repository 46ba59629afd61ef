# httpd serves HTTP over the network: its image links the device layers (the
# default; see Makefile), which the socket layer's network devices need.
