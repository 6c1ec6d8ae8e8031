import PortregTestSupport
import Testing
@testable import PortRegistryCatalog
@testable import PortRegistryFormats
@testable import PortRegistryModel

@testable import PortRegistry

@Suite struct CSVReaderTests {
    // MARK: Records and physical lines

    @Test func lineFeedRecords() throws {
        let records = try readAll("a,b\nc,d\n")
        #expect(records == [CSVRecord(fields: ["a", "b"], line: 1), CSVRecord(fields: ["c", "d"], line: 2)])
    }

    @Test func crlfAndLoneCRRecordEnds() throws {
        let records = try readAll("a,b\r\nc,d\re,f\ng,h")
        #expect(records.map(\.fields) == [["a", "b"], ["c", "d"], ["e", "f"], ["g", "h"]])
        #expect(records.map(\.line) == [1, 2, 3, 4])
    }

    @Test func noTrailingLineBreakAndEmptyLastLine() throws {
        #expect(try readAll("a,b").map(\.fields) == [["a", "b"]])
        #expect(try readAll("a,b\r\n").map(\.fields) == [["a", "b"]])
        #expect(try readAll("a,b\r\n\r\n").map(\.fields) == [["a", "b"]])
        #expect(try readAll("").isEmpty)
        #expect(try readAll("\r\n").isEmpty)
    }

    @Test func blankLinesAreSkippedButCounted() throws {
        let records = try readAll("a\n\nb\r\n\r\nc\r\rd\n")
        #expect(records.map(\.fields) == [["a"], ["b"], ["c"], ["d"]])
        #expect(records.map(\.line) == [1, 3, 5, 7])
    }

    @Test func emptyFields() throws {
        #expect(try readAll(",,\n").map(\.fields) == [["", "", ""]])
        #expect(try readAll("a,\n").map(\.fields) == [["a", ""]])
        #expect(try readAll("a,").map(\.fields) == [["a", ""]])
        #expect(try readAll("\"\"\n").map(\.fields) == [[""]])
        #expect(try readAll("a,\"\"").map(\.fields) == [["a", ""]])
        #expect(try readAll(",").map(\.fields) == [["", ""]])
    }

    @Test func quotedFields() throws {
        let records = try readAll("\"a,b\",\"say \"\"hi\"\"\",\"\"\"\",plain\r\n")
        #expect(records.map(\.fields) == [["a,b", "say \"hi\"", "\"", "plain"]])
    }

    @Test func spacesArePartOfFields() throws {
        #expect(try readAll(" a , b \n").map(\.fields) == [[" a ", " b "]])
    }

