#!/usr/bin/env python3
"""Every HTTP request URI, found by walking each HTTP layer's fields
(`_all_fields`, as PyShark scripts often do).

    python3 examples/http_full_uris.py CAPTURE
"""
import sys

import cshark as pyshark

cap = pyshark.FileCapture(sys.argv[1])
for packet in cap:
    if 'http' not in packet:
        continue
    for field_name, field in packet.http._all_fields.items():
        if field_name == 'http.request.full_uri':
            for occurrence in field.all_fields:
                print(packet.number, occurrence.show)
cap.close()
