package waketoken

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestTokens(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	claims := Claims{Service: "prod/web", Task: "abc", Stage: "starting-app", Scheme: "http", Host: "203.0.113.7", Port: 8080,
		WokenAt: now.Add(-20 * time.Second).Unix(), Typical: 40, Issued: now.UnixMilli(), Expires: now.Add(15 * time.Second).UnixMilli()}
	signer := New([]byte("a key of sixteen+ characters"))
	good := signer.Sign(claims)
	payload, sig, _ := strings.Cut(good, ".")
	other := claims
	other.Host = "198.51.100.1"
	otherPayload, _, _ := strings.Cut(signer.Sign(other), ".")
	long := claims
	long.Expires = now.Add(2 * MaxLifetime).UnixMilli()

	tests := []struct {
		name    string
		token   string
		signer  *Signer
		at      time.Time
		wantErr error
	}{
		{"a fresh token is accepted", good, signer, now.Add(time.Second), nil},
		{"an expired token is refused, its claims told", good, signer, now.Add(16 * time.Second), ErrExpired},
		{"a token from the future is refused", good, signer, now.Add(-time.Minute), ErrDates},
		{"another key's token is refused", good, New([]byte("another key, also long")), now, ErrSignature},
		{"changed claims under the old signature are refused", otherPayload + "." + sig, signer, now, ErrSignature},
		{"a token claiming a long life is refused", signer.Sign(long), signer, now, ErrDates},
		{"no signature", payload, signer, now, ErrMalformed},
		{"signature not base64", payload + ".!!", signer, now, ErrMalformed},
		{"empty", "", signer, now, ErrMalformed},
		{"oversized", strings.Repeat("a", 3000) + "." + sig, signer, now, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.signer.Verify(tc.token, tc.at)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if (err == nil || errors.Is(err, ErrExpired)) && got != claims {
				t.Fatalf("claims %+v, want %+v", got, claims)
			}
		})
	}
}

func TestATokenFitsInAURL(t *testing.T) {
	c := Claims{Service: strings.Repeat("c", 255) + "/" + strings.Repeat("s", 255), Task: strings.Repeat("0", 32), Stage: "starting-app",
		Scheme: "https", Host: "ip-10-0-0-1.ec2.internal", Port: 65535, WokenAt: 1e9, Typical: 86399, Issued: 1e12, Expires: 1e12}
	if n := len(New([]byte("k")).Sign(c)); n > 1500 {
		t.Fatalf("a token of %d characters", n)
	}
}

func FuzzVerifyNeverPanics(f *testing.F) {
	s := New([]byte("fuzz key, sixteen+"))
	f.Add(s.Sign(Claims{Service: "a/b", Issued: 1, Expires: 2}))
	f.Add("x.y")
	f.Fuzz(func(t *testing.T, tok string) {
		_, _ = s.Verify(tok, time.Unix(0, 0))
	})
}
