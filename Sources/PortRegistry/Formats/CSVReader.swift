import Glibc
import PortRegistryModel
import PortRegistrySystem

/// One CSV record, with the physical line where it starts so that a message can point at it.
package struct CSVRecord: Sendable, Equatable {
    package var fields: [String]
    /// 1-based physical line where the record starts; a record with quoted newlines spans more.
    package var line: Int

    package init(fields: [String], line: Int) {
        self.fields = fields
        self.line = line
    }
}

/// A streaming RFC 4180 reader that knows physical line numbers.
///
/// Written by hand because errors in a 15,000-line import must name the line, and CSV
/// libraries report record numbers, which differ as soon as a quoted field holds a newline.
/// The input is read in 64 KiB chunks, so memory stays bounded by the longest field whatever
/// the file size, and hashed in the same pass (`sha256`).
///
/// Accepted: LF, CRLF and lone CR record ends; line breaks, doubled quotes and commas inside
/// quoted fields (kept exactly as written); a UTF-8 byte order mark at the start (dropped);
/// a missing final line break. Blank lines produce no record. Rejected with `file:line`:
/// an unterminated quoted field (the line where it opened), a quote inside an unquoted field,
/// text after a closing quote, invalid UTF-8 and NUL bytes.
///
/// Copies of a reader share one underlying stream.
package struct CSVReader {
    /// The file as messages show it: the path, or `<stdin>`.
    package let name: String
    private let parser: Parser

    /// Opens `path` for reading; `-` is standard input.
    package init(path: String) throws(RegistryError) {
        try self.init(path: path, chunkSize: 64 * 1024)
    }

    /// `chunkSize` (at least 4) is the read size: tests make it tiny to put every byte on a boundary.
    package init(path: String, chunkSize: Int) throws(RegistryError) {
        if path == "-" {
            var info = stat()
            if fstat(STDIN_FILENO, &info) != 0 && errno == EBADF {
                throw RegistryError(.inputMissing, "<stdin>: standard input is closed")
            }
            name = "<stdin>"
            parser = Parser(name: name, descriptor: STDIN_FILENO, ownsDescriptor: false, chunkSize: chunkSize)
            return
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw RegistryError(.inputMissing, "\(path): \(systemMessage(errno))")
        }
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            close(descriptor)
            throw RegistryError(.inputMissing, "\(path): \(systemMessage(EISDIR))")
        }
        name = path
        parser = Parser(name: name, descriptor: descriptor, ownsDescriptor: true, chunkSize: chunkSize)
    }

    /// Reads CSV held in memory, such as a seed compiled into the binary; `name` is used in messages.
    package init(text: String, name: String) {
        self.name = name
        parser = Parser(name: name, text: text)
    }

    /// The next record, or nil at the end of the input.
    package mutating func next() throws(RegistryError) -> CSVRecord? {
        try parser.next()
    }

    /// Whether `sha256` is computed while reading (on by default). A registry import turns it
    /// off: hashing is a fifth of the time spent reading a large file.
    package var computesDigest: Bool {
        get { parser.hashing }
        nonmutating set { parser.hashing = newValue }
    }

    /// SHA-256 of every byte read so far, byte order mark included; the digest of the whole
    /// input once `next()` has returned nil.
    package var sha256: String {
        var hasher = parser.hasher
        return hasher.finalize()
    }
}

private func systemMessage(_ code: Int32) -> String {
    String(cString: strerror(code))
}

private enum ParserState {
    /// Before the first byte of a record: line breaks here are blank lines and are skipped.
    case recordStart
    /// After a comma.
    case fieldStart
    case unquoted
    case quoted
    /// Inside a quoted field, just after a quote: the field's end, or the first half of `""`.
    case afterQuote
}

private let comma: UInt8 = 0x2C
private let quote: UInt8 = 0x22
private let carriageReturn: UInt8 = 0x0D
private let lineFeed: UInt8 = 0x0A

/// The reader's state: a class so that the buffer and the file descriptor have one owner that
/// frees and closes them.
private final class Parser {
    let name: String
    let descriptor: Int32
    let ownsDescriptor: Bool
    let buffer: UnsafeMutablePointer<UInt8>
    let capacity: Int
    /// Unparsed bytes are buffer[start..<end].
    var start = 0
    var end = 0
    /// The last byte of the previous chunk, to tell CRLF from a lone LF across a chunk boundary.
    var previousChunkLastByte: UInt8 = 0
    /// The physical line of buffer[start].
    var line = 1
    var inputExhausted = false
    var finished = false
    var isFirstChunk = true
    var hasher = SHA256()
    var hashing = true
    /// Bytes of a field that spans chunks or holds doubled quotes.
    var accumulator: [UInt8] = []
    var fieldCountHint = 0

    init(name: String, descriptor: Int32, ownsDescriptor: Bool, chunkSize: Int) {
        self.name = name
        self.descriptor = descriptor
        self.ownsDescriptor = ownsDescriptor
        capacity = max(chunkSize, 4)
        buffer = .allocate(capacity: capacity)
    }

