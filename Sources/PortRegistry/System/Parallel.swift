import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Work split over every core: `map` runs `body` on contiguous chunks of `0..<count` at once
/// and returns the chunks' results in order, so what runs in parallel still gives the same
/// output as one pass. Each chunk writes only its own slot.
package enum Parallel {
    /// The cores this process may use.
    package static var cores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// The results of `body` over `chunks` contiguous ranges covering `0..<count` (fewer when
    /// `count` is small), in order. `chunks` larger than the cores keeps each chunk's working
    /// memory small and the cores busy when chunks differ in cost.
    package static func map<Result>(
        _ count: Int, chunks wanted: Int = Parallel.cores * 8, _ body: (Range<Int>) -> Result
    ) -> [Result] {
        guard count > 0 else { return [] }
        let chunks = max(1, min(wanted, count))
        if chunks == 1 || cores == 1 { return [body(0..<count)] }
        let slots = Slots<Result>(count: chunks)
        withoutActuallyEscaping(body) { body in
            let work = Work(body: body)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let low = count * chunk / chunks
                let high = count * (chunk + 1) / chunks
                slots.set(chunk, work.body(low..<high))
            }
        }
        return slots.values()
    }

    /// One slot per chunk; each is written by one thread, then read after all have joined.
    private final class Slots<Value>: @unchecked Sendable {
        private let storage: UnsafeMutablePointer<Value?>
        private let count: Int

        init(count: Int) {
            self.count = count
            storage = .allocate(capacity: count)
            storage.initialize(repeating: nil, count: count)
        }

        deinit {
            storage.deinitialize(count: count)
            storage.deallocate()
        }

        func set(_ index: Int, _ value: Value) { storage[index] = value }

        func values() -> [Value] { (0..<count).map { storage[$0]! } }
    }

    /// The body, shared by the threads: it reads what it was given and returns its own value.
    private struct Work<Result>: @unchecked Sendable {
        let body: (Range<Int>) -> Result
    }
}
