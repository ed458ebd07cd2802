package rawio

import (
	"errors"
	"syscall"
)

// ErrUnsupported is returned on platforms without raw descriptor I/O.
var ErrUnsupported = errors.New("rawio: not supported on this platform")

// Conn returns the raw connection behind c, or nil when c has none or the platform
// cannot do raw I/O on it.
func Conn(c any) syscall.RawConn {
	if !Supported {
		return nil
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// TryRead makes one read attempt on rc without waiting. It returns 0 and no error
// when nothing is there yet.
func TryRead(rc syscall.RawConn, p []byte) (int, error) {
	var k int
	var rerr error
	err := rc.Read(func(fd uintptr) bool {
		k, rerr = read(fd, p)
		return true // one attempt: never wait
	})
	if err != nil {
		return 0, err
	}
	if wouldBlock(rerr) {
		return 0, nil
	}
	if rerr != nil {
		return 0, rerr
	}
	return max(k, 0), nil
}

// TryWrite makes one write attempt on rc without waiting and reports how many bytes
// the socket took; 0 and no error means the send buffer is full.
func TryWrite(rc syscall.RawConn, p []byte) (int, error) {
	var k int
	var werr error
	err := rc.Write(func(fd uintptr) bool {
		k, werr = write(fd, p)
		return true // one attempt: never wait
	})
	if err != nil {
		return 0, err
	}
	if wouldBlock(werr) {
		return 0, nil
	}
	if werr != nil {
		return 0, werr
	}
	return max(k, 0), nil
}

// SetReceiveBuffer sets SO_RCVBUF on rc's socket; on platforms without raw I/O it
// does nothing.
func SetReceiveBuffer(rc syscall.RawConn, n int) error {
	var serr error
	err := rc.Control(func(fd uintptr) { serr = setRcvbuf(fd, n) })
	return errors.Join(err, serr)
}
