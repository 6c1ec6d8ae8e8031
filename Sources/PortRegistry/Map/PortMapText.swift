import PortRegistryModel

/// The port map for a terminal: one character per cell, a line per stretch of ports, the
/// names of the services each line holds at its end, and a legend; every line fits `width`.
///
/// With `colour`, assignments are `█` in their owner's colour (256-colour palette) and
/// collisions red; without it (NO_COLOR, a pipe) owners are letters and collisions `!`, so the
/// picture still reads.
package enum PortMapText {
    static let maximumLines = 32
    static let labelWidth = 6
    /// Owner colours (xterm 256), in the same order as the SVG's.
    static let ownerColours = [67, 208, 71, 139, 73, 178, 137, 211, 38, 142]

    /// Cells per line and ports per cell for `range` in `width` columns.
    package static func layout(for range: PortRange, width: Int) -> (perLine: Int, blockSize: Int) {
        let perLine =
            [100, 50, 40, 25, 20, 10, 5, 2].first { labelWidth + $0 + 14 <= width }
            ?? max(1, min(2, width - labelWidth))
        let blockSize = PortMap.roundStep(
            atLeast: (range.count + perLine * maximumLines - 1) / (perLine * maximumLines))
        return (perLine, blockSize)
    }

    package static func render(_ input: PortMapInput, range: PortRange = .all, width: Int = 80, colour: Bool = false)
        -> String
    {
        let width = max(12, width)
        let (perLine, blockSize) = layout(for: range, width: width)
        let map = PortMap(input, range: range, blockSize: blockSize)
        let lineSpan = perLine * blockSize
        func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        func ownerCode(_ owner: Int) -> String {
            map.owners[owner].isEmpty ? "38;5;245" : "38;5;\(ownerColours[owner % ownerColours.count])"
        }
        func ownerLetter(_ owner: Int) -> String {
            if map.owners[owner].isEmpty { return "#" }
            guard owner < 26 else { return "+" }
            return String(UnicodeScalar(UInt8(0x41 + owner)))
        }

        var lines: [String] = []
        lines.append(
            fit(
                "Port map \(range.low)–\(range.high), one cell = \(blockSize) port\(blockSize == 1 ? "" : "s")",
                width))
        lines.append(fit(sanitize(map.caption), width))

        var start = range.low - range.low % lineSpan
        var blockIndex = 0
        while start <= range.high {
            let end = start + lineSpan - 1
            let label = String(start)
            var line = String(repeating: " ", count: max(0, labelWidth - 1 - label.count)) + label + " "
            // Padding for a first line that starts inside a cell row.
            let firstPort = max(start, range.low)
            let lead = (firstPort - start) / blockSize
            line += String(repeating: " ", count: lead)
            var used = labelWidth + lead
            var names: [(String, Bool)] = []
            var named = Set<Int>()
            while blockIndex < map.blocks.count, map.blocks[blockIndex].ports.low <= end {
                let block = map.blocks[blockIndex]
                blockIndex += 1
                used += 1
                for index in block.claims where named.insert(index).inserted {
                    let claim = map.claims[index]
                    if claim.assignment.ports.low >= start || start == range.low - range.low % lineSpan {
                        names.append((claim.assignment.service, claim.colliding))
                    }
                }
                if block.colliding > 0 {
                    line += paint(colour ? "█" : "!", "1;38;5;196")
                } else if block.assigned > 0, let first = block.claims.first {
                    let owner = map.claims[first].owner
                    line += colour ? paint("█", ownerCode(owner)) : ownerLetter(owner)
                } else {
                    let system = block.system * 2 >= block.ports.count
                    let ephemeral = !system && block.ephemeral * 2 >= block.ports.count
                    let glyph: String
                    switch block.registered == 0 ? 0 : Int((block.density * 3).rounded(.up)) {
                    case 0: glyph = system ? ":" : (ephemeral ? "~" : "·")
                    case 1: glyph = "░"
                    case 2: glyph = "▒"
                    default: glyph = "▓"
                    }
                    line += paint(glyph, system ? "38;5;135" : (ephemeral ? "38;5;74" : "38;5;244"))
                }
            }
            let room = width - used - 2
            if !names.isEmpty && room >= 2 {
                var list = ""
                var shown = 0
                for (name, colliding) in names {
                    let piece = (shown == 0 ? "" : ", ") + sanitize(name) + (colliding ? "!" : "")
                    if list.count + piece.count > room {
                        break
                    }
                    list += piece
                    shown += 1
                }
                if shown < names.count {
                    let more = shown == 0 ? "…" : ", …"
                    while list.count + more.count > room, !list.isEmpty { list.removeLast() }
                    list += more
                }
                line += "  " + (colour && names.contains { $0.1 } ? paint(list, "1;38;5;196") : list)
            }
            lines.append(line)
            start += lineSpan
        }

        // Legend, wrapped to the width.
        var items: [(plain: String, painted: String)] = []
        for owner in map.owners.indices {
            let name = map.owners[owner].isEmpty ? "no owner" : sanitize(map.owners[owner])
            let glyph = colour ? paint("█", ownerCode(owner)) : ownerLetter(owner)
            items.append(("x " + name, glyph + " " + name))
        }
        items.append(("x collision", (colour ? paint("█", "1;38;5;196") : "!") + " collision"))
        items.append(("░▒▓ catalog density", paint("░▒▓", "38;5;244") + " catalog density"))
        items.append(("· free", paint("·", "38;5;244") + " free"))
        if range.low < 1024 { items.append((": system 0–1023", paint(":", "38;5;135") + " system 0–1023")) }
        if let ephemeral = input.ephemeral, ephemeral.overlaps(range) {
            let label = "~ ephemeral \(ephemeral.low)–\(ephemeral.high)"
            items.append((label, paint("~", "38;5;74") + " ephemeral \(ephemeral.low)–\(ephemeral.high)"))
        }
        var legend = ""
        var legendWidth = 0
        for item in items {
            let plain = item.plain.count > width ? fit(item.plain, width) : item.plain
            let painted = item.plain.count > width ? plain : item.painted
            if legendWidth > 0 && legendWidth + 2 + plain.count > width {
                lines.append(legend)
                legend = ""
                legendWidth = 0
            }
            legend += (legendWidth > 0 ? "  " : "") + painted
            legendWidth += (legendWidth > 0 ? 2 : 0) + plain.count
        }
        if !legend.isEmpty { lines.append(legend) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` cut to `width` characters with an ellipsis.
    package static func fit(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(max(0, width - 1))) + "…"
    }

    /// Every character that could drive the terminal or reorder what it shows
    /// (`isUnsafeOnTerminal`: controls, bidirectional marks, invisible characters) becomes
    /// `?`, one column as the layout counts it.
    static func sanitize(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: \.isUnsafeOnTerminal) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.isUnsafeOnTerminal {
                out += "?"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
