"""What the Python binding's API tests share: their captures, and the
protocols of a packet as tshark's frame.protocols writes them."""

from helpers.common import DATA_DIR

HTTP = str(DATA_DIR / 'ndpi__http_auth.pcap')      # 33 packets, HTTP + TCP
DNS_TCP = str(DATA_DIR / 'tcpdump__dns_tcp.pcap')  # DNS over TCP
TLS = str(DATA_DIR / 'rtshark__test_tls.pcap')
TLS_KEYS = str(DATA_DIR / 'rtshark__test_tls.keylog')
WPA = str(DATA_DIR / 'libpcap__wpa2linkuppassphraseiswireshark.pcap')
CONNCHECK = str(DATA_DIR / 'ndpi__conncheck.pcap')


def protocols(packet):
    return packet.frame_info.protocols
