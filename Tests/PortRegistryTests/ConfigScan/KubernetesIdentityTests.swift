import PortregTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@testable import PortRegistryConfigScan
@testable import PortRegistryModel

/// SPEC, "Kubernetes": an object is (API group, kind, namespace, name); its namespace comes
/// from the nearest `kustomization.yaml` that lists its file or folder, else its
/// `metadata.namespace`, else it is unknown and matches that kind and name in any namespace.
/// The same object in several files is one object, never a collision with itself.
@Suite struct KubernetesIdentityTests {
    /// Issue 20: one DaemonSet in seven files (a kustomize base, its overlays' inputs and one
    /// manifest per provider) was reported colliding with itself.
    @Test func oneDaemonSetInSevenFilesIsOneObject() throws {
        let controller = { (namespace: String?) in
            workload("DaemonSet", "ingress-controller", namespace: namespace, hostPort: 80)
        }
        let tree = try ClusterTree([
            "deploy/base/kustomization.yaml": "namespace: ingress\nresources:\n  - daemonset.yaml\n",
            "deploy/base/daemonset.yaml": controller(nil),
            "deploy/provider/aws/deploy.yaml": controller("ingress"),
            "deploy/provider/gcp/deploy.yaml": controller("ingress"),
            "deploy/provider/baremetal/deploy.yaml": controller("ingress"),
            "deploy/provider/kind/deploy.yaml": controller(nil),
            "charts/rendered/controller.yaml": controller(nil),
            "docs/example.yaml": controller("ingress"),
        ])
        #expect(try tree.scan().ports.count == 7)
        #expect(try tree.collisions().isEmpty)
    }

    @Test(arguments: ["kustomization.yaml", "kustomization.yml", "Kustomization"])
    func namespaceFromTheKustomizationThatListsTheFile(_ fileName: String) throws {
        let tree = try ClusterTree([
            "team-a/\(fileName)":
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: team-a\nresources: [web.yaml]\n",
            "team-a/web.yaml": workload("Deployment", "web", hostPort: 8080),
        ])
        let claim = try #require(try tree.scan().ports.first)
        #expect(claim.kubernetesObject?.namespace == "team-a")
        #expect(claim.kubernetesObject?.group == "apps" && claim.kubernetesObject?.kind == "Deployment")
    }

    /// kustomize's namespace transformer overrides `metadata.namespace` of the resources it
    /// lists; a folder entry lists every file under it; a kustomization above one that lists
    /// the file, and lists that folder, sets the namespace when the nearer one does not.
    @Test func kustomizeNamespaceOverridesAndFolders() throws {
        let tree = try ClusterTree([
            "apps/kustomization.yaml": "namespace: shop\nresources:\n  - ./manifests\n  - web\n",
            "apps/manifests/api.yaml": workload("Deployment", "api", namespace: "ignored", hostPort: 8081),
            "apps/web/kustomization.yaml": "resources: [deployment.yaml]\n",
            "apps/web/deployment.yaml": workload("Deployment", "web", hostPort: 8082),
            "apps/web/unlisted.yaml": workload("Deployment", "stray", namespace: "tools", hostPort: 8083),
        ])
        let namespaces = Dictionary(
            uniqueKeysWithValues: try tree.scan().ports.map { ($0.name, $0.kubernetesObject?.namespace) })
        #expect(namespaces["api"] == .some("shop"))
        #expect(namespaces["web"] == .some("shop"))
        #expect(namespaces["stray"] == .some("tools"), "not a resource of any kustomization: its own namespace")
    }

    /// A patch in an overlay (listed under `patches`, not `resources`) and a manifest with no
    /// namespace anywhere name the object in an unknown namespace: the same object as the one
    /// of that kind and name in the base.
    @Test func anUnknownNamespaceMatchesTheObjectInAnyNamespace() throws {
        let tree = try ClusterTree([
            "base/kustomization.yaml": "namespace: shop\nresources: [web.yaml]\n",
            "base/web.yaml": workload("Deployment", "web", hostPort: 8080),
            "overlays/prod/kustomization.yaml":
                "namespace: shop\nresources: [../../base]\npatches:\n  - path: patch.yaml\n",
            "overlays/prod/patch.yaml": workload("Deployment", "web", hostPort: 8080),
            "plain/web.yaml": workload("Deployment", "web", hostPort: 8080),
            "rendered/web.yaml": workload("Deployment", "web", namespace: "shop", hostPort: 8080),
        ])
        #expect(try tree.collisions().isEmpty)
    }

    /// SPEC, "An untrusted tree": a kustomization that is a link out of the checked tree is
    /// not read, nor one above the tree.
    @Test func kustomizationsOutsideTheTreeAreNotRead() throws {
        let outside = try ClusterTree(["kustomization.yaml": "namespace: elsewhere\nresources: [web.yaml]\n"])
        let tree = try ClusterTree(["app/web.yaml": workload("Deployment", "web", hostPort: 8080)])
        #expect(
            symlink(outside.directory.path + "/kustomization.yaml", tree.directory.path + "/app/kustomization.yaml")
                == 0)
        #expect(try tree.scan().ports.first?.kubernetesObject?.namespace == nil)
        let nested = try ClusterTree([
            "kustomization.yaml": "namespace: above\nresources: [tree]\n",
            "tree/app/web.yaml": workload("Deployment", "web", hostPort: 8080),
        ])
        let options = CheckOptions(paths: [nested.directory.path + "/tree"], ephemeral: nil)
        #expect(try nested.scan(options).ports.first?.kubernetesObject?.namespace == nil)
        #expect(try nested.scan().ports.first?.kubernetesObject?.namespace == "above")
    }

    @Test func objectsOfTwoNamespacesAreTwoObjects() throws {
        let tree = try ClusterTree([
            "a/web.yaml": workload("Deployment", "web", namespace: "team-a", hostPort: 8080),
            "b/web.yaml": workload("Deployment", "web", namespace: "team-b", hostPort: 8080),
        ])
        #expect(try tree.collisions().count == 1)
    }

    /// Deployments once lived in `extensions/v1beta1`: the same object as in `apps/v1`.
    @Test func theOldAPIGroupOfAWorkloadIsTheSameObject() throws {
        let tree = try ClusterTree([
            "old/agent.yaml": workload(
                "DaemonSet", "agent", namespace: "infra", hostPort: 9100, apiVersion: "extensions/v1beta1"),
            "new/agent.yaml": workload("DaemonSet", "agent", namespace: "infra", hostPort: 9100),
        ])
        #expect(try tree.collisions().isEmpty)
    }
}

/// A manifest template (`{{ .Port }}` of a Go template in a kustomize function's example) is
/// read as YAML, but its placeholders are values to come: no claim and no `parse` error.
@Suite struct KubernetesTemplateTests {
    @Test func goTemplatePlaceholdersPublishNothing() throws {
        let template = workload(
            "Deployment", "web", hostPort: 0, containerPortText: "{{ .Port }}", hostPortText: "{{ .HostPort }}")
        let tree = try ClusterTree(["templates/web.template.yaml": template])
        let report = try tree.report()
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.ports == 0)
    }
}
