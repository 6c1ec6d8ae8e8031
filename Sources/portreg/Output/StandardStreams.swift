import Glibc

/// Standard input, output and error that the caller closed (`<&-`, `>&-`) are held by
/// `/dev/null` opened the wrong way round, before anything else opens a file: reads of
/// stdin and writes of stdout still fail with EBADF (a closed input is reported, 66; a
/// closed output is a write failure, 74), and the database can never be given descriptor
/// 0, 1 or 2 and be read as queries or overwritten by output.
enum StandardStreams {
    static func reserve() {
        for descriptor: Int32 in [0, 1, 2] where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", descriptor == 0 ? O_WRONLY : O_RDONLY)
            if opened >= 0 && opened != descriptor {
                dup2(opened, descriptor)
                close(opened)
            }
        }
    }
}
