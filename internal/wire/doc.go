// Package wire builds the frames a wsroute server writes: headers, whole data frames,
// control frames and close frames, compressed with permessage-deflate (RFC 7692) or
// not.
//
// Server frames are never masked, and wsroute writes every message as one final frame,
// so a frame is a header of 2 to 10 bytes followed by the payload. Compression runs
// without context takeover: each message is compressed on its own, so one compressed
// frame can be shared by every client of a broadcast. See docs/internals.md.
package wire
