package handshake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// CSRF issues and verifies the tokens of "@csrf" routes. A token is
// base64url(expiry || HMAC-SHA256(Key, domain || expiry || session)), where expiry is the
// Unix second the token stops being valid, as 8 big-endian bytes.
type CSRF struct {
	Key    []byte        // the HMAC key, at least 32 bytes
	MaxAge time.Duration // how long an issued token is valid
}

// The reasons Verify gives, sent in the 4002 close frame.
const (
	CSRFMissing = "missing csrf token"
	CSRFInvalid = "invalid csrf token"
	CSRFExpired = "expired csrf token"
)

const (
	csrfDomain   = "wsroute csrf v1\x00"
	csrfTimeLen  = 8
	csrfTokenLen = csrfTimeLen + sha256.Size
)

// Issue returns a token bound to session, valid for MaxAge from now.
func (k CSRF) Issue(session string, now time.Time) string {
	var b [csrfTokenLen]byte
	binary.BigEndian.PutUint64(b[:csrfTimeLen], uint64(now.Add(k.MaxAge).Unix()))
	copy(b[csrfTimeLen:], k.mac(b[:csrfTimeLen], session))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Verify checks tok (present says whether the request carried one) against session and
// returns "" when it is good, or the reason it is not: CSRFMissing, CSRFInvalid or
// CSRFExpired.
func (k CSRF) Verify(tok string, present bool, session string, now time.Time) string {
	if !present {
		return CSRFMissing
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != csrfTokenLen {
		return CSRFInvalid
	}
	if !hmac.Equal(b[csrfTimeLen:], k.mac(b[:csrfTimeLen], session)) {
		return CSRFInvalid
	}
	if exp := int64(binary.BigEndian.Uint64(b[:csrfTimeLen])); now.Unix() >= exp {
		return CSRFExpired
	}
	return ""
}

func (k CSRF) mac(expiry []byte, session string) []byte {
	m := hmac.New(sha256.New, k.Key)
	m.Write([]byte(csrfDomain))
	m.Write(expiry)
	m.Write([]byte(session))
	return m.Sum(nil)
}
