# How the R*Tree mirrors are best kept during a bulk replace (docs/DECISIONS.md, issue 6):
# spans written by code after the rows, triggers dropped and recreated, or triggers left on.
# Needs ../shared/data; run: python3 bench/rtree_owner.py
import sqlite3, time, csv, os, statistics
rows=[]
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'data', 'service-names-port-numbers.csv'), newline='') as f:
    r=csv.reader(f); next(r)
    for rec in r:
        p=rec[1].strip()
        if not p: lo=hi=None
        elif '-' in p: a,b=p.split('-'); lo,hi=int(a),int(b)
        else: lo=hi=int(p)
        rows.append((rec[0] or None, lo, hi, rec[2] or None, rec[3]))
print(sqlite3.sqlite_version, len(rows))
schema="""
CREATE TABLE e (id INTEGER PRIMARY KEY, service TEXT, port_low INTEGER, port_high INTEGER, protocol TEXT, description TEXT);
CREATE INDEX e_port ON e(port_low) WHERE port_low = port_high;
CREATE VIRTUAL TABLE s USING rtree(id, low, high);
"""
trig="""CREATE TRIGGER e_ins AFTER INSERT ON e WHEN new.port_high > new.port_low BEGIN INSERT INTO s VALUES (new.id, new.port_low, new.port_high); END;
CREATE TRIGGER e_del AFTER DELETE ON e WHEN old.port_high > old.port_low BEGIN DELETE FROM s WHERE id = old.id; END;"""
def run(mode):
    path=os.path.join(os.environ.get('TMPDIR', '/tmp'), 'portreg-rtree-owner.db')
    for x in ('','-wal','-shm','-journal'):
        try: os.remove(path+x)
        except FileNotFoundError: pass
    db=sqlite3.connect(path, isolation_level=None)
    db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16384;"+schema+(trig if mode!='code' else ''))
    # a previous import to replace, as portreg does
    db.execute("BEGIN IMMEDIATE"); db.executemany("INSERT INTO e (service,port_low,port_high,protocol,description) VALUES (?,?,?,?,?)", rows)
    if mode == "code": db.execute("INSERT INTO s SELECT id, port_low, port_high FROM e WHERE port_high > port_low")
    db.execute("COMMIT")
    t=time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    if mode=='drop': db.execute("DROP TRIGGER e_ins"); db.execute("DROP TRIGGER e_del")
    if mode in ('code','drop'): db.execute("DELETE FROM s WHERE id IN (SELECT id FROM e WHERE port_high > port_low)")
    db.execute("DELETE FROM e")
    first=(db.execute("SELECT coalesce(max(id),0) FROM e").fetchone()[0] or 0)+1
    db.executemany("INSERT INTO e (service,port_low,port_high,protocol,description) VALUES (?,?,?,?,?)", rows)
    if mode in ('code','drop'): db.execute("INSERT INTO s SELECT id, port_low, port_high FROM e WHERE port_high > port_low")
    if mode=='drop':
        for st in trig.split(';\n'): db.execute(st)
    db.execute("COMMIT")
    el=time.perf_counter()-t
    db.close(); return el*1000
res={m:[] for m in ['code','drop','trigger']}
for i in range(7):
    for m in res: res[m].append(run(m))
for m,v in res.items(): print(m, "median %.1f ms, min %.1f ms"%(statistics.median(v), min(v)))
for x in ('','-wal','-shm'):
    try: os.remove(os.path.join(os.environ.get('TMPDIR', '/tmp'), 'portreg-rtree-owner.db') + x)
    except FileNotFoundError: pass
