#!/usr/bin/env python3
"""The names asked in DNS packets, with a display filter (PyShark style).

    python3 examples/dns_queries.py CAPTURE
"""
import sys

import cshark as pyshark

with pyshark.FileCapture(sys.argv[1], display_filter='dns') as cap:
    for packet in cap:
        try:
            print(packet.number, packet.dns.qry_name)
        except AttributeError:
            pass  # a DNS packet without a question
