#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The terminal's width, for output laid out to fit it (tables, the port map).
enum Terminal {
    /// Columns of the terminal on `descriptor` (TIOCGWINSZ), else `$COLUMNS`, else 80.
    static func width(of descriptor: Int32 = 1) -> Int {
        var size = winsize()
        if isatty(descriptor) == 1, ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return Int(size.ws_col)
        }
        if let columns = getenv("COLUMNS").map({ String(cString: $0) }), let value = Int(columns), value > 0 {
            return min(value, 1000)
        }
        return 80
    }
}
