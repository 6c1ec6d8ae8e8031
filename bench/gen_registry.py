#!/usr/bin/env python3
"""Writes a synthetic registry CSV (portreg's export format) for benchmarks.

usage: gen_registry.py ROWS HOSTS [SEED] > file.csv

Every host gets ROWS/HOSTS assignments on distinct random ports 1024-65535, one in five on
udp; owners and notes include commas and quotes. Rows come sorted as `portreg export`
writes them, so export after import must reproduce the file byte for byte.
"""
import csv
import random
import sys

rows_wanted, hosts = int(sys.argv[1]), int(sys.argv[2])
random.seed(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
per_host = rows_wanted // hosts
rows = []
for h in range(hosts):
    host = "host-%03d" % h
    for i, port in enumerate(random.sample(range(1024, 65536), per_host)):
        rows.append(("svc-%d-%d" % (h, i), port, "tcp" if i % 5 else "udp", host, "*",
                     "team-%d" % (i % 40), 'note, "quoted" %d' % i, "2026-11-27T10:00:00Z", ""))
rows.sort(key=lambda r: (r[1], r[1], r[2], r[3], r[0].lower(), r[4]))
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["service", "port", "protocol", "host", "bind", "owner", "note", "created_at", "expires_at"])
out.writerows(rows)