    init(name: String, text: String) {
        self.name = name
        descriptor = -1
        ownsDescriptor = false
        let utf8 = text.utf8
        capacity = max(utf8.count, 1)
        buffer = .allocate(capacity: capacity)
        end = UnsafeMutableBufferPointer(start: buffer, count: capacity).initialize(from: utf8).1
        hasher.update(UnsafeRawBufferPointer(start: buffer, count: end))
        inputExhausted = true
        isFirstChunk = false
        start = Parser.byteOrderMarkLength(buffer, count: end)
    }

    deinit {
        buffer.deallocate()
        if ownsDescriptor { close(descriptor) }
    }

    private static func byteOrderMarkLength(_ bytes: UnsafeMutablePointer<UInt8>, count: Int) -> Int {
        count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    /// Replaces the consumed chunk with the next one; false at the end of the input.
    private func refill() throws(RegistryError) -> Bool {
        guard !inputExhausted else { return false }
        if end > 0 { previousChunkLastByte = buffer[end - 1] }
        var count = 0
        while count < capacity {
            let got = SystemCall.read(descriptor, buffer + count, capacity - count)
            if got < 0 {
                throw RegistryError(.io, "\(name): \(systemMessage(errno))")
            }
            if got == 0 {
                inputExhausted = true
                break
            }
            count += got
            // Parse what a pipe delivered; only the byte order mark check needs 3 bytes.
            if !isFirstChunk || count >= 3 { break }
        }
        if hashing { hasher.update(UnsafeRawBufferPointer(start: buffer, count: count)) }
        start = 0
        end = count
        if isFirstChunk {
            isFirstChunk = false
            start = Parser.byteOrderMarkLength(buffer, count: count)
        }
        return count > 0
    }

    func next() throws(RegistryError) -> CSVRecord? {
        if finished { return nil }
        let bytes = buffer
        var i = start
        var end = self.end
        var line = self.line
        var state = ParserState.recordStart
        var fields: [String] = []
        fields.reserveCapacity(fieldCountHint)
        var recordLine = line
        var fieldLine = line
        var segmentStart = i
        var segmentEnd = i
        var highBits: UInt64 = 0
        var accumulated = false

        @inline(__always) func byte(before index: Int) -> UInt8 {
            index > 0 ? bytes[index - 1] : previousChunkLastByte
        }

        while true {
            if i == end {
                // The chunk is about to be overwritten: keep the part of the field read so far.
                switch state {
                case .unquoted, .quoted:
                    accumulator.append(
                        contentsOf: UnsafeBufferPointer(start: bytes + segmentStart, count: i - segmentStart))
                    accumulated = true
                case .afterQuote:
                    accumulator.append(
                        contentsOf: UnsafeBufferPointer(start: bytes + segmentStart, count: segmentEnd - segmentStart))
                    accumulated = true
                case .recordStart, .fieldStart:
                    break
                }
                self.start = i
                self.line = line
                guard try refill() else {
                    finished = true
                    switch state {
                    case .recordStart:
                        return nil
                    case .fieldStart:
                        fields.append("")
                    case .unquoted, .afterQuote:
                        fields.append(
                            try field(bytes, i, i, accumulated: &accumulated, highBits: &highBits, line: fieldLine))
                    case .quoted:
                        throw RegistryError.data(
                            file: name, line: fieldLine,
                            "unterminated quoted field: the quote that opens a field on this line is never closed")
                    }
                    fieldCountHint = fields.count
                    return CSVRecord(fields: fields, line: recordLine)
                }
                i = start
                end = self.end
                segmentStart = i
                segmentEnd = i
                continue
            }

            switch state {
            case .unquoted:
                i = Parser.skipOrdinary(bytes, from: i, to: end, above: comma, highBits: &highBits)
                if i == end { continue }
                switch bytes[i] {
                case comma:
                    fields.append(
                        try field(
                            bytes, segmentStart, i, accumulated: &accumulated, highBits: &highBits, line: fieldLine))
                    state = .fieldStart
                    i += 1
                case carriageReturn, lineFeed:
                    fields.append(
                        try field(
                            bytes, segmentStart, i, accumulated: &accumulated, highBits: &highBits, line: fieldLine))
                    return endRecord(fields, line: recordLine, next: i + 1, nextLine: line + 1)
                case quote:
                    throw RegistryError.data(
                        file: name, line: line,
                        "quote inside an unquoted field: quote the whole field and double the quote (\"\")")
                case 0:
                    throw nulError(line)
                default:
                    i += 1
                }

            case .quoted:
                i = Parser.skipOrdinary(bytes, from: i, to: end, above: quote, highBits: &highBits)
                if i == end { continue }
                switch bytes[i] {
                case quote:
                    segmentEnd = i
                    state = .afterQuote
                case carriageReturn:
                    line += 1
                case lineFeed:
                    if byte(before: i) != carriageReturn { line += 1 }
                case 0:
                    throw nulError(line)
                default:
                    break
                }
                i += 1

            case .afterQuote:
                switch bytes[i] {
                case quote:
                    accumulator.append(
                        contentsOf: UnsafeBufferPointer(start: bytes + segmentStart, count: segmentEnd - segmentStart))
                    accumulator.append(quote)
                    accumulated = true
                    segmentStart = i + 1
                    state = .quoted
                    i += 1
                case comma:
                    fields.append(
                        try field(
                            bytes, segmentStart, segmentEnd, accumulated: &accumulated, highBits: &highBits,
                            line: fieldLine))
                    state = .fieldStart
                    i += 1
                case carriageReturn, lineFeed:
                    fields.append(
                        try field(
                            bytes, segmentStart, segmentEnd, accumulated: &accumulated, highBits: &highBits,
                            line: fieldLine))
                    return endRecord(fields, line: recordLine, next: i + 1, nextLine: line + 1)
                default:
                    throw RegistryError.data(
                        file: name, line: line,
                        "text after a closing quote: a quote inside a quoted field must be doubled (\"\")")
                }

            case .recordStart, .fieldStart:
                let current = bytes[i]
                if state == .recordStart {
                    if current == lineFeed {
                        // The LF of a CRLF that ended the previous record, or a blank line.
                        if byte(before: i) != carriageReturn { line += 1 }
                        i += 1
                        continue
                    }
                    if current == carriageReturn {
                        line += 1
                        i += 1
                        continue
                    }
                    recordLine = line
                }
                fieldLine = line
                switch current {
                case quote:
                    state = .quoted
                    segmentStart = i + 1
                    i += 1
                case comma:
                    fields.append("")
                    state = .fieldStart
                    i += 1
                case carriageReturn, lineFeed:
                    fields.append("")
                    return endRecord(fields, line: recordLine, next: i + 1, nextLine: line + 1)
                case 0:
                    throw nulError(line)
                default:
                    state = .unquoted
                    segmentStart = i
                }
            }
        }
    }

    /// The index of the first byte at or after `index` that is `threshold` or less (or `end`),
    /// OR-ing the bytes skipped into `highBits`. Eight bytes at a time while none is special:
    /// this loop is where the reader spends its time.
    @inline(__always)
    private static func skipOrdinary(
        _ bytes: UnsafeMutablePointer<UInt8>, from index: Int, to end: Int, above threshold: UInt8,
        highBits: inout UInt64
    ) -> Int {
        var i = index
        var seen: UInt64 = 0
        let ones: UInt64 = 0x0101_0101_0101_0101
        let limit = ones &* UInt64(threshold &+ 1)
        while end &- i >= 8 {
            let word = UnsafeRawPointer(bytes + i).loadUnaligned(as: UInt64.self)
            // Nonzero iff some byte is below threshold + 1 (bytes >= 0x80 never count).
            if (word &- limit) & ~word & (ones &<< 7) != 0 { break }
            seen |= word
            i &+= 8
        }
        while i < end {
            let byte = bytes[i]
            if byte <= threshold { break }
            seen |= UInt64(byte)
            i &+= 1
        }
        highBits |= seen
        return i
    }

    private func endRecord(_ fields: [String], line: Int, next: Int, nextLine: Int) -> CSVRecord {
        start = next
        self.line = nextLine
        fieldCountHint = fields.count
        return CSVRecord(fields: fields, line: line)
    }

    private func nulError(_ line: Int) -> RegistryError {
        RegistryError.data(file: name, line: line, "NUL byte: this is not a text CSV file")
    }

    /// The field made of the accumulated bytes (if any) followed by bytes[from..<to].
    private func field(
        _ bytes: UnsafeMutablePointer<UInt8>, _ from: Int, _ to: Int,
        accumulated: inout Bool, highBits: inout UInt64, line: Int
    ) throws(RegistryError) -> String {
        let mayBeNonASCII = highBits & 0x8080_8080_8080_8080 != 0
        highBits = 0
        let segment = UnsafeBufferPointer(start: bytes + from, count: to - from)
        guard accumulated else { return try decode(segment, mayBeNonASCII: mayBeNonASCII, line: line) }
        accumulated = false
        accumulator.append(contentsOf: segment)
        defer { accumulator.removeAll(keepingCapacity: true) }
        return try accumulator.withUnsafeBufferPointer { (all) throws(RegistryError) in
            try decode(all, mayBeNonASCII: mayBeNonASCII, line: line)
        }
    }

    private func decode(_ bytes: UnsafeBufferPointer<UInt8>, mayBeNonASCII: Bool, line: Int) throws(RegistryError)
        -> String
    {
        if bytes.isEmpty { return "" }
        if mayBeNonASCII { try validateUTF8(bytes, firstLine: line) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Throws at the first ill-formed sequence, naming its physical line.
    private func validateUTF8(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int) throws(RegistryError) {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var line = firstLine
        var previous: Unicode.Scalar = " "
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\r" || (scalar == "\n" && previous != "\r") { line += 1 }
                previous = scalar
            case .emptyInput:
                return
            case .error:
                throw RegistryError.data(
                    file: name, line: line, "invalid UTF-8: save the file as UTF-8 (e.g. iconv -f LATIN1 -t UTF-8)")
            }
        }
    }
}
