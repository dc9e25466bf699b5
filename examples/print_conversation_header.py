#!/usr/bin/env python3
"""The classic PyShark tutorial example (print_conversation_header), with
the capture time added: one line per TCP/UDP packet with its transport,
addresses, ports and capture time.

    python3 examples/print_conversation_header.py CAPTURE
"""
import sys

import cshark as pyshark


def print_conversation_header(pkt):
    try:
        protocol = pkt.transport_layer
        src_addr = pkt.ip.src
        src_port = pkt[pkt.transport_layer].srcport
        dst_addr = pkt.ip.dst
        dst_port = pkt[pkt.transport_layer].dstport
        print('%s  %s:%s --> %s:%s  %s %s' % (protocol, src_addr, src_port, dst_addr, dst_port,
                                            pkt.sniff_time, pkt.sniff_timestamp))
    except AttributeError:
        # ignore packets that aren't TCP/UDP or IPv4
        pass


capture = pyshark.FileCapture(sys.argv[1])
capture.apply_on_packets(print_conversation_header, timeout=100)
capture.close()
