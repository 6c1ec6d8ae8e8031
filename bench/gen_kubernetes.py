#!/usr/bin/env python3
"""Writes a tree of kustomize bases and overlays for `portreg check` benchmarks:
gen_kubernetes.py DIR [APPS] -> APPS folders (default 2000), each a kustomize base
(kustomization.yaml with a namespace, a Deployment with two hostPorts, a DaemonSet on
hostNetwork, a NodePort Service) and an overlay with a patch of the Deployment, plus one
rendered copy per provider (aws, gcp) of the base's objects with their namespace written out:
5 manifests per app, every object in three files. Ports are distinct, so a correct judge
reports nothing but the catalog's warnings."""
import os
import sys

root = sys.argv[1]
apps = int(sys.argv[2]) if len(sys.argv) > 2 else 2000


def deployment(name, port, namespace=None):
    ns = f"  namespace: {namespace}\n" if namespace else ""
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
{ns}spec:
  template:
    spec:
      containers:
        - name: web
          ports:
            - containerPort: 8080
              hostPort: {port}
            - containerPort: 9090
              hostPort: {port + 1}
"""


def daemonset(name, port, namespace=None):
    ns = f"  namespace: {namespace}\n" if namespace else ""
    return f"""apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {name}-agent
{ns}spec:
  template:
    spec:
      hostNetwork: true
      containers:
        - name: agent
          ports:
            - containerPort: {port}
"""


def service(name, node_port, namespace=None):
    ns = f"  namespace: {namespace}\n" if namespace else ""
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
{ns}spec:
  type: NodePort
  ports:
    - port: 80
      nodePort: {node_port}
"""


for index in range(apps):
    name = f"app{index:05d}"
    namespace = f"team{index % 40:02d}"
    port = 10000 + 3 * index
    node_port = 30000 + index % 2767
    base = os.path.join(root, "apps", name, "base")
    overlay = os.path.join(root, "apps", name, "overlays", "prod")
    os.makedirs(base, exist_ok=True)
    os.makedirs(overlay, exist_ok=True)
    with open(os.path.join(base, "kustomization.yaml"), "w") as f:
        f.write(f"namespace: {namespace}\nresources:\n  - deployment.yaml\n  - agent.yaml\n")
    with open(os.path.join(base, "deployment.yaml"), "w") as f:
        f.write(deployment(name, port))
    with open(os.path.join(base, "agent.yaml"), "w") as f:
        f.write(daemonset(name, port + 2) + "---\n" + service(name, node_port))
    with open(os.path.join(overlay, "kustomization.yaml"), "w") as f:
        f.write(f"namespace: {namespace}\nresources: [../../base]\npatches:\n  - path: patch.yaml\n")
    with open(os.path.join(overlay, "patch.yaml"), "w") as f:
        f.write(deployment(name, port))
    for provider in ["aws", "gcp"]:
        rendered = os.path.join(root, "rendered", provider, name)
        os.makedirs(rendered, exist_ok=True)
        with open(os.path.join(rendered, "all.yaml"), "w") as f:
            f.write(
                deployment(name, port, namespace) + "---\n" + daemonset(name, port + 2, namespace)
                + "---\n" + service(name, node_port, namespace))
