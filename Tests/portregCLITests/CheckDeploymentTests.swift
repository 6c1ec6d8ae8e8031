import Foundation
import PortregTestSupport
import Testing

/// `check` as Docker deploys a repository (issue 20, SPEC "Compose"): which files run
/// together, the same app twice, and `--list`, each on a small hand-made tree.
@Suite struct CheckDeploymentTests {
    /// `NAME.override.yml` overlays `NAME.yml`, and a file of a folder without a main file
    /// that cannot run alone overlays the main file of the folder above.
    @Test func overlaysGoOnTheFileTheyExtend() async throws {
        let cli = try CLI()
        try cli.write(
            "app/compose.yaml", "services:\n  web:\n    image: nginx\n    ports: [\"7100:80\", \"7110:8080\"]\n")
        // An overlay one folder down: -f compose.yaml -f overrides/compose.debug.yml.
        try cli.write(
            "app/overrides/compose.debug.yml",
            "services:\n  web:\n    ports: [\"7101:9229\"]\n  probe:\n    image: busybox\n    ports: [\"7101:80\"]\n")
        try cli.write("app/compose.ci.yml", "services:\n  ci:\n    image: ci\n    ports: [\"7110:80\"]\n")
        try cli.write(
            "app/compose.ci.override.yml",
            "services:\n  ci:\n    ports: [\"7111:81\"]\n  side:\n    image: side\n    ports: [\"7111:82\"]\n")
        let result = try await cli.run("check", ".", "--format", "json")
        result.expect(
            status: 1,
            stdout: [
                "service web and service probe both publish 7101/tcp",
                "service ci and service side both publish 7111/tcp",
            ])
        // compose.ci.yml runs alone (-f compose.ci.yml), instead of the base: its 7110 never
        // meets web's.
        #expect(!result.stdout.contains("both publish 7110/tcp"), "\(result)")
        // The overlay is the folder above's: no project of its own, no 0-port "overrides".
        #expect(!result.stdout.contains("overrides (") && !result.stdout.contains("\"errors\": 3"), "\(result)")
    }

    /// Two host folders that run the same services (a per-host copy) are the same app twice:
    /// their collisions are `instance` warnings (exit 0) that name the setting which settles
    /// it; `--strict` makes them errors; `.portreg.yaml` `hosts` on one host, a collision.
    @Test func theSameAppTwiceIsAnInstanceWarning() async throws {
        let cli = try CLI()
        let proxy = "services:\n  traefik:\n    image: traefik:v3\n    ports: [\"80:80\", \"443:443\"]\n"
        try cli.write("nas/proxy/compose.yaml", "name: nas-proxy\n" + proxy)
        try cli.write(
            "vps/proxy/compose.yaml", "name: vps-proxy\n" + proxy.replacingOccurrences(of: "v3", with: "v2.11"))
        var result = try await cli.run("check", ".")
        result.expect(status: 0, stdout: ["warning", "[instance]", "the same app twice", "hosts:"])
        result = try await cli.run("check", ".", "--strict")
        result.expect(status: 1, stdout: ["error", "[instance]"])
        try cli.write(".portreg.yaml", "hosts:\n  one: [\"nas/**\", \"vps/**\"]\n")
        result = try await cli.run("check", ".")
        result.expect(status: 1, stdout: ["error", "[collision]"], stdoutLacks: ["[instance]"])
    }

    /// Sharing a dependency is not the same app: two projects that each run postgres `db` on
    /// 5432 collide (the most common collision of all).
    @Test func aSharedDependencyStillCollides() async throws {
        let cli = try CLI()
        let db = "  db:\n    image: postgres:16\n    ports: [\"5432:5432\"]\n"
        try cli.write("api/compose.yaml", "services:\n  api:\n    image: api\n" + db)
        try cli.write("worker/compose.yaml", "services:\n  worker:\n    image: worker\n" + db)
        let result = try await cli.run("check", ".")
        result.expect(status: 1, stdout: ["error: service db (api) and service db (worker) both publish 5432/tcp"])
    }

    /// A service and the one it extends from another project's file are one app deployed two
    /// ways; every other service of that file is still checked (`dns/compose.yml` extended
    /// for `dns` keeps its `web` on 7200 in the gate).
    @Test func extendsMakesOneAppNotABuildingBlock() async throws {
        let cli = try CLI()
        try cli.write(
            "dns/compose.yml",
            "services:\n  dns:\n    image: pihole\n    ports: [\"7253:53/udp\"]\n  web:\n    image: web\n    ports: [\"7200:80\"]\n"
        )
        try cli.write(
            "stack/compose.yml", "services:\n  dns:\n    extends:\n      file: ../dns/compose.yml\n      service: dns\n"
        )
        try cli.write("other/compose.yml", "services:\n  site:\n    image: site\n    ports: [\"7200:8080\"]\n")
        let result = try await cli.run("check", ".")
        result.expect(status: 1, stdout: ["service web and service site both publish 7200/tcp"], stdoutLacks: ["7253"])
    }

