// Package rawio makes single, non-blocking reads and writes on a socket's file
// descriptor, for the writer that must not wait and the reader's read-ahead.
//
// On Unix the calls go straight to read(2) and write(2) on the descriptor that
// syscall.RawConn hands out, which the runtime keeps in non-blocking mode. Elsewhere
// Supported is false and every call reports ErrUnsupported, so callers fall back to
// the ordinary blocking net.Conn path.
package rawio
