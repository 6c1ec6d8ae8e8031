extension Unicode.Scalar {
    /// Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15):
    /// characters a terminal draws as nothing, such as U+200B ZERO WIDTH SPACE, U+2060 WORD
    /// JOINER, U+FEFF, the variation selectors and the tag characters. Two host names that
    /// differ only by one print the same and never collide (`prod` and `prod\u{200B}`), so
    /// names refuse them and diagnostics escape them.
    package var isDefaultIgnorable: Bool {
        switch value {
        case 0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B...0x180F, 0x200B...0x200F,
            0x202A...0x202E, 0x2060...0x206F, 0x3164, 0xFE00...0xFE0F, 0xFEFF, 0xFFA0, 0xFFF0...0xFFF8,
            0x1BCA0...0x1BCA3, 0x1D173...0x1D17A, 0xE0000...0xE0FFF:
            true
        default: false
        }
    }
}
