#!/usr/bin/env python3
"""Trees for issue 19's cost table: python3 bench/gen_untrusted.py DIR

DIR/env       a 426-byte .env whose every line doubles the previous value, beside a
              compose.yaml that uses one of them (a parse error past the 64 KiB bound)
DIR/replicas  one service with deploy.replicas 12000 over "1-65535:80"
DIR/wayout    20,000 collisions on dense ports 20000-39999: two Procfiles of 20,000
              processes each (cheap to parse, so the way out is what is timed)
DIR/wayout-compose  the same collisions as two Compose files of 20,000 services
"""
import os
import string
import sys

root = sys.argv[1]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as out:
        out.write(text)


names = [a + b for a in string.ascii_uppercase for b in string.ascii_uppercase][:43]
lines = [f"{names[0]}=xx"] + [f"{names[i]}=${names[i - 1]}${names[i - 1]}" for i in range(1, 43)]
write(f"{root}/env/app/.env", "\n".join(lines) + "\n")
write(f"{root}/env/app/compose.yaml", 'services:\n  web:\n    ports: ["${AC}:80"]\n')
write(
    f"{root}/replicas/app/compose.yaml",
    'services:\n  web:\n    image: nginx\n    deploy: {replicas: 12000}\n    ports: ["1-65535:80"]\n',
)
for side in "ab":
    write(f"{root}/wayout/{side}/Procfile", "".join(f"{side}{i}: server -p {20000 + i}\n" for i in range(20000)))
    write(
        f"{root}/wayout-compose/{side}/compose.yaml",
        "services:\n" + "".join(f'  {side}{i}:\n    image: x\n    ports: ["{20000 + i}:80"]\n' for i in range(20000)),
    )
