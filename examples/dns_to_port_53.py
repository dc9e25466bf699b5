#!/usr/bin/env python3
"""UDP packets sent to port 53, selected in Python (a common PyShark idiom).

    python3 examples/dns_to_port_53.py CAPTURE
"""
import sys

import cshark as pyshark

cap = pyshark.FileCapture(sys.argv[1])
for packet in cap:
    if hasattr(packet, 'udp') and packet[packet.transport_layer].dstport == '53':
        network = packet.ip if 'ip' in packet else packet.ipv6
        print(packet.number, network.src, '->', network.dst)
cap.close()
