import csv, sys
path = sys.argv[1]
with open(path, newline='', encoding='utf-8') as f:
    raw = f.read()
print("BOM", raw.startswith('\ufeff'), "CRLF", raw.count('\r\n'), "bareLF", raw.count('\n')-raw.count('\r\n'), "bareCR", raw.count('\r')-raw.count('\r\n'))
with open(path, newline='', encoding='utf-8') as f:
    r = csv.reader(f)
    rows = []; starts = []; prev = 0
    for row in r:
        starts.append(prev + 1); prev = r.line_num
        rows.append(row)
hdr, recs = rows[0], rows[1:]
print("records", len(recs), "fieldcounts", sorted(set(len(x) for x in recs)))
nl = [i for i,x in enumerate(recs) if any('\n' in f or '\r' in f for f in x)]
dq = [i for i,x in enumerate(recs) if any('"' in f for f in x)]
ls = [i for i,x in enumerate(recs) if any(f != f.strip() for f in x)]
lead = [i for i,x in enumerate(recs) if any(f[:1].isspace() for f in x)]
nonascii = [i for i,x in enumerate(recs) if any(not f.isascii() for f in x)]
print("with newline", len(nl), "with quote", len(dq), "with leading/trailing ws", len(ls), "leading ws", len(lead), "non-ascii", len(nonascii))
for i in (nl[:2] + dq[:2] + lead[:2]):
    print("rec", i, "line", starts[i+1], repr(recs[i]))
with open('ref.txt', 'w', encoding='utf-8', newline='') as o:
    for i, x in enumerate(recs):
        o.write(str(starts[i+1]) + '\x1f' + '\x1f'.join(x) + '\x1e')
