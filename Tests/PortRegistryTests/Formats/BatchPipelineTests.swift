import Testing
@testable import PortRegistryFormats
@testable import PortRegistryModel

@testable import PortRegistry

/// The two-thread pipeline of the imports must end cleanly however either side stops: no
/// trap when the pipeline is released, no thread left waiting, the first error thrown.
@Suite struct BatchPipelineTests {
    struct Stop: Error, Equatable {}

    /// A producer of `batches` batches of one number each.
    static func counting(_ batches: Int, failAt: Int? = nil) -> (BatchPipeline<Int>.Emit) throws -> Void {
        { emit in
            for index in 0..<batches {
                if index == failAt { throw RegistryError.data(file: "f.csv", line: index, "bad row") }
                guard emit([index]) else { return }
            }
        }
    }

    @Test func everyBatchArrivesInOrder() throws {
        var seen: [Int] = []
        try BatchPipeline<Int>.run(producer: Self.counting(1000)) { seen += $0 }
        #expect(seen == Array(0..<1000))
    }

    /// The consumer fails while the producer is blocked on a full ring (SQLite failing
    /// part-way through an import): this trapped in the pipeline's deinit.
    @Test(arguments: [0, 1, 7, 8, 9, 100, 999])
    func aConsumerErrorIsThrownAndNothingTraps(_ failAfter: Int) {
        var consumed = 0
        #expect(throws: Stop.self) {
            try BatchPipeline<Int>.run(producer: Self.counting(1000)) { _ in
                if consumed == failAfter { throw Stop() }
                consumed += 1
            }
        }
        #expect(consumed == failAfter)
    }

    /// The consumer fails on the last batch, after the producer has already finished.
    @Test func aConsumerErrorAfterTheProducerFinished() {
        var consumed = 0
        #expect(throws: Stop.self) {
            try BatchPipeline<Int>.run(producer: Self.counting(3)) { _ in
                consumed += 1
                if consumed == 3 {
                    // Let the producer send its end marker and exit.
                    for _ in 0..<100_000 { _ = consumed.hashValue }
                    throw Stop()
                }
            }
        }
    }

    @Test(arguments: [0, 1, 8, 9, 500])
    func aProducerErrorIsThrownAfterTheBatchesBeforeIt(_ failAt: Int) {
        var seen: [Int] = []
        do {
            try BatchPipeline<Int>.run(producer: Self.counting(1000, failAt: failAt)) { seen += $0 }
            Issue.record("no error")
        } catch {
            #expect((error as? RegistryError)?.message.contains("bad row") == true, "\(error)")
        }
        #expect(seen == Array(0..<failAt))
    }

    /// A producer that throws something other than a RegistryError ends the stream as an I/O error.
    @Test func aForeignProducerErrorBecomesARegistryError() {
        #expect(throws: RegistryError.self) {
            try BatchPipeline<Int>.run(producer: { _ in throw Stop() }, consume: { _ in })
        }
    }

    /// Cancelling a pipeline whose producer keeps emitting after being told to stop
    /// (ignoring `emit`'s answer) neither blocks nor traps.
    @Test func aProducerThatIgnoresCancellationIsNotLeftWaiting() {
        #expect(throws: Stop.self) {
            try BatchPipeline<Int>.run(
                producer: { emit in for index in 0..<100 { _ = emit([index]) } },
                consume: { _ in throw Stop() })
        }
    }

    /// Cancelled before the first batch was taken, and with no batch ever sent.
    @Test func cancelAtEveryStage() {
        let idle = BatchPipeline<Int>(producer: { _ in })
        idle.start()
        idle.cancel()
        let waiting = BatchPipeline<Int>(producer: Self.counting(1000))
        waiting.start()
        waiting.cancel()
        let partly = BatchPipeline<Int>(producer: Self.counting(1000))
        partly.start()
        #expect((try? partly.next()) == [0])
        partly.cancel()
        partly.cancel()
        let finished = BatchPipeline<Int>(producer: Self.counting(2))
        finished.start()
        #expect((try? finished.next()) == [0])
        #expect((try? finished.next()) == [1])
        #expect((try? finished.next()) == [])
        finished.join()
        finished.cancel()
        let neverStarted = BatchPipeline<Int>(producer: Self.counting(2))
        _ = neverStarted
    }

    /// Many short races between the two threads.
    @Test func repeatedEarlyFailuresNeitherTrapNorHang() {
        for round in 0..<300 {
            var consumed = 0
            #expect(throws: Stop.self) {
                try BatchPipeline<Int>.run(producer: Self.counting(50)) { _ in
                    if consumed == round % 20 { throw Stop() }
                    consumed += 1
                }
            }
        }
    }
}
