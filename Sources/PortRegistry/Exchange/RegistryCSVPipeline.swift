import Dispatch
import Synchronization

/// Reads and validates registry CSV rows on a second thread while the caller inserts them:
/// parsing and SQLite each keep one core busy (1,000,000 rows: about 5 s in one thread).
///
/// Rows come in batches through a bounded ring of slots guarded by two semaphores, so at
/// most `slots × batchSize` rows are in memory. The first bad row ends the stream with its
/// error (`file:line`); `cancel()` stops the reader early when the caller fails.
final class RegistryCSVPipeline: @unchecked Sendable {
    typealias Batch = Result<[Assignment], RegistryError>

    private let batchSize = 2048
    private var slots: [Batch?]
    private let filled = DispatchSemaphore(value: 0)
    private let emptied: DispatchSemaphore
    private let cancelled = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private var readIndex = 0
    /// The reader, owned by the producer thread once `start()` has run.
    private var reader: CSVReader

    init(reader: CSVReader, slots count: Int = 8) {
        self.reader = reader
        slots = Array(repeating: nil, count: count)
        emptied = DispatchSemaphore(value: count)
    }

    func start() {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            produce()
            finished.signal()
        }
    }

    /// The next batch; an empty batch marks the end of the input.
    func next() throws(RegistryError) -> [Assignment] {
        filled.wait()
        let batch = slots[readIndex]!
        slots[readIndex] = nil
        readIndex = (readIndex + 1) % slots.count
        emptied.signal()
        return try batch.get()
    }

    /// Stops the reader and waits for its thread, so the reader is not used after return.
    func cancel() {
        cancelled.store(true, ordering: .relaxed)
        // Free every slot so a producer waiting for room wakes up and sees the flag.
        for _ in slots { emptied.signal() }
        finished.wait()
    }

    /// Waits for the producer after the last batch was taken.
    func join() { finished.wait() }

    private func produce() {
        var writeIndex = 0
        func send(_ batch: Batch) -> Bool {
            emptied.wait()
            guard !cancelled.load(ordering: .relaxed) else { return false }
            slots[writeIndex] = batch
            writeIndex = (writeIndex + 1) % slots.count
            filled.signal()
            return true
        }
        var batch: [Assignment] = []
        batch.reserveCapacity(batchSize)
        do {
            while let record = try reader.next() {
                if record.fields.count == 1 && record.fields[0].isEmpty { continue }
                batch.append(try RegistryCSV.assignment(record, file: reader.name))
                if batch.count == batchSize {
                    guard send(.success(batch)) else { return }
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { guard send(.success(batch)) else { return } }
            _ = send(.success([]))
        } catch let error as RegistryError {
            _ = send(.failure(error))
        } catch {
            _ = send(.failure(RegistryError(.io, "\(reader.name): \(error)")))
        }
    }
}
