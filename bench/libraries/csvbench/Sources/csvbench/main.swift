import Foundation
#if canImport(Glibc)
import Glibc
#endif

let args = CommandLine.arguments
let path = args.count > 1 ? args[1] : "../../../../shared/data/service-names-port-numbers.csv"
let mode = args.count > 2 ? args[2] : "bench"
let runs = args.count > 3 ? Int(args[3])! : 25

func readFile(_ p: String) -> [UInt8] {
    let f = fopen(p, "rb")!
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n <= 0 { break }
        out.append(contentsOf: buf[0..<n])
    }
    fclose(f)
    return out
}

func median(_ xs: [Duration]) -> Double {
    let s = xs.map { Double($0.components.seconds) * 1e3 + Double($0.components.attoseconds) / 1e15 }.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
func minMs(_ xs: [Duration]) -> Double {
    xs.map { Double($0.components.seconds) * 1e3 + Double($0.components.attoseconds) / 1e15 }.min()!
}

switch mode {
case "verify":
    // Reference: Python csv module output, records separated by 0x1E, fields by 0x1F, first field = start line.
    let ref = String(decoding: readFile(ProcessInfo.processInfo.environment["CSV_REFERENCE"] ?? "ref.txt"), as: UTF8.self)
    let refRecords = ref.split(separator: "\u{1E}", omittingEmptySubsequences: false).dropLast().map {
        $0.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
    }
    let refLines = refRecords.map { Int($0[0])! }
    let refRows = refRecords.map { Array($0.dropFirst()) }
    func compare(_ name: String, _ rows: [[String]]) {
        var bad = 0
        var shown = 0
        for i in 0..<min(rows.count, refRows.count) where rows[i] != refRows[i] {
            bad += 1
            if shown < 2 {
                shown += 1
                for (j, f) in rows[i].enumerated() where j >= refRows[i].count || f != refRows[i][j] {
                    print("  \(name) rec \(i) field \(j): got \(String(reflecting: f)) want \(j < refRows[i].count ? String(reflecting: refRows[i][j]) : "<none>")")
                }
            }
        }
        let nlOK = (0..<min(rows.count, refRows.count)).filter { i in refRows[i].contains { $0.contains("\n") } }.allSatisfy { rows[$0] == refRows[$0] }
        let qOK = (0..<min(rows.count, refRows.count)).filter { i in refRows[i].contains { $0.contains("\"") } }.allSatisfy { rows[$0] == refRows[$0] }
        print("\(name): records \(rows.count) (python \(refRows.count)); records differing from python: \(bad); all embedded-LF records exact: \(nlOK); all quote records exact: \(qOK)")
    }
    let p = try portregParse(path, keep: true)
    compare("portreg", p.rows)
    print("portreg start lines equal python-derived start lines: \(p.lines == refLines); sha256 \(p.sha)")
    compare("yaslab/CSV.swift", try yaslabParse(path, keep: true).rows)
    print("yaslab reader.error after reading the whole file: \(yaslabLastError ?? "nil")")
    compare("SwiftCSV Enumerated", try swiftcsvEnumerated(path, keep: true).rows)
    print("SwiftCSV default init (guess delimiter, loadColumns) rows: \(try swiftcsvDefault(path))")

case "bad":
    let cases: [(String, String)] = [
        ("unterminated quote", "a,b\r\n1,\"open\r\n2,x\r\n3,y\r\n"),
        ("quote in unquoted field", "a,b\r\n1,ab\"c\r\n2,x\r\n"),
        ("text after closing quote", "a,b\r\n1,\"ab\"c\r\n2,x\r\n"),
        ("leading space unquoted", "a,b\r\n1,  x\r\n"),
        ("bare LF in quoted + CRLF end", "a,b\r\n1,\"x\ny\"\r\n2,\"q\"\"q\"\r\n"),
    ]
    for (label, text) in cases {
        print("== \(label): \(String(reflecting: text))")
        print("  portreg:  \(portregParse(text: text))")
        do { print("  CSV.swift: ok \(try yaslabParse(text: text))") } catch { print("  CSV.swift: error \(error)") }
        do { print("  SwiftCSV:  ok \(try swiftcsvParse(text: text))") } catch { print("  SwiftCSV:  error \(error)") }
    }

case "none": print("none")
case "portreg": let r = try portregParse(path, keep: false); print("portreg", r.count, r.sha)
case "yaslab": let r = try yaslabParse(path, keep: false); print("yaslab", r.count)
case "swiftcsv": let r = try swiftcsvEnumerated(path, keep: false); print("swiftcsv", r.count)

default:
    var tP: [Duration] = [], tY: [Duration] = [], tE: [Duration] = [], tN: [Duration] = []
    let clock = ContinuousClock()
    var sink = 0
    for _ in 0..<2 {  // warm-up
        sink &+= try portregParse(path, keep: false).count
        sink &+= try yaslabParse(path, keep: false).count
        sink &+= try swiftcsvEnumerated(path, keep: false).count
    }
    for _ in 0..<runs {
        tP.append(try clock.measure { sink &+= try portregParse(path, keep: false).count })
        tY.append(try clock.measure { sink &+= try yaslabParse(path, keep: false).count })
        tE.append(try clock.measure { sink &+= try swiftcsvEnumerated(path, keep: false).count })
        tN.append(try clock.measure { sink &+= try swiftcsvNamed(path).count })
    }
    print("runs \(runs) (interleaved), sink \(sink)")
    print(String(format: "portreg CSVReader+SHA256   median %8.2f ms  min %8.2f ms", median(tP), minMs(tP)))
    print(String(format: "yaslab/CSV.swift 2.5.2     median %8.2f ms  min %8.2f ms", median(tY), minMs(tY)))
    print(String(format: "SwiftCSV 0.10.0 Enumerated median %8.2f ms  min %8.2f ms", median(tE), minMs(tE)))
    print(String(format: "SwiftCSV 0.10.0 Named      median %8.2f ms  min %8.2f ms", median(tN), minMs(tN)))
}
