#!/usr/bin/env bash
# Writes the fuzz dictionaries from tshark 4.0's registry (tshark -G) and the
# lists below. Run from anywhere; the output is checked in.
set -euo pipefail
cd "$(dirname "$0")"
fields=$(mktemp)
trap 'rm -f "$fields"' EXIT
tshark -G fields 2>/dev/null >"$fields"
q() { sed 's/\\/\\\\/g; s/"/\\"/g; s/.*/"&"/'; }
# The protocols of fuzz/data/small.pcap and a few neighbours: their fields.
small_fields() {
    awk -F'\t' '$1=="F" {print $3}' "$fields" |
        grep -E '^(frame|eth|ip|tcp|udp|dns|http|ntp|_ws\.(expert|malformed|col))\.' | sort -u
}
small_protocols() {
    printf '%s\n' frame eth ip ipv6 tcp udp dns http ntp arp icmp icmpv6 tls quic dhcp \
        wlan radiotap sll data _ws.expert _ws.malformed
}
{
    echo "# Display filters: operators, functions, literals and field names (generate.sh)."
    printf '%s\n' "==" "!=" "===" "!==" "<" ">" "<=" ">=" "eq" "ne" "gt" "lt" "ge" "le" "&&" "||" \
        "!" "and" "or" "not" "xor" "^^" "contains" "matches" "~" "in" "{" "}" ".." "[" "]" ":" \
        "(" ")" "," "-" "+" "*" "/" "%" "&" "any" "all" "len(" "count(" "upper(" "lower(" \
        "string(" "max(" "min(" "abs(" '${' '$' '@' '"' '\' '\x' '\u' "/24" "/64" \
        "0x" "1.2.3.4" "::1" "ff:ff:ff:ff:ff:ff" "00:1b" "1e10" "-1" "4294967296" "true" \
        "false" "TRUE" "\"2013-01-01 00:00:00\"" "\"Jan  1, 2013 00:00:00\"" "(?i)" ".*" | q
    small_protocols | q
    small_fields | q
} >filter.dict
{
    echo "# -z specs (cshark_capture_analyze) and their parts (generate.sh)."
    printf '%s\n' conv endpoints io,phs expert follow objects credentials tree \
        tcp udp ip ipv6 eth wlan sctp http http2 tls quic dicom imf smb tftp ftp-data \
        ascii hex raw ebcdic yaml error warn note chat comment http_req dns plen ptype \
        ip_hosts ip_srcdst "," ":" "[::1]:80" "192.168.0.4:54337" "0-3" | q
    small_protocols | q
} >analysis.dict
{
    echo "# Option lines of fuzz_options: kinds, preferences, decode-as, keys (generate.sh)."
    printf '%s\n' "o" "d" "+" "-" "N" "w" "e" "Y" "c" "M" "2" \
        "tcp.desegment_tcp_streams:" "TRUE" "FALSE" "ip.defragment:" "http.tcp.port:" \
        "gui.column.format:" "gui.column.hidden:" "tls.keylog_file:" "nameres.mac_name:" \
        "uat:80211_keys:" "uat:custom_http_header_fields:" "uat:user_dlts:" \
        "wlan.enable_decryption:" "tcp.port==" "udp.port==" "ip.proto==" "ethertype==" \
        "sctp.ppi==" "tcp.port==8888,http" "wpa-pwd" "wpa-psk" "wep" "%m" "%t" "%s" "%d" "%p" \
        "%L" "%i" "%Cus:ip.ttl:0:R" "\"No.\"" mntdvN | q
    printf '"\\x0a"\n'
    small_protocols | q
    small_fields | head -200 | q
} >options.dict
{
    echo "# cshark command lines, NUL-separated (generate.sh)."
    printf '%s\n' -r -j -c -V -T -e -E -Y -2 -o -d -n -N -v -h -i -f -s -p -I -B -a -w -b -M \
        -D -l -q -z --help --version --resolve-names --no-personal-config --check-filter \
        --disable-protocol --enable-protocol --export-objects text tabs brief summary fields \
        json pdml psml header=y separator=/t separator=/s occurrence=f aggregator=, quote=d \
        bom=y duration: filesize: files: help io,phs conv,tcp follow,tcp,ascii,0 \
        _ws.col.Info ip.src dns.qry.name | q
    printf '"\\x00"\n'
} >cli.dict
{
    echo "# Capture bytes: file magics, pcapng block types, link-layer and IP numbers,"
    echo "# protocol words (generate.sh)."
    printf '%s\n' '"\xd4\xc3\xb2\xa1"' '"\xa1\xb2\xc3\xd4"' '"\x4d\x3c\xb2\xa1"' \
        '"\x0a\x0d\x0d\x0a"' '"\x1a\x2b\x3c\x4d"' '"\x01\x00\x00\x00"' \
        '"\x06\x00\x00\x00"' '"\x03\x00\x00\x00"' '"\x05\x00\x00\x00"' \
        '"\x0a\x00\x00\x00"' '"\x1f\x8b\x08"' '"\x28\xb5\x2f\xfd"' '"\xff\xff"' \
        '"\x08\x00"' '"\x86\xdd"' '"\x08\x06"' '"\x81\x00"' '"\x88\x8e"' '"\x88\x47"' \
        '"\x45\x00"' '"\x60\x00\x00\x00"' '"\x00\x50"' '"\x00\x35"' '"\x01\xbb"' \
        '"\x00\x7b"' '"\x00\x43"' '"\x12\xb5"' '"\xaa\xaa\x03"' '"\x16\x03\x01"' \
        '"GET / HTTP/1.1\x0d\x0a"' '"Host: "' '"HTTP/1.1 200 OK\x0d\x0a"' \
        '"Content-Length: "' '"Transfer-Encoding: chunked"' '"\x0d\x0a\x0d\x0a"'
} >capture.dict
echo "capture $(grep -c . capture.dict) filter $(grep -c . filter.dict) analysis $(grep -c . analysis.dict) options $(grep -c . options.dict) cli $(grep -c . cli.dict)"
