#!/usr/bin/env python3
"""Writes one YAML file whose cost grows with one collection, for `portreg check` growth runs:

gen_yaml_growth.py KIND N OUT
  list       compose.yaml: one service whose `ports` list is one flow sequence of N
             container-only entries (`[1,1,…]`: publishes nothing, so the run measures reading,
             not judging); N = 50,000 makes 100 KB
  configmap  configmap.yaml: a Kubernetes ConfigMap whose `data` has N keys
  services   compose.yaml: N services, each with an environment mapping of 3 keys, labels,
             and one published port (8 services per port number, on 8 loopback addresses,
             so nothing collides); N = 20,000 makes about 9 MiB
  documents  stack.yaml: N Kubernetes documents (Deployment with hostPort, Service) in one stream
"""
import sys

kind, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lines = []
if kind == "list":
    lines += ["services:", "  app:", "    image: example/app", "    ports: [" + ",".join(["1"] * count) + "]"]
elif kind == "configmap":
    lines += ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: settings", "data:"]
    lines += [f'  key_{i:06d}: "value number {i} of the settings map"' for i in range(count)]
elif kind == "services":
    lines.append("services:")
    for i in range(count):
        port = 20000 + i // 8
        lines += [
            f"  svc{i:06d}:",
            f"    image: registry.example.com/team{i % 97}/service-{i:06d}:1.{i % 13}.0",
            "    restart: unless-stopped",
            "    environment:",
        ]
        lines += [f"      SETTING_{k}: \"value {k} of service {i}, long enough to look real\"" for k in range(3)]
        lines += [
            "    labels:",
            f"      com.example.owner: team{i % 97}",
            f"      com.example.description: service number {i} of the generated stack",
            "    ports:",
            f'      - "127.0.0.{1 + i % 8}:{port}:8080"',
        ]
elif kind == "documents":
    for i in range(count):
        lines += [
            "---", "apiVersion: apps/v1", "kind: Deployment", f"metadata: {{name: app{i}, namespace: ns{i}}}",
            "spec:", "  template:", "    spec:", "      containers:", f"        - name: app{i}",
            "          image: example/app", "          ports:", "            - containerPort: 8080",
            f"              hostPort: {10000 + i % 20000}", f"              hostIP: 127.{i // 20000 % 250}.0.1",
        ]
else:
    sys.exit(f"unknown kind {kind}")
with open(out, "w") as handle:
    handle.write("\n".join(lines) + "\n")
