# httpd serves HTTP over the network: its image links the device layers (the
# default; see Makefile) and the network layer (lwIP and the socket calls).
httpd_NETWORK := yes
# make run APP=httpd forwards host port 8080 to the guest's port 80.
httpd_RUN := -p 8080:80
# It serves its initrd and reads no disk: no block drivers (Makefile, NAME_BLOCK).
httpd_BLOCK := no
