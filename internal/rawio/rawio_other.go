//go:build !unix

package rawio

// Supported reports whether this platform does raw descriptor I/O.
const Supported = false

func read(uintptr, []byte) (int, error)  { return 0, ErrUnsupported }
func write(uintptr, []byte) (int, error) { return 0, ErrUnsupported }
func wouldBlock(error) bool              { return false }
func setRcvbuf(uintptr, int) error       { return nil }
