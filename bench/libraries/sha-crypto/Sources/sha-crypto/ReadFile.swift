#if canImport(Glibc)
import Glibc
#endif

func readFile(_ p: String) -> [UInt8] {
    guard let f = fopen(p, "rb") else { fatalError("cannot open \(p)") }
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

func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15 }
func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2 }
func fmt(_ x: Double) -> String { let r = (x * 1000).rounded() / 1000; return "\(r)" }
