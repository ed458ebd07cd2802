//go:build unix

package rawio

import "syscall"

// Supported reports whether this platform does raw descriptor I/O.
const Supported = true

func read(fd uintptr, p []byte) (int, error)  { return syscall.Read(int(fd), p) }
func write(fd uintptr, p []byte) (int, error) { return syscall.Write(int(fd), p) }

func wouldBlock(err error) bool { return err == syscall.EAGAIN || err == syscall.EINTR }

func setRcvbuf(fd uintptr, n int) error {
	return syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, n)
}
