import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

struct Entry: Encodable {
    var service: String
    var port: Int
    var portEnd: Int
    var `protocol`: String
    var description: String
    var assignee: String
    var contact: String
    var registered: String
    var hits: Int
    var note: String

    // Declaration order is the order portreg wants; only port_end needs a custom name.
    enum CodingKeys: String, CodingKey {
        case service, port, portEnd = "port_end", `protocol`, description, assignee, contact, registered, hits, note
    }
}

// ---- Hand-written writer (RFC 8259 string escaping, fixed key order) ----
@inline(__always) func appendString(_ s: String, to out: inout [UInt8]) {
    out.append(0x22)
    for b in s.utf8 {
        switch b {
        case 0x22: out.append(0x5C); out.append(0x22)
        case 0x5C: out.append(0x5C); out.append(0x5C)
        case 0x0A: out.append(0x5C); out.append(0x6E)
        case 0x0D: out.append(0x5C); out.append(0x72)
        case 0x09: out.append(0x5C); out.append(0x74)
        case 0x08: out.append(0x5C); out.append(0x62)
        case 0x0C: out.append(0x5C); out.append(0x66)
        case 0x00..<0x20:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
        default: out.append(b)
        }
    }
    out.append(0x22)
}
@inline(__always) func appendInt(_ n: Int, to out: inout [UInt8]) { out.append(contentsOf: String(n).utf8) }
@inline(__always) func key(_ k: StaticString, _ out: inout [UInt8]) {
    out.append(contentsOf: UnsafeBufferPointer(start: k.utf8Start, count: k.utf8CodeUnitCount))
}
func writeJSON(_ entries: [Entry]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(entries.count * 256)
    out.append(0x5B)
    for (i, e) in entries.enumerated() {
        if i > 0 { out.append(0x2C) }
        key("{\"service\":", &out); appendString(e.service, to: &out)
        key(",\"port\":", &out); appendInt(e.port, to: &out)
        key(",\"port_end\":", &out); appendInt(e.portEnd, to: &out)
        key(",\"protocol\":", &out); appendString(e.protocol, to: &out)
        key(",\"description\":", &out); appendString(e.description, to: &out)
        key(",\"assignee\":", &out); appendString(e.assignee, to: &out)
        key(",\"contact\":", &out); appendString(e.contact, to: &out)
        key(",\"registered\":", &out); appendString(e.registered, to: &out)
        key(",\"hits\":", &out); appendInt(e.hits, to: &out)
        key(",\"note\":", &out); appendString(e.note, to: &out)
        out.append(0x7D)
    }
    out.append(0x5D)
    return out
}
// ---- end of writer ----

func makeEntries(_ n: Int) -> [Entry] {
    let services = ["http", "https", "ssh", "whois++", "kerberos-adm", "x11", "my-very-long-service-name", ""]
    let descriptions = ["World Wide Web HTTP", "whois++\nIANA assigned this well-formed service name as a replacement for \"whois++\".",
                        "Tab\there and a backslash \\ and a slash /", "Zürich – café ☕", "ctl \u{01}\u{1F} bytes", "Secure Shell (SSH) Protocol"]
    let people = ["[Mark_Lottor]", "[Tim_Berners_Lee]", "[IESG]", "[RFC6335]", ""]
    let notes = ["", "De-assigned on 2025-02-13, previously compressnet by [Bernie_Volz]", "x"]
    var out: [Entry] = []
    out.reserveCapacity(n)
    for i in 0..<n {
        out.append(Entry(service: services[i % services.count], port: i % 65536, portEnd: (i % 65536) + (i % 3),
                         protocol: i % 2 == 0 ? "tcp" : "udp", description: descriptions[i % descriptions.count],
                         assignee: people[i % people.count], contact: people[(i + 1) % people.count],
                         registered: "2024-12-\(10 + i % 20)", hits: i &* 7919, note: notes[i % notes.count]))
    }
    return out
}

func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15 }
func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2 }
func r2(_ x: Double) -> Double { (x * 100).rounded() / 100 }

let args = CommandLine.arguments
let mode = args.count > 1 ? args[1] : "check"
let count = args.count > 2 ? Int(args[2])! : 1_000_000
let entries = makeEntries(count)
let encoder = JSONEncoder()  // default options: no sortedKeys, no prettyPrinted

switch mode {
case "check":
    let small = Array(entries.prefix(6))
    let a = try encoder.encode(small)
    print("JSONEncoder:", String(decoding: a, as: UTF8.self))
    print("writer:     ", String(decoding: writeJSON(small), as: UTF8.self))
    var e2 = JSONEncoder(); e2.outputFormatting = [.withoutEscapingSlashes]
    let full1 = try e2.encode(entries), full2 = writeJSON(entries)
    print("1M entries byte-identical (JSONEncoder with .withoutEscapingSlashes vs writer): \(Array(full1) == full2); sizes \(full1.count) / \(full2.count)")
    print("1M entries byte-identical (default JSONEncoder vs writer): \(Array(try encoder.encode(entries)) == full2)")
case "none":
    print(entries.count)
case "encoder":
    let d = try encoder.encode(entries)
    print(d.count)
case "writer":
    let d = writeJSON(entries)
    print(d.count)
default:  // bench N
    let runs = args.count > 3 ? Int(args[3])! : 21
    let clock = ContinuousClock()
    var te: [Double] = [], tw: [Double] = []
    var sink = 0
    for i in 0..<(runs + 1) {
        let de = try clock.measure { sink &+= try encoder.encode(entries).count }
        let dw = clock.measure { sink &+= writeJSON(entries).count }
        if i > 0 { te.append(ms(de)); tw.append(ms(dw)) }
    }
    print("entries \(count), runs \(runs) interleaved, sink \(sink)")
    print("JSONEncoder (FoundationEssentials)  median \(r2(median(te))) ms  min \(r2(te.min()!)) ms")
    print("hand-written writer                 median \(r2(median(tw))) ms  min \(r2(tw.min()!)) ms")
}
