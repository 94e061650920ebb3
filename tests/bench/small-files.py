#!/usr/bin/env python3
"""Write N files of BYTES random bytes into DIR, in 100 folders: DIR/00/f000000.bin, DIR/01/f000001.bin, ...

usage: small-files.py DIR N BYTES   (the folder of many small files that the git model benchmarks time)
"""
import os
import sys

root, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    d = os.path.join(root, "%02d" % (i % 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%06d.bin" % i), "wb") as f:
        f.write(os.urandom(size))
