"""The binding's analyses (issue 17), run by bench/run.py:
    py_analyses.py conv F     FileCapture(F).conversations('tcp')
    py_analyses.py three F    analyze('conv,tcp', 'expert', 'io,phs') in one read
Prints the row counts; the caller times the whole process against tshark -q -z."""
import sys

import cshark

what, path = sys.argv[1], sys.argv[2]
with cshark.FileCapture(path) as cap:
    if what == "conv":
        print(len(cap.conversations("tcp")))
    else:
        print([len(r.rows) for r in cap.analyze("conv,tcp", "expert", "io,phs")])
