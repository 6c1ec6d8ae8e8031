// Tiny executable WITH swift-crypto. `bench N` times swift-crypto against portreg's SHA-256 (target PortregHash, a link to the real file).
import Crypto
import PortregHash
let args = CommandLine.arguments
let path = args.count > 1 ? args[1] : "../../../../shared/data/service-names-port-numbers.csv"
let bytes = readFile(path)
func hex<D: Sequence>(_ d: D) -> String where D.Element == UInt8 {
    d.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}
if args.count > 2 && args[2] == "bench" {
    let runs = args.count > 3 ? Int(args[3])! : 25
    let clock = ContinuousClock()
    var tc: [Double] = [], tp: [Double] = []
    var sink = 0
    for i in 0..<(runs + 3) {
        var a = ""
        var b = ""
        let dc = clock.measure { a = hex(Crypto.SHA256.hash(data: bytes)) }
        let dp = clock.measure { var h = PortregHash.SHA256(); bytes.withUnsafeBytes { h.update($0) }; b = h.finalize() }
        precondition(a == b, "digests differ")
        sink &+= a.utf8.count
        if i >= 3 { tc.append(ms(dc)); tp.append(ms(dp)) }
    }
    print("runs \(runs), bytes \(bytes.count), sink \(sink)")
    print("swift-crypto Crypto.SHA256.hash(data:)+hex  median \(fmt(median(tc))) ms  min \(fmt(tc.min()!)) ms")
    print("portreg SHA256 update+finalize       median \(fmt(median(tp))) ms  min \(fmt(tp.min()!)) ms")
} else {
    print(hex(Crypto.SHA256.hash(data: bytes)))
}
