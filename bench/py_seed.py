"""The binding's benchmark loops (issue 5), run by bench/run.py:
    py_seed.py F            for p in FileCapture(F): p.ip.src if 'ip' in p else None
    py_seed.py --fields F   the same with fields=['ip.src'] (the fast path)
Prints the packet count; the caller times the whole process."""
import sys

import cshark

fields = sys.argv[1] == "--fields"
path = sys.argv[-1]
n = 0
cap = cshark.FileCapture(path, fields=["ip.src"] if fields else None)
for p in cap:
    # 18 corpus packets have an ip layer without ip.src (bogus version):
    # PyShark raises AttributeError there too.
    try:
        p.ip.src if "ip" in p else None
    except AttributeError:
        pass
    n += 1
cap.close()
print(n)
