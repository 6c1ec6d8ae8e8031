import PortRegistryModel

/// The port map as a self-contained SVG document: no script, no external font or image, so it
/// shows the same in a browser, in a pull request and in an image viewer.
///
/// Rows of ports from left to right (2,000 ports a row for the whole space); each row is cut
/// into 100 cells shaded by what the catalog registers there, over the privileged and
/// ephemeral ranges; assignments are drawn at their exact ports in their owner's colour, red
/// when they collide, with their names where there is room and a `<title>` tooltip each.
package enum PortMapSVG {
    package static let width = 1000.0
    package static let left = 64.0
    static let barWidth = 900.0
    static let barHeight = 18.0
    static let laneHeight = 14.0
    static let rowGap = 7.0
    static let cellsPerRow = 100
    static let maximumRows = 34

    static let freeColour = "#eef1f4"
    static let systemColour = "#e2d6f3"
    static let ephemeralColour = "#d3e5f6"
    static let densityColour = "#3d4b5c"
    static let densityOpacity = [0.0, 0.1, 0.18, 0.27, 0.37]
    static let collisionColour = "#d62728"
    static let noOwnerColour = "#6b7280"
    /// Tableau 10 without its red, which means a collision here.
    static let ownerColours = [
        "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#17becf",
        "#bcbd22",
    ]
    static let sans = "sans-serif"
    static let mono = "monospace"

    /// Ports per row and per cell for `range`: round numbers, at most `maximumRows` rows.
    package static func layout(for range: PortRange) -> (rowSpan: Int, blockSize: Int) {
        let rowSpan = PortMap.roundStep(atLeast: (range.count + maximumRows - 1) / maximumRows)
        return (rowSpan, rowSpan >= cellsPerRow ? rowSpan / cellsPerRow : 1)
    }

    static func ownerColour(_ map: PortMap, _ owner: Int) -> String {
        map.owners[owner].isEmpty ? noOwnerColour : ownerColours[owner % ownerColours.count]
    }

    package static func render(_ input: PortMapInput, range: PortRange = .all) -> String {
        let (rowSpan, blockSize) = layout(for: range)
        let map = PortMap(input, range: range, blockSize: blockSize)
        let scale = barWidth / Double(rowSpan)
        var body = ""
        var y = 0.0

        // Title, caption, legend.
        y += 30
        body += text(
            left, y, "Port map \(range.low)–\(range.high)", size: 19, weight: "600", colour: "#1f2328")
        y += 20
        body += text(left, y, map.caption, size: 11.5, colour: "#57606a")
        y += 14
        var legend = Legend(x: left, y: y, right: left + barWidth)
        legend.swatch(freeColour, "free")
        if range.low < 1024 { legend.swatch(systemColour, "system ports 0–1023") }
        if let ephemeral = input.ephemeral, ephemeral.overlaps(range) {
            legend.swatch(ephemeralColour, "this host’s ephemeral range \(ephemeral.low)–\(ephemeral.high)")
        }
        legend.density()
        legend.swatch(collisionColour, "collision", outline: "#7a0c0c")
        legend.newLine()
        let shownOwners = min(map.owners.count, 12)
        for owner in 0..<shownOwners {
            legend.swatch(ownerColour(map, owner), map.owners[owner].isEmpty ? "no owner" : map.owners[owner])
        }
        if map.owners.count > shownOwners { legend.note("and \(map.owners.count - shownOwners) more owners") }
        if map.owners.isEmpty { legend.note("no assignments in this range") }
        body += legend.svg
        y = legend.bottom + 22

        // Axis: offsets within a row.
        for quarter in 0...4 {
            let offset = rowSpan * quarter / 4
            let anchor = quarter == 0 ? "start" : (quarter == 4 ? "end" : "middle")
            body += text(
                left + Double(offset) * scale, y, "+\(offset)", size: 10, colour: "#6e7781",
                anchor: anchor, family: mono)
        }
        y += 8

        var start = range.low - range.low % rowSpan
        var blockIndex = 0
        while start <= range.high {
            let end = start + rowSpan - 1
            var rowBlocks: [PortMap.Block] = []
            while blockIndex < map.blocks.count, map.blocks[blockIndex].ports.low <= end {
                rowBlocks.append(map.blocks[blockIndex])
                blockIndex += 1
            }
            var claimIndices: [Int] = []
            var seen = Set<Int>()
            for block in rowBlocks {
                for index in block.claims where seen.insert(index).inserted { claimIndices.append(index) }
            }
            claimIndices.sort()

            // Names: inside the claim when it is wide enough, else above it in the first of
            // two lanes with room; a name with no room is left to the tooltip.
            struct Placed {
                var claim: Int
                var x: Double
                var width: Double
                var inside: Bool
                /// 0: no label above; 1: the lane next to the bar; 2: the one above it.
                var lane: Int
            }
            var placed: [Placed] = []
            var laneEnds = [-Double.infinity, -Double.infinity]
            var named = Set<String>()
            for index in claimIndices {
                let ports = map.claims[index].assignment.ports
                let low = max(ports.low, start)
                let high = min(ports.high, end)
                let exact = Double(high - low + 1) * scale
                let width = max(5, exact)
                let x = left + Double(low - start) * scale - (width - exact) / 2
                let label = Double(PortMapSVG.label(map.claims[index]).count) * 6.0 + 4
                let inside = width >= label + 4
                var lane = 0
                // `billing × shop` already names shop: its own label would say it again.
                let claim = map.claims[index]
                let said = claim.colliding && claim.collidesWith.allSatisfy(named.contains)
                if !inside, !said, ports.low >= start, x + label <= left + barWidth + 30,
                    let free = laneEnds.indices.first(where: { x >= laneEnds[$0] + 6 })
                {
                    lane = free + 1
                    laneEnds[free] = x + label
                }
                if inside || lane > 0 { named.insert(claim.assignment.service) }
                placed.append(Placed(claim: index, x: x, width: width, inside: inside, lane: lane))
            }
            let lanes = placed.map(\.lane).max() ?? 0
            y += Double(lanes) * laneHeight
            let top = y

            body += text(
                left - 8, top + barHeight / 2 + 3.5, String(start), size: 10.5, colour: "#57606a", anchor: "end",
                family: mono)
            // Cells, runs of equal shade drawn as one rectangle.
            var runs: [(x: Double, width: Double, fill: String, level: Int)] = []
            for block in rowBlocks {
                let fill =
                    block.system * 2 >= block.ports.count
                    ? systemColour : (block.ephemeral * 2 >= block.ports.count ? ephemeralColour : freeColour)
                let level = block.registered == 0 ? 0 : min(4, Int((block.density * 4).rounded(.up)))
                let x = left + Double(block.ports.low - start) * scale
                let width = Double(block.ports.count) * scale
                if let last = runs.last, last.fill == fill, last.level == level, abs(last.x + last.width - x) < 0.01 {
                    runs[runs.count - 1].width += width
                } else {
                    runs.append((x, width, fill, level))
                }
            }
            for run in runs {
                body += rect(run.x, top, run.width, barHeight, fill: run.fill)
                if run.level > 0 {
                    body += rect(
                        run.x, top, run.width, barHeight, fill: densityColour, opacity: densityOpacity[run.level])
                }
            }
            // Assignments.
            for item in placed {
                let claim = map.claims[item.claim]
                let fill = claim.colliding ? collisionColour : ownerColour(map, claim.owner)
                let stroke = claim.colliding ? "#7a0c0c" : "#ffffff"
                body +=
                    "<rect class=\"claim\" x=\"\(number(item.x))\" y=\"\(number(top - 2))\" width=\"\(number(item.width))\" height=\"\(number(barHeight + 4))\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(claim.colliding ? "1.5" : "0.75")\"><title>\(escape(PortMap.describe(claim)))</title></rect>\n"
                let name = PortMapSVG.label(claim)
                if item.inside {
                    body += text(
                        item.x + item.width / 2, top + barHeight / 2 + 3.5, name, size: 10.5, weight: "600",
                        colour: readableText(on: fill), anchor: "middle")
                } else if item.lane > 0 {
                    body += text(
                        item.x, top - 5 - Double(item.lane - 1) * laneHeight, name, size: 10.5,
                        weight: claim.colliding ? "700" : "600",
                        colour: claim.colliding ? collisionColour : "#1f2328")
                }
            }
            y = top + barHeight + rowGap
            start += rowSpan
        }

        y += 12
        body += text(
            left, y,
            "Each row is \(grouped(rowSpan)) ports, each cell \(grouped(blockSize)) port\(blockSize == 1 ? "" : "s"). "
                + "\(map.claims.count) assignment\(map.claims.count == 1 ? "" : "s"), "
                + "\(map.claims.filter(\.colliding).count) in collisions. Hover an assignment for its details.",
            size: 11, colour: "#57606a")
        y += 16

        let height = number(y)
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(number(width))" height="\(height)" \
            viewBox="0 0 \(number(width)) \(height)" font-family="\(sans)">
            <title>\(escape("Port map \(range.low)–\(range.high): \(map.caption)"))</title>
            <rect width="100%" height="100%" fill="#ffffff"/>

            """ + body + "</svg>\n"
    }

    /// A claim's name on the map; a collision names the other side too.
    package static func label(_ claim: PortMap.Holding) -> String {
        claim.colliding
            ? claim.assignment.service + " × " + claim.collidesWith.joined(separator: ", ") : claim.assignment.service
    }

    /// Lays legend items out left to right, wrapping at `right`.
    struct Legend {
        var x: Double
        var y: Double
        let left: Double
        let right: Double
        var svg = ""

        init(x: Double, y: Double, right: Double) {
            self.x = x
            self.y = y
            self.left = x
            self.right = right
        }

        var bottom: Double { y + 12 }

        mutating func place(_ width: Double) {
            if x + width > right && x > left { newLine() }
        }

        mutating func newLine() {
            guard x > left else { return }
            x = left
            y += 20
        }

        mutating func swatch(_ colour: String, _ label: String, outline: String = "#9aa4ae") {
            let width = 18 + Double(label.count) * 5.6 + 16
            place(width)
            svg += rect(x, y, 12, 12, fill: colour, stroke: outline)
            svg += PortMapSVG.text(x + 17, y + 10, label, size: 11.5, colour: "#24292f")
            x += width
        }

        mutating func density() {
            let label = "catalog registrations per cell: few → all"
            place(4 * 13 + 8 + Double(label.count) * 5.6 + 16)
            for level in 1...4 {
                svg += rect(x, y, 12, 12, fill: freeColour, stroke: "#9aa4ae")
                svg += rect(x, y, 12, 12, fill: densityColour, opacity: densityOpacity[level])
                x += 13
            }
            svg += PortMapSVG.text(x + 4, y + 10, label, size: 11.5, colour: "#24292f")
            x += 8 + Double(label.count) * 5.6 + 16
        }

        mutating func note(_ label: String) {
            place(Double(label.count) * 5.6)
            svg += PortMapSVG.text(x, y + 10, label, size: 11.5, colour: "#57606a", style: "italic")
            x += Double(label.count) * 5.6 + 16
        }
    }

    static func rect(
        _ x: Double, _ y: Double, _ width: Double, _ height: Double, fill: String, opacity: Double? = nil,
        stroke: String? = nil
    ) -> String {
        var element =
            "<rect x=\"\(number(x))\" y=\"\(number(y))\" width=\"\(number(width))\" height=\"\(number(height))\" fill=\"\(fill)\""
        if let opacity { element += " fill-opacity=\"\(number(opacity))\"" }
        if let stroke { element += " stroke=\"\(stroke)\" stroke-width=\"0.75\"" }
        return element + "/>\n"
    }

    package static func text(
        _ x: Double, _ y: Double, _ content: String, size: Double, weight: String? = nil, colour: String,
        anchor: String? = nil, family: String? = nil, style: String? = nil
    ) -> String {
        var element = "<text x=\"\(number(x))\" y=\"\(number(y))\" font-size=\"\(number(size))\" fill=\"\(colour)\""
        if let weight { element += " font-weight=\"\(weight)\"" }
        if let anchor { element += " text-anchor=\"\(anchor)\"" }
        if let family { element += " font-family=\"\(family)\"" }
        if let style { element += " font-style=\"\(style)\"" }
        return element + ">\(escape(content))</text>\n"
    }

    /// XML text and attribute escaping; characters XML 1.0 cannot hold (C0 and C1 controls,
    /// U+FFFE, U+FFFF) are dropped, tabs and line breaks become spaces.
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out += " "
            default:
                let value = scalar.value
                if value < 0x20 || (0x7F...0x9F).contains(value) || value == 0xFFFE || value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Dark text on light colours, white on dark ones (relative luminance of `#rrggbb`).
    static func readableText(on colour: String) -> String {
        let hex = colour.dropFirst()
        guard hex.count == 6, let value = Int(hex, radix: 16) else { return "#ffffff" }
        let red = Double((value >> 16) & 0xFF)
        let green = Double((value >> 8) & 0xFF)
        let blue = Double(value & 0xFF)
        return 0.299 * red + 0.587 * green + 0.114 * blue > 160 ? "#1f2328" : "#ffffff"
    }

    /// `12.3`, `12`, `-0.5`: one decimal, no trailing `.0`, no locale.
    package static func number(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        let whole = tenths / 10
        let fraction = abs(tenths % 10)
        let sign = tenths < 0 && whole == 0 ? "-" : ""
        return fraction == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }
}

/// `65535` → `65,535`.
package func grouped(_ value: Int) -> String {
    let digits = String(abs(value))
    var out = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
        out.append(digit)
    }
    return value < 0 ? "-" + out : out
}
