# What `python3 -m http.server` imports, without serving: the module list for the image of
# the python-http-server case (debian_test.sh), which runs the real, unmodified
# `python3.11 -m http.server`. runpy and argparse are what `-m` and its main() add.
import argparse
import encodings.idna  # server_bind() resolves its own name (socket.getfqdn)
import runpy
import http.server
import socketserver
