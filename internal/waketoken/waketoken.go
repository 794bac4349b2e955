// Package waketoken signs what a waiting visitor's next status poll needs to
// know once a task's address is known — which task, where it answers, when
// the wake began — so that poll only asks the app, with no AWS call, in
// whichever execution environment it lands. The token is an HMAC-SHA256 over
// its claims; a forged, expired or future-dated one is refused.
package waketoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Claims are what a token vouches for.
type Claims struct {
	Service string `json:"s"`           // the service's cluster/name
	Task    string `json:"k"`           // the task's ID
	Stage   string `json:"g"`           // the stage when it was issued
	Scheme  string `json:"p"`           // http or https
	Host    string `json:"h"`           // the task's address (or the fixed URL's host)
	Port    int    `json:"o"`           // the app's port
	URL     string `json:"u,omitempty"` // the fixed URL, in address mode url
	WokenAt int64  `json:"w,omitempty"` // when the wake began (Unix seconds); 0: unknown
	Typical int    `json:"e,omitempty"` // how long wakes of the service usually take, in seconds; 0: unknown
	Issued  int64  `json:"i"`           // Unix milliseconds
	Expires int64  `json:"x"`           // Unix milliseconds
}

// MaxLifetime is the longest a token may live; one claiming more is refused.
const MaxLifetime = time.Minute

// sigLen is the bytes of the HMAC kept: 128 bits, out of reach of guessing.
const sigLen = 16

// Errors of Verify.
var (
	ErrMalformed = errors.New("token malformed")
	ErrSignature = errors.New("token signature does not match")
	ErrDates     = errors.New("token dated in the future or living too long")
	// ErrExpired comes with the claims: authentic, but no longer to be acted on alone.
	ErrExpired = errors.New("token expired")
)

// Signer signs and checks tokens with one key.
type Signer struct{ key []byte }

// New returns a Signer; the key is hashed, so any length works, though
// configuration asks for at least 16 characters.
func New(key []byte) *Signer {
	sum := sha256.Sum256(append([]byte("scale-to-zero wake token\x00"), key...))
	return &Signer{key: sum[:]}
}

// Sign returns the token for c: base64url(JSON claims) "." base64url(HMAC).
func (s *Signer) Sign(c Claims) string {
	body, _ := json.Marshal(c) // Claims has only strings and numbers
	payload := base64.RawURLEncoding.EncodeToString(body)
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload))
}

// Verify checks the token's signature and lifetime at now and returns its
// claims; an authentic token past its expiry comes back with ErrExpired.
func (s *Signer) Verify(token string, now time.Time) (Claims, error) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 2048 {
		return Claims{}, ErrMalformed
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return Claims{}, ErrMalformed
	}
	if !hmac.Equal(got, s.mac(payload)) {
		return Claims{}, ErrSignature
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return Claims{}, ErrMalformed
	}
	var c Claims
	if err := json.Unmarshal(body, &c); err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	ms := now.UnixMilli()
	if c.Issued > ms+1000 || c.Expires-c.Issued > MaxLifetime.Milliseconds() {
		return Claims{}, ErrDates
	}
	if c.Expires <= ms {
		return c, ErrExpired
	}
	return c, nil
}

func (s *Signer) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	return m.Sum(nil)[:sigLen]
}
