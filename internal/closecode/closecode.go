package closecode

// The codes. socket.StatusCode gives each a typed constant of the same value.
const (
	NormalClosure     = 1000
	GoingAway         = 1001
	ProtocolError     = 1002
	UnsupportedData   = 1003
	NoStatus          = 1005
	Abnormal          = 1006
	InvalidPayload    = 1007
	PolicyViolation   = 1008
	MessageTooBig     = 1009
	InternalError     = 1011
	ServiceRestart    = 1012
	TryAgainLater     = 1013
	MiddlewareRefused = 4000
	Unauthorized      = 4001
	InvalidToken      = 4002
	Forbidden         = 4003
	SlowConsumer      = 4008
)

// Info describes one code.
type Info struct {
	Code     uint16
	Constant string // the socket constant, such as "StatusNormalClosure"
	Name     string // short lower-case name, as StatusCode.String prints it
	Sent     string // when wsroute sends it (Markdown)
	Retry    bool   // whether a client should reconnect on its own
	Reported bool   // never sent: only reported in a close event
}

// Table lists every code in ascending order.
var Table = []Info{
	{NormalClosure, "StatusNormalClosure", "normal closure", "`Close(1000)`; the controller was destroyed (`Destroy`, autodestroy); \"idle timeout\"; \"heartbeat timeout\"; the answer to a client's own close (a client's 3000–4999 code is echoed instead)", true, false},
	{GoingAway, "StatusGoingAway", "going away", "`Registry.Shutdown` and `Registry.Drain` (\"going away\"), spread over the drain window", true, false},
	{ProtocolError, "StatusProtocolError", "protocol error", "a frame that breaks RFC 6455: unmasked, reserved opcode or RSV bit, RSV1 without compression, a control frame over 125 bytes or fragmented, a continuation out of place, a 64-bit length with the top bit set, a close frame with a reserved or invalid code or a 1-byte payload; corrupt compressed data", false, false},
	{UnsupportedData, "StatusUnsupportedData", "unsupported data", "not sent by wsroute; for applications", false, false},
	{NoStatus, "StatusNoStatus", "no status", "reported only: the peer's close frame had no code", true, true},
	{Abnormal, "StatusAbnormal", "abnormal closure", "reported only: the connection dropped without a close frame", true, true},
	{InvalidPayload, "StatusInvalidPayload", "invalid payload", "a text message that is not UTF-8 (checked on the whole message)", false, false},
	{PolicyViolation, "StatusPolicyViolation", "policy violation", "over the rate limit (\"rate limit\")", false, false},
	{MessageTooBig, "StatusMessageTooBig", "message too big", "over the size limit, in one frame, in fragments, or once inflated (\"message too big\")", false, false},
	{InternalError, "StatusInternalError", "internal error", "a handler or a middleware panicked (\"internal error\")", true, false},
	{ServiceRestart, "StatusServiceRestart", "service restart", "`Registry.Drain` with `Restart` (\"service restart\"), spread over the drain window", true, false},
	{TryAgainLater, "StatusTryAgainLater", "try again later", "not sent by wsroute (the connection caps answer with HTTP statuses); for applications", true, false},
	{MiddlewareRefused, "StatusMiddlewareRefused", "middleware refused", "a middleware returned an error (its text is the reason)", false, false},
	{Unauthorized, "StatusUnauthorized", "unauthorized", "the auth prefix refused the client; `Authenticate` refused without a code", false, false},
	{InvalidToken, "StatusInvalidToken", "invalid token", "the `@csrf` token is missing, invalid or expired", false, false},
	{Forbidden, "StatusForbidden", "forbidden", "a middleware returned false (\"forbidden\")", false, false},
	{SlowConsumer, "StatusSlowConsumer", "slow consumer", "the outgoing queue overflowed, or a write stalled (\"slow consumer\")", true, false},
}

// Lookup returns the row of code and whether there is one.
func Lookup(code uint16) (Info, bool) {
	for _, in := range Table {
		if in.Code == code {
			return in, true
		}
	}
	return Info{}, false
}