    @Test func lineBreaksInsideQuotesAreKeptAndCounted() throws {
        let text = "x,\"l1\nl2\",y\r\nnext,\"crlf\r\ninside\",\"lone\rcr\"\r\nlast,1,2\r\n"
        let records = try readAll(text)
        #expect(
            records.map(\.fields) == [
                ["x", "l1\nl2", "y"], ["next", "crlf\r\ninside", "lone\rcr"], ["last", "1", "2"],
            ])
        #expect(records.map(\.line) == [1, 3, 6])
    }

    @Test func nonASCIIText() throws {
        let records = try readAll("café,東京,\"naïve, “quoted”\"\n😀,x\n")
        #expect(records.map(\.fields) == [["café", "東京", "naïve, “quoted”"], ["😀", "x"]])
    }

    @Test func byteOrderMarkIsDroppedButHashed() throws {
        let text = "\u{FEFF}Service Name,Port Number\n"
        var reader = CSVReader(text: text, name: "bom.csv")
        #expect(try reader.next()?.fields == ["Service Name", "Port Number"])
        #expect(try reader.next() == nil)
        var hasher = SHA256()
        hasher.update(Array(text.utf8))
        #expect(reader.sha256 == hasher.finalize())
        #expect(Array(text.utf8.prefix(3)) == [0xEF, 0xBB, 0xBF])
    }

    @Test func nextAfterTheEndStaysNil() throws {
        var reader = CSVReader(text: "a\n", name: "t.csv")
        #expect(try reader.next() != nil)
        #expect(try reader.next() == nil)
        #expect(try reader.next() == nil)
    }

    // MARK: Errors name the file and the line

    @Test func unterminatedQuoteNamesTheLineWhereItOpened() {
        expectDataError(at: "t.csv:2", "unterminated quoted field") { _ = try readAll("a,b\n\"open\nmore\nstuff") }
        expectDataError(at: "t.csv:1", "unterminated quoted field") { _ = try readAll("\"") }
    }

    @Test func quoteInsideAnUnquotedField() {
        expectDataError(at: "t.csv:1", "quote inside an unquoted field") { _ = try readAll("a,b\"c\n") }
        expectDataError(at: "t.csv:3", "quote inside an unquoted field") { _ = try readAll("x\ny\r\nab\"c") }
    }

    @Test func textAfterAClosingQuote() {
        expectDataError(at: "t.csv:1", "text after a closing quote") { _ = try readAll("\"ab\"c,d\n") }
        expectDataError(at: "t.csv:1", "text after a closing quote") { _ = try readAll("\"ab\" ,d\n") }
        // The bad text is on line 3 of a record that starts on line 2.
        expectDataError(at: "t.csv:3", "text after a closing quote") { _ = try readAll("x\n\"a\nb\"c\n") }
    }

    @Test func nulBytes() {
        expectDataError(at: "t.csv:2", "NUL byte") { _ = try readAll("a\nb\u{0}c\n") }
        expectDataError(at: "t.csv:1", "NUL byte") { _ = try readAll("\"a\u{0}\"\n") }
        expectDataError(at: "t.csv:1", "NUL byte") { _ = try readAll("a,\u{0}\n") }
    }

    @Test func invalidUTF8NamesTheLine() throws {
        let unquoted = try TemporaryFile(Array("ok,fine\nbad,".utf8) + [0xE9, 0x0A])
        expectDataError(at: "\(unquoted.path):2", "invalid UTF-8") { try drain(unquoted.path) }
        // Inside a quoted field that opened on line 1, the bad byte is on line 3.
        let quoted = try TemporaryFile(Array("\"one\ntwo\nthree ".utf8) + [0xC3, 0x28] + Array("\"\n".utf8))
        expectDataError(at: "\(quoted.path):3", "invalid UTF-8") { try drain(quoted.path) }
        let truncated = try TemporaryFile(Array("a,b\n".utf8) + [0xF0, 0x9F, 0x98])
        expectDataError(at: "\(truncated.path):2", "invalid UTF-8") { try drain(truncated.path) }
    }

    // MARK: Files

    @Test func missingFileAndDirectory() {
        let missing = #expect(throws: RegistryError.self) { try CSVReader(path: "/nonexistent/portreg.csv") }
        #expect(missing?.kind == .inputMissing)
        #expect(missing?.message == "/nonexistent/portreg.csv: No such file or directory")
        let directory = #expect(throws: RegistryError.self) { try CSVReader(path: "/tmp") }
        #expect(directory?.kind == .inputMissing)
        #expect(directory?.message == "/tmp: Is a directory")
    }

    @Test func standardInputIsNamedInMessages() throws {
        // Opening "-" reads nothing until next().
        #expect(try CSVReader(path: "-").name == "<stdin>")
    }

    @Test func fileMatchesInMemoryAndHashesEveryByte() throws {
        let text = "\u{FEFF}h1,h2\r\n\"multi\nline\",x\r\nlast,\"\"\"q\"\"\""
        let file = try TemporaryFile(text)
        var reader = try CSVReader(path: file.path)
        #expect(reader.name == file.path)
        var records: [CSVRecord] = []
        while let record = try reader.next() { records.append(record) }
        #expect(records == (try readAll(text)))
        #expect(records.map(\.line) == [1, 2, 4])
        var hasher = SHA256()
        hasher.update(Array(text.utf8))
        #expect(reader.sha256 == hasher.finalize())
    }

    /// Every quirk, read in chunks so small that each byte lands on a chunk boundary in one of
    /// the runs: a field, doubled quote, closing quote, CRLF or multi-byte character split across
    /// two reads must give what reading the whole text at once gives.
    @Test func chunkBoundaries() throws {
        let text =
            "\u{FEFF}h1,h2,h3\r\n\"a\"\"b\",\"ab\",plain\r\n\"x\r\ny\",\"€uro\",ü\n\n,\"\",\r\"\"\"\"\"\",😀\r\nlast,\"multi\nline\""
        let expected = try readAll(text)
        #expect(
            expected.map(\.fields) == [
                ["h1", "h2", "h3"], ["a\"b", "ab", "plain"], ["x\r\ny", "€uro", "ü"], ["", "", ""], ["\"\"", "😀"],
                ["last", "multi\nline"],
            ])
        #expect(expected.map(\.line) == [1, 2, 3, 6, 7, 8])
        let file = try TemporaryFile(text)
        for chunkSize in 4...12 {
            var reader = try CSVReader(path: file.path, chunkSize: chunkSize)
            var records: [CSVRecord] = []
            while let record = try reader.next() { records.append(record) }
            #expect(records == expected, "chunk size \(chunkSize)")
        }
    }

    // MARK: The real IANA files

    @Test(.enabled(if: SharedData.isAvailable, SharedData.skipMessage))
    func realIANAFile() throws {
        let parsed = try SharedData.ianaParsed.get()
        #expect(parsed.header.fields == IANAHeader.columns)
        #expect(parsed.records.count == 14_499)
        #expect(parsed.records.allSatisfy { $0.fields.count == 12 })
        let multiLine = parsed.records.filter { $0.fields.contains { $0.contains("\n") } }
        #expect(multiLine.count == 444)
        // Physical lines: the last record starts where the line count says, and the file has 15,368.
        let last = try #require(parsed.records.last)
        let breaksInLast = last.fields.reduce(0) { $0 + $1.utf8.filter { $0 == 0x0A }.count }
        #expect(last.line + breaksInLast == 15_368)
        #expect(parsed.sha256 == "361899a76482379959543892e489689a45f676feba5988f7d4d369517da5bbad")
    }

    @Test(.enabled(if: SharedData.isAvailable, SharedData.skipMessage))
    func olderIANAFile() throws {
        let parsed = try SharedData.ianaOlderParsed.get()
        #expect(parsed.records.count == 14_474)
        #expect(parsed.records.allSatisfy { $0.fields.count == 12 })
        #expect(parsed.sha256 == "92170b26d08212925e92a18f2ddcc80ead7f311ad611a2c18bbcabb68d449ed2")
    }
}

