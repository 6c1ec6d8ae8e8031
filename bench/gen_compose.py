#!/usr/bin/env python3
"""Writes a tree of Compose projects for `portreg check` benchmarks:
gen_compose.py DIR [FILES [PORTS]] -> FILES Compose files (default 1000) holding PORTS port
mappings in all (default 10000): short and long syntax, host IPs (IPv4, bracketed IPv6), udp,
interpolation from each project's .env, YAML anchors and merge keys, and every tenth file an
override (compose.override.yaml) that collides on purpose with the project before it."""
import os
import random
import sys

root = sys.argv[1]
files = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
ports = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
random.seed(42)
per_file = ports // files
next_port = 10000
index = 0
made = 0
previous_first = next_port
while made < files:
    project = os.path.join(root, f"team{index // 50:02d}", f"app{index:04d}")
    os.makedirs(project, exist_ok=True)
    override = index % 10 == 9 and made + 1 < files
    lines = [f"name: app{index:04d}", "x-defaults: &defaults", "  restart: unless-stopped", "services:"]
    env = []
    written = 0
    service = 0
    first = next_port
    wanted = 2 * per_file - 1 if override else per_file
    while written < wanted:
        lines += [f"  svc{service}:", "    <<: *defaults", f"    image: example/svc{service}:1.{index}", "    ports:"]
        for _ in range(min(5, wanted - written)):
            port = next_port
            next_port += 1
            style = written % 5
            if style == 0:
                lines.append(f'      - "{port}:80"')
            elif style == 1:
                lines.append(f'      - "127.0.0.1:{port}:{port}/udp"')
            elif style == 2:
                lines += [f"      - target: 8080", f'        published: "{port}"', "        protocol: tcp"]
            elif style == 3:
                env.append(f"PORT_{written}={port}")
                lines.append(f'      - "${{PORT_{written}:-1}}:9000"')
            else:
                lines.append(f'      - "[::1]:{port}:443"')
            written += 1
        service += 1
    with open(os.path.join(project, "compose.yaml"), "w") as out:
        out.write("\n".join(lines) + "\n")
    made += 1
    if env:
        with open(os.path.join(project, ".env"), "w") as out:
            out.write("\n".join(env) + "\n")
    if override:
        with open(os.path.join(project, "compose.override.yaml"), "w") as out:
            # Collides on purpose with the first port of the previous project.
            out.write(f'services:\n  svc0:\n    ports:\n      - "{previous_first}:81"\n')
        made += 1
    previous_first = first
    index += 1
