extension Unicode.Scalar {
    /// Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15):
    /// characters a terminal draws as nothing, such as U+200B ZERO WIDTH SPACE, U+2060 WORD
    /// JOINER, U+FEFF, the variation selectors and the tag characters. Two host names that
    /// differ only by one print the same and never collide (`prod` and `prod\u{200B}`), so
    /// names refuse them and diagnostics escape them.
    var isDefaultIgnorable: Bool {
        switch value {
        case 0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B...0x180F, 0x200B...0x200F,
            0x202A...0x202E, 0x2060...0x206F, 0x3164, 0xFE00...0xFE0F, 0xFEFF, 0xFFA0, 0xFFF0...0xFFF8,
            0x1BCA0...0x1BCA3, 0x1D173...0x1D17A, 0xE0000...0xE0FFF:
            true
        default: false
        }
    }
}

extension Unicode.Scalar {
    /// Whether this character must not reach a terminal as it is: the one rule of every text
    /// shown to a person (the executable's `TerminalText.visible` escapes these, the port
    /// map's text shows them as `?`).
    ///
    /// C0 controls (U+0000–U+001F), DEL (U+007F), C1 controls (U+0080–U+009F, which include
    /// CSI and OSC on terminals that read 8-bit controls), the bidirectional formatting
    /// characters (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069: "Trojan Source"),
    /// the line and paragraph separators U+2028, U+2029, and every default-ignorable code
    /// point (U+200B, U+2060, U+FEFF…, drawn as nothing).
    package var isUnsafeOnTerminal: Bool {
        switch value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: true
        default: isDefaultIgnorable
        }
    }
}