    /// Folders that share a project name share their services' containers: a warning naming
    /// both folders, not a collision.
    @Test func oneProjectNameInTwoFolders() async throws {
        let cli = try CLI()
        try cli.write("a/app/compose.yaml", "services:\n  web:\n    image: a\n    ports: [\"7300:80\"]\n")
        try cli.write("b/app/compose.yaml", "services:\n  web:\n    image: b\n    ports: [\"7300:80\"]\n")
        let result = try await cli.run("check", ".")
        result.expect(
            status: 0, stdout: ["a/app and b/app are both Compose project 'app'", "set `name:`"],
            stdoutLacks: ["[collision]"])
    }

    /// `--list` says where each claim runs and why an entry publishes nothing.
    @Test func listShowsWhereClaimsRun() async throws {
        let cli = try CLI()
        try cli.write(
            "stack/compose.yaml",
            "services:\n  web:\n    image: nginx\n    ports: [\"7400:80\", \"8080\"]\n  sidecar:\n    image: x\n    network_mode: service:web\n    ports: [\"7401:80\"]\n"
        )
        try cli.write("stack/compose.prod.yaml", "services:\n  web:\n    ports: [\"7402:443\"]\n")
        let result = try await cli.run("check", "--list", ".")
        result.expect(
            status: 0,
            stdout: [
                "stack/compose.yaml:4: service web: 7400/tcp on * (docker host, host *)\n",
                "stack/compose.prod.yaml:3: service web: 7402/tcp on * (docker host, host *); runs in compose.prod.yaml",
                "service web: publishes nothing (a container port only",
                "stack/compose.yaml:8: service sidecar: publishes nothing (network_mode service:",
            ])
        let json = try await cli.run("check", "--list", ".", "--format", "json")
        json.expect(status: 0, stdout: ["\"runs_in\": [\"compose.prod.yaml\"]", "\"publishes\": false"])
    }
}

/// `.portreg.yaml`'s `alternatives`, `stacks` and `env-file` settle what the tree cannot tell.
@Suite struct CheckDeploymentSettingsTests {
    /// An example collection: every folder under `examples/` is one alternative, so their
    /// shared ports are no error; a folder beside them still collides.
    @Test func alternativesMakeAnExampleCollectionExact() async throws {
        let cli = try CLI()
        for name in ["a", "b", "c"] {
            try cli.write(
                "examples/\(name)/compose.yaml", "services:\n  web\(name):\n    image: x\n    ports: [\"7500:80\"]\n")
        }
        var result = try await cli.run("check", ".")
        result.expect(status: 1, stdout: ["7500/tcp"])
        try cli.write(".portreg.yaml", "alternatives:\n  - [\"examples/*\"]\n")
        result = try await cli.run("check", ".")
        result.expect(status: 0, stdoutLacks: ["error:"])
        try cli.write("site/compose.yaml", "services:\n  site:\n    image: y\n    ports: [\"7500:8080\"]\n")
        result = try await cli.run("check", ".")
        result.expect(
            status: 1,
            stdout: [
                "service site and one of service weba (examples/a), service webb (examples/b), service webc (examples/c)"
            ])
    }

    /// `stacks` runs files together as `-f a -f b` does; `env-file` names the file a project
    /// folder is run with.
    @Test func stacksAndEnvFilesAreHowTheProjectRuns() async throws {
        let cli = try CLI()
        try cli.write("deploy/base.yml", "services:\n  api:\n    image: api\n    ports: [\"7600:80\"]\n")
        try cli.write("deploy/prod.yml", "services:\n  worker:\n    image: w\n    ports: [\"7600:81\"]\n")
        try cli.write(".portreg.yaml", "stacks:\n  prod: [\"deploy/base.yml\", \"deploy/prod.yml\"]\n")
        var result = try await cli.run("check", ".")
        result.expect(status: 1, stdout: ["service api and service worker both publish 7600/tcp"])
        try cli.write("media/compose.yaml", "services:\n  tv:\n    image: tv\n    ports: [\"${TV_PORT}:80\"]\n")
        try cli.write("media/docker-compose.env", "TV_PORT=7601\n")
        try cli.write("other/compose.yaml", "services:\n  o:\n    image: o\n    ports: [\"7601:80\"]\n")
        result = try await cli.run("check", ".")
        result.expect(status: 1, stdout: ["TV_PORT is not set"], stdoutLacks: ["both publish 7601/tcp"])
        try cli.write(
            ".portreg.yaml",
            "stacks:\n  prod: [\"deploy/base.yml\", \"deploy/prod.yml\"]\nenv-file:\n  media: docker-compose.env\n")
        result = try await cli.run("check", ".")
        result.expect(
            status: 1, stdout: ["service tv and service o both publish 7601/tcp"], stdoutLacks: ["TV_PORT is not set"])
    }
}
