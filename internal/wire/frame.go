package wire

import (
	"encoding/binary"
	"unicode/utf8"
)

// Opcodes of RFC 6455 §5.2.
const (
	OpText   byte = 0x1
	OpBinary byte = 0x2
	OpClose  byte = 0x8
	OpPing   byte = 0x9
	OpPong   byte = 0xA
)

// MaxHeader is the longest header of a server frame.
const MaxHeader = 10

// MaxControl is the longest payload of a control frame, and MaxReason the longest close
// reason (RFC 6455 §5.5).
const (
	MaxControl = 125
	MaxReason  = MaxControl - 2
)

const (
	finBit  = 0x80
	rsv1Bit = 0x40 // "compressed", for permessage-deflate
)

// AppendHeader appends the header of a final, unmasked frame with opcode op and an
// n-byte payload; compressed sets RSV1.
func AppendHeader(b []byte, op byte, n int, compressed bool) []byte {
	first := finBit | op
	if compressed {
		first |= rsv1Bit
	}
	b = append(b, first)
	switch {
	case n < 126:
		return append(b, byte(n))
	case n <= 0xFFFF:
		return binary.BigEndian.AppendUint16(append(b, 126), uint16(n))
	default:
		return binary.BigEndian.AppendUint64(append(b, 127), uint64(n))
	}
}

// AppendFrame appends a whole uncompressed frame.
func AppendFrame(b []byte, op byte, payload []byte) []byte {
	return append(AppendHeader(b, op, len(payload), false), payload...)
}

// AppendControl appends a ping or pong frame; the payload is cut to MaxControl bytes.
func AppendControl(b []byte, op byte, payload []byte) []byte {
	if len(payload) > MaxControl {
		payload = payload[:MaxControl]
	}
	return AppendFrame(b, op, payload)
}

// AppendClose appends a close frame with code and reason; code 0 gives an empty close
// frame. The reason is cut to MaxReason bytes without splitting a UTF-8 sequence.
func AppendClose(b []byte, code uint16, reason string) []byte {
	if code == 0 {
		return AppendHeader(b, OpClose, 0, false)
	}
	reason = TruncateReason(reason)
	b = AppendHeader(b, OpClose, 2+len(reason), false)
	b = binary.BigEndian.AppendUint16(b, code)
	return append(b, reason...)
}

// TruncateReason cuts a close reason to the MaxReason bytes a close frame can carry,
// without splitting a UTF-8 sequence.
func TruncateReason(s string) string {
	if len(s) <= MaxReason {
		return s
	}
	n := MaxReason
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
