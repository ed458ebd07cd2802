package cluster

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Version is the envelope format this package writes and the only one it reads.
const Version = 1

// DefaultMaxEnvelope is the size cap of an envelope when Config.MaxEnvelope is 0.
const DefaultMaxEnvelope = 1 << 20

// Kind is what an envelope carries, and for a message, which clients it is for.
type Kind uint8

// The envelope kinds. The first four are message targets ([Target.Kind]).
const (
	KindBroadcast Kind = iota + 1 // every client of the registry
	KindURL                       // the clients of one controller URL
	KindRoom                      // the members of one room
	KindIDs                       // the clients with the listed ids
	KindClose                     // close one client by id
	KindHeartbeat                 // a node's presence counts
)

// String returns the kind's name, as used in logs.
func (k Kind) String() string {
	switch k {
	case KindBroadcast:
		return "broadcast"
	case KindURL:
		return "url"
	case KindRoom:
		return "room"
	case KindIDs:
		return "ids"
	case KindClose:
		return "close"
	case KindHeartbeat:
		return "heartbeat"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Mode is the WebSocket frame type a message goes out as. The values are the
// WebSocket opcodes; JSON messages are text.
type Mode uint8

// The message modes.
const (
	ModeText   Mode = 1
	ModeBinary Mode = 2
)

// Target names the clients a message is for. Except lists client ids that must not get
// it (typically the sender).
type Target struct {
	Kind   Kind
	URL    string   // KindURL: the controller (its URL, "+" or "-" in front for an auth-prefixed route); KindRoom: only the members of that controller ("" for all)
	Room   string   // KindRoom
	Rooms  []string // KindRoom: more rooms; a member of several gets the message once
	IDs    []string // KindIDs: cluster-wide client ids
	Except []string
}

// All targets every client, except the given ids.
func All(except ...string) Target { return Target{Kind: KindBroadcast, Except: except} }

// URL targets the clients of one controller URL, except the given ids.
func URL(url string, except ...string) Target {
	return Target{Kind: KindURL, URL: url, Except: except}
}

// Room targets the members of room, except the given ids.
func Room(room string, except ...string) Target {
	return Target{Kind: KindRoom, Room: room, Except: except}
}

// IDs targets the clients with the given cluster-wide ids.
func IDs(ids ...string) Target { return Target{Kind: KindIDs, IDs: ids} }

// Excepted reports whether id is in t.Except.
func (t Target) Excepted(id string) bool {
	for _, e := range t.Except {
		if e == id {
			return true
		}
	}
	return false
}

// Counts are presence figures: clients in total, per controller URL, per room.
type Counts struct {
	Total int
	URLs  map[string]int
	Rooms map[string]int
}

// Envelope is what travels between nodes. Which fields are set depends on Kind.
type Envelope struct {
	Kind   Kind
	Origin string // the publishing node's id
	Seq    uint64 // 1, 2, 3... per publishing node and subject

	// Message kinds (broadcast, url, room, ids).
	Target  Target
	Mode    Mode
	Payload []byte // Decode makes it share the decoded buffer

	// KindClose.
	Client string
	Code   uint16
	Reason string

	// KindHeartbeat.
	Counts  Counts
	Leaving bool // the node is shutting down: drop it now
}

// Limits on the parts of an envelope, checked by Encode and Decode.
const (
	maxString    = 4096 // a URL, a room name, a client id
	maxReason    = 123  // a close reason, as in a WebSocket close frame
	maxCount     = 1 << 40
	flagLeaving  = 1
	headerMinLen = 4
)

// Envelope errors. Decode wraps them with detail; test with errors.Is.
var (
	ErrVersion   = errors.New("cluster: unknown envelope version")
	ErrTooLarge  = errors.New("cluster: envelope too large")
	ErrMalformed = errors.New("cluster: malformed envelope")
)

// Encode appends the binary form of e to dst and returns it. It fails with ErrTooLarge
// when the result would exceed max bytes, and ErrMalformed when e is not valid (unknown
// kind or mode, an invalid origin, a string over its limit).
func Encode(dst []byte, e *Envelope, max int) ([]byte, error) {
	if !ValidNodeID(e.Origin) {
		return dst, fmt.Errorf("%w: origin %q: %w", ErrMalformed, e.Origin, ErrBadID)
	}
	start := len(dst)
	var flags byte
	switch e.Kind {
	case KindBroadcast, KindURL, KindRoom, KindIDs:
		if e.Target.Kind != e.Kind {
			return dst, fmt.Errorf("%w: target kind %v in a %v envelope", ErrMalformed, e.Target.Kind, e.Kind)
		}
		if e.Mode != ModeText && e.Mode != ModeBinary {
			return dst, fmt.Errorf("%w: mode %d", ErrMalformed, e.Mode)
		}
		flags = byte(e.Mode)
	case KindClose:
		if e.Code < 1000 || e.Code > 4999 {
			return dst, fmt.Errorf("%w: close code %d", ErrMalformed, e.Code)
		}
		if len(e.Reason) > maxReason {
			return dst, fmt.Errorf("%w: close reason of %d bytes", ErrMalformed, len(e.Reason))
		}
	case KindHeartbeat:
		if e.Leaving {
			flags = flagLeaving
		}
	default:
		return dst, fmt.Errorf("%w: kind %v", ErrMalformed, e.Kind)
	}
	dst = append(dst, Version, byte(e.Kind), flags)
	dst = appendString(dst, e.Origin)
	dst = binary.AppendUvarint(dst, e.Seq)
	var err error
	switch e.Kind {
	case KindURL:
		dst, err = appendChecked(dst, e.Target.URL)
	case KindRoom:
		if dst, err = appendChecked(dst, e.Target.Room); err == nil {
			if dst, err = appendList(dst, e.Target.Rooms); err == nil {
				dst, err = appendChecked(dst, e.Target.URL)
			}
		}
	case KindIDs:
		dst, err = appendList(dst, e.Target.IDs)
	}
	if err != nil {
		return dst[:start], err
	}
	switch e.Kind {
	case KindBroadcast, KindURL, KindRoom, KindIDs:
		if dst, err = appendList(dst, e.Target.Except); err != nil {
			return dst[:start], err
		}
		dst = append(dst, e.Payload...)
	case KindClose:
		if dst, err = appendChecked(dst, e.Client); err != nil {
			return dst[:start], err
		}
		dst = binary.BigEndian.AppendUint16(dst, e.Code)
		dst = appendString(dst, e.Reason)
	case KindHeartbeat:
		dst = binary.AppendUvarint(dst, uint64(max0(e.Counts.Total)))
		if dst, err = appendCounts(dst, e.Counts.URLs); err != nil {
			return dst[:start], err
		}
		if dst, err = appendCounts(dst, e.Counts.Rooms); err != nil {
			return dst[:start], err
		}
	}
	if len(dst)-start > max {
		return dst[:start], fmt.Errorf("%w: %d bytes, the cap is %d", ErrTooLarge, len(dst)-start, max)
	}
	return dst, nil
}

func max0(n int) int {
	if n < 0 {
		return 0
	}
	return n
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func appendChecked(dst []byte, s string) ([]byte, error) {
	if len(s) > maxString {
		return dst, fmt.Errorf("%w: a string of %d bytes (the limit is %d)", ErrMalformed, len(s), maxString)
	}
	return appendString(dst, s), nil
}

func appendList(dst []byte, list []string) ([]byte, error) {
	dst = binary.AppendUvarint(dst, uint64(len(list)))
	var err error
	for _, s := range list {
		if dst, err = appendChecked(dst, s); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

func appendCounts(dst []byte, m map[string]int) ([]byte, error) {
	n := 0
	for _, c := range m {
		if c > 0 {
			n++
		}
	}
	dst = binary.AppendUvarint(dst, uint64(n))
	var err error
	for k, c := range m {
		if c <= 0 {
			continue
		}
		if dst, err = appendChecked(dst, k); err != nil {
			return dst, err
		}
		dst = binary.AppendUvarint(dst, uint64(c))
	}
	return dst, nil
}

// Decode parses one envelope of at most max bytes. It never panics and never allocates
// more than a small multiple of len(data). Payload shares data; every string is copied.
func Decode(data []byte, max int) (Envelope, error) {
	var e Envelope
	if len(data) > max {
		return e, fmt.Errorf("%w: %d bytes, the cap is %d", ErrTooLarge, len(data), max)
	}
	if len(data) < headerMinLen {
		return e, fmt.Errorf("%w: %d bytes", ErrMalformed, len(data))
	}
	if data[0] != Version {
		return e, fmt.Errorf("%w: %d", ErrVersion, data[0])
	}
	e.Kind = Kind(data[1])
	flags := data[2]
	r := reader{b: data[3:]}
	e.Origin = r.str(MaxNodeID)
	e.Seq = r.uvarint(math.MaxUint64)
	if r.err == nil && !ValidNodeID(e.Origin) {
		return Envelope{}, fmt.Errorf("%w: origin %q", ErrMalformed, e.Origin)
	}
	switch e.Kind {
	case KindBroadcast, KindURL, KindRoom, KindIDs:
		e.Mode = Mode(flags)
		if e.Mode != ModeText && e.Mode != ModeBinary {
			return Envelope{}, fmt.Errorf("%w: mode %d", ErrMalformed, flags)
		}
		e.Target.Kind = e.Kind
		switch e.Kind {
		case KindURL:
			e.Target.URL = r.str(maxString)
		case KindRoom:
			e.Target.Room = r.str(maxString)
			e.Target.Rooms = r.list()
			e.Target.URL = r.str(maxString)
		case KindIDs:
			e.Target.IDs = r.list()
		}
		e.Target.Except = r.list()
		if r.err == nil {
			e.Payload = r.b
			r.b = nil
		}
	case KindClose:
		if flags != 0 {
			return Envelope{}, fmt.Errorf("%w: flags %#x", ErrMalformed, flags)
		}
		e.Client = r.str(maxString)
		e.Code = r.uint16()
		if r.err == nil && (e.Code < 1000 || e.Code > 4999) {
			r.err = fmt.Errorf("close code %d", e.Code)
		}
		e.Reason = r.str(maxReason)
	case KindHeartbeat:
		if flags&^flagLeaving != 0 {
			return Envelope{}, fmt.Errorf("%w: flags %#x", ErrMalformed, flags)
		}
		e.Leaving = flags&flagLeaving != 0
		e.Counts.Total = int(r.uvarint(maxCount))
		e.Counts.URLs = r.counts()
		e.Counts.Rooms = r.counts()
	default:
		return Envelope{}, fmt.Errorf("%w: kind %v", ErrMalformed, e.Kind)
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%d bytes left over", len(r.b))
	}
	if r.err != nil {
		return Envelope{}, fmt.Errorf("%w: %v: %w", ErrMalformed, e.Kind, r.err)
	}
	return e, nil
}

// reader consumes b; the first failure sticks in err and later reads return zero values.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint(limit uint64) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errors.New("bad varint")
		return 0
	}
	if v > limit {
		r.err = fmt.Errorf("%d is over the limit %d", v, limit)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) str(limit int) string {
	n := r.uvarint(uint64(limit))
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.b)) {
		r.err = fmt.Errorf("a string of %d bytes with %d left", n, len(r.b))
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *reader) uint16() uint16 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 2 {
		r.err = errors.New("short close code")
		return 0
	}
	v := binary.BigEndian.Uint16(r.b)
	r.b = r.b[2:]
	return v
}

// list reads a count and that many strings; each string takes at least one byte, so the
// count is bounded by what is left.
func (r *reader) list() []string {
	n := r.uvarint(uint64(len(r.b)))
	if r.err != nil || n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for i := uint64(0); i < n && r.err == nil; i++ {
		out = append(out, r.str(maxString))
	}
	return out
}

func (r *reader) counts() map[string]int {
	n := r.uvarint(uint64(len(r.b) / 2))
	if r.err != nil || n == 0 {
		return nil
	}
	m := make(map[string]int, n)
	for i := uint64(0); i < n && r.err == nil; i++ {
		k := r.str(maxString)
		m[k] += int(r.uvarint(maxCount))
	}
	return m
}