@Suite struct CSVFormatTests {
    @Test func quotesOnlyWhenNeeded() {
        #expect(CSVFormat.field("plain") == "plain")
        #expect(CSVFormat.field("") == "")
        #expect(CSVFormat.field("in side") == "in side")
        #expect(CSVFormat.field("a,b") == "\"a,b\"")
        #expect(CSVFormat.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVFormat.field("two\nlines") == "\"two\nlines\"")
        #expect(CSVFormat.field("cr\rhere") == "\"cr\rhere\"")
        #expect(CSVFormat.field(" lead") == "\" lead\"")
        #expect(CSVFormat.field("trail ") == "\"trail \"")
        #expect(CSVFormat.field("東京") == "東京")
    }

    @Test func recordTerminator() {
        #expect(CSVFormat.record(["a", "b,c"]) == "a,\"b,c\"\r\n")
        #expect(CSVFormat.record(["a", ""], terminator: "\n") == "a,\n")
        #expect(CSVFormat.record([""]) == "\"\"\r\n")
    }

    static let roundTripCases: [[String]] = [
        ["plain", "", "a,b", "\"", "\"\"", "say \"hi\", twice"],
        ["line\nbreak", "crlf\r\ninside", "lone\rcr", "\n", "\r\n"],
        ["café", "東京", "😀,🇫🇷", "naïve “quotes”"],
        ["", "", ""],
        [""],
        [" leading", "trailing ", " ", "\t"],
        ["x11", "6000-6063", "tcp", "X Window System", "[Stephen_Gildea]"],
    ]

    @Test(arguments: roundTripCases)
    func roundTrip(fields: [String]) throws {
        for terminator in ["\r\n", "\n"] {
            let text =
                CSVFormat.record(fields, terminator: terminator) + CSVFormat.record(["next"], terminator: terminator)
            let records = try readAll(text)
            #expect(records.map(\.fields) == [fields, ["next"]])
        }
    }

    @Test func roundTripOfAWholeFile() throws {
        let text = CSVFormatTests.roundTripCases.map { CSVFormat.record($0) }.joined()
        #expect(try readAll(text).map(\.fields) == CSVFormatTests.roundTripCases)
    }
}

private func drain(_ path: String) throws(RegistryError) {
    var reader = try CSVReader(path: path)
    while try reader.next() != nil {}
}
